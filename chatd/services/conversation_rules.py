"""Who may change what in a conversation, as pure functions.

Each `*_rule` returns the `decide` function the ConversationStore runs inside
its atomic step, on the conversation and members as stored. Order of checks:
not a member (404, never 403) -> not allowed (403) -> bad request (400) ->
stale version (409).

Roles: the owner may do everything; admins edit the conversation, add
people and remove plain members; members may leave. A direct conversation has
exactly its two members for life: no title or topic, nobody added, nobody
leaves or is removed.
"""

from __future__ import annotations

from datetime import datetime

import msgspec

from chatd.domain import Conversation, Member, MemberRole
from chatd.errors import Conflict, Forbidden, Invalid, NotFound
from chatd.storage.ports.conversations import DecideMembers, DecideUpdate, MemberPlan
from chatd.text import clean

MAX_TITLE = 200
MAX_TOPIC = 1000
MAX_MEMBERS = 1000
MANAGERS = ("owner", "admin")


def not_found() -> NotFound:
    return NotFound("There is no such conversation.", code="conversation_not_found")


def title(raw: str) -> str:
    value = clean(raw, single_line=True).strip()
    if not 1 <= len(value) <= MAX_TITLE:
        raise Invalid(f"A title is 1 to {MAX_TITLE} characters.", code="invalid_title")
    return value


def topic(raw: str) -> str:
    value = clean(raw).strip()
    if len(value) > MAX_TOPIC:
        raise Invalid(f"A topic is at most {MAX_TOPIC} characters.", code="invalid_topic")
    return value


def _direct() -> Invalid:
    return Invalid("A direct conversation always has its two members and no title or topic.",
                   code="direct_conversation")


def _mine(conv: Conversation | None, members: list[Member], me: str) -> tuple[Conversation, Member]:
    own = next((m for m in members if m.user_id == me), None)
    if conv is None or own is None:
        raise not_found()
    return conv, own


def _manager(conv: Conversation, own: Member) -> None:
    if conv.kind == "direct":
        raise _direct()
    if own.role not in MANAGERS:
        raise Forbidden("Only the owner or an admin can do this.", code="not_admin")


def successor(members: list[Member], leaving: str) -> Member | None:
    """Who inherits ownership: the longest-standing admin, else member
    (`members` come longest-standing first)."""
    rest = [m for m in members if m.user_id != leaving]
    return next((m for m in rest if m.role == "admin"), rest[0] if rest else None)


KEEP = "\x00keep"  # `avatar` unchanged (None clears it)


def update_rule(
    me: str, *, version: int, at: datetime, title: str | None = None, topic: str | None = None,
    e2ee: bool | None = None, e2ee_allowed: bool = True, avatar: str | None = KEEP,
) -> DecideUpdate:
    def decide(conv: Conversation | None, members: list[Member]) -> Conversation:
        conv, own = _mine(conv, members, me)
        if conv.kind == "direct" and (title is not None or topic is not None or avatar != KEEP):
            raise _direct()
        if conv.kind == "group" and own.role not in MANAGERS:
            raise Forbidden("Only the owner or an admin can change a group.", code="not_admin")
        if conv.version != version:
            raise Conflict("The conversation changed since you read it.", code="version_conflict",
                           extra={"current": conv})
        if e2ee is True and not conv.e2ee and not e2ee_allowed:
            raise Invalid("End-to-end encryption is disabled on this server.", code="e2ee_disabled")
        if e2ee is False and conv.e2ee:
            # A silent downgrade would expose what members believe is private.
            raise Invalid("End-to-end encryption cannot be turned off again.", code="e2ee_irreversible")
        new = msgspec.structs.replace(
            conv,
            title=conv.title if title is None else title,
            topic=conv.topic if topic is None else topic,
            e2ee=conv.e2ee if e2ee is None else e2ee,
            avatar=conv.avatar if avatar == KEEP else avatar,
        )
        if new == conv:
            return conv
        return msgspec.structs.replace(new, version=conv.version + 1, updated_at=at)

    return decide


def add_rule(me: str, user_ids: list[str], at: datetime) -> DecideMembers:
    def decide(conv: Conversation | None, members: list[Member]) -> MemberPlan:
        conv, own = _mine(conv, members, me)
        _manager(conv, own)
        present = {m.user_id for m in members}
        new = [uid for uid in dict.fromkeys(user_ids) if uid not in present]
        if len(members) + len(new) > MAX_MEMBERS:
            raise Invalid(f"A group has at most {MAX_MEMBERS} members.", code="too_many_members")
        return MemberPlan(add=[Member(conversation_id=conv.id, user_id=uid, joined_at=at) for uid in new])

    return decide


def remove_rule(me: str, target: str) -> DecideMembers:
    """Leave (target == me) or remove someone; an owner who leaves hands the
    group to the successor; the last one out leaves an empty, invisible group."""

    def decide(conv: Conversation | None, members: list[Member]) -> MemberPlan:
        conv, own = _mine(conv, members, me)
        if conv.kind == "direct":
            raise _direct()
        other = next((m for m in members if m.user_id == target), None)
        if other is None:
            raise NotFound("This user is not a member of the conversation.", code="not_member")
        if target != me:
            _manager(conv, own)
            if own.role == "admin" and other.role != "member":
                raise Forbidden("An admin can remove members only, not the owner or other admins.",
                                code="not_allowed")
        heir = successor(members, target) if other.role == "owner" else None
        update = [msgspec.structs.replace(heir, role="owner")] if heir else []
        return MemberPlan(remove=[target], update=update)

    return decide


def member_rule(me: str, target: str, *, role: MemberRole | None, muted: bool | None) -> DecideMembers:
    """Muting is one's own business; roles are the owner's. Giving someone
    "owner" hands the group over: the old owner becomes an admin."""

    def decide(conv: Conversation | None, members: list[Member]) -> MemberPlan:
        conv, own = _mine(conv, members, me)
        other = next((m for m in members if m.user_id == target), None)
        if other is None:
            raise NotFound("This user is not a member of the conversation.", code="not_member")
        if muted is not None and target != me:
            raise Forbidden("Only the member themselves can mute a conversation.", code="not_allowed")
        updated = msgspec.structs.replace(other, muted=other.muted if muted is None else muted)
        plan: list[Member] = []
        if role is not None and role != other.role:
            if conv.kind == "direct":
                raise _direct()
            if own.role != "owner":
                raise Forbidden("Only the owner can change roles.", code="not_owner")
            if target == me:
                raise Invalid("Hand ownership to someone else instead.", code="owner_role")
            updated = msgspec.structs.replace(updated, role=role)
            if role == "owner":
                plan.append(msgspec.structs.replace(own, role="admin"))
        return MemberPlan(update=[updated, *plan])

    return decide
