"""Port: conversations and their members (the core reads every capability uses)."""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Protocol

import msgspec

from chatd.domain import Conversation, Member


class MemberPlan(msgspec.Struct, frozen=True, kw_only=True):
    """Membership changes decided by the rules; applied in this order."""

    add: list[Member] = []
    remove: list[str] = []  # user ids
    update: list[Member] = []  # role / muted changes of current members


def direct_key(members: list[Member]) -> str:
    """The pair of a direct conversation, the same whichever way round."""
    ids = sorted({m.user_id for m in members})
    if len(ids) != 2:
        raise ValueError("a direct conversation has exactly two distinct members")
    return ":".join(ids)


class MemberChanges(msgspec.Struct, frozen=True, kw_only=True):
    """What a plan really changes, against the members as stored."""

    add: list[Member]  # new members, each once
    remove: list[Member]  # the removed members as they were
    update: list[Member]  # the changed members as they are now

    def as_plan(self) -> MemberPlan:
        return MemberPlan(add=self.add, remove=[m.user_id for m in self.remove], update=self.update)


def effective(conversation_id: str, members: list[Member], plan: MemberPlan) -> MemberChanges:
    """The plan an adapter applies: members already present are not added
    again, absent ones not removed, and an update that changes nothing (or
    concerns someone removed) is dropped."""
    current = {m.user_id: m for m in members}
    added: dict[str, Member] = {}
    for m in plan.add:
        if m.user_id not in current and m.user_id not in added and m.conversation_id == conversation_id:
            added[m.user_id] = m
    removed = [current[u] for u in dict.fromkeys(plan.remove) if u in current]
    gone = {m.user_id for m in removed}
    updated = [
        msgspec.structs.replace(current[m.user_id], role=m.role, muted=m.muted)
        for m in plan.update
        if m.user_id in current and m.user_id not in gone
        and (current[m.user_id].role, current[m.user_id].muted) != (m.role, m.muted)
    ]
    return MemberChanges(add=list(added.values()), remove=removed, update=updated)


# Pure functions the services pass in; they run inside the atomic step, see the
# conversation as it is stored (None = no such conversation) and may raise a
# chatd.errors exception to refuse.
DecideUpdate = Callable[[Conversation | None, list[Member]], Conversation]
DecideMembers = Callable[[Conversation | None, list[Member]], MemberPlan]


class ConversationStore(Protocol):
    async def get(self, conversation_id: str) -> Conversation | None: ...

    async def member(self, conversation_id: str, user_id: str) -> Member | None:
        """The caller's membership, or None: the access check of everything
        inside a conversation."""
        ...

    async def members(self, conversation_id: str) -> list[Member]:
        """Longest-standing first."""
        ...

    async def members_of(self, conversation_ids: Collection[str]) -> dict[str, list[Member]]:
        """Members of each conversation (longest-standing first); every id is a key."""
        ...

    async def member_counts(self, conversation_ids: Collection[str]) -> dict[str, int]:
        """How many members each conversation has (0 for unknown ids); every id
        is a key. Cheap however large the groups are (presence asks it)."""
        ...

    async def list_for(self, user_id: str) -> list[tuple[Conversation, Member]]:
        """The user's conversations with their own membership, newest activity
        first (last_message_at, else created_at)."""
        ...

    async def create_direct(self, conversation: Conversation, members: list[Member]) -> tuple[Conversation, bool]:
        """Create the direct conversation of the two `members`, unless the pair
        already has one: then return that one. (conversation, created).
        Creating appends `conversation.created` and a `member.joined` per member."""
        ...

    async def create_group(self, conversation: Conversation, members: list[Member]) -> Conversation:
        """Store a new group with its members (+ the same events as above)."""
        ...

    async def update(self, conversation_id: str, decide: DecideUpdate) -> Conversation:
        """Lock the conversation, let `decide` return it as it must be, store
        title/topic/avatar/e2ee/updated_at/version and append
        `conversation.updated` when anything changed."""
        ...

    async def change_members(self, conversation_id: str, decide: DecideMembers) -> MemberPlan:
        """Lock the conversation, apply the plan `decide` returns and append
        `member.joined` per added member (conversation-wide), `member.left` per
        removed one (conversation-wide and to that user) and `member.updated`
        per changed one. Members already present are not added twice.
        Returns the plan as applied."""
        ...

    async def drop_if_empty(self, conversation_id: str) -> bool:
        """Remove a group nobody is a member of any more, with its messages,
        reactions and attachment metadata (the media janitor then removes the
        bytes no row refers to), in one atomic step that checks it is empty
        inside it, so a member added meanwhile keeps it. False (nothing
        written) when it has members, is direct or does not exist."""
        ...

    async def advance_read(self, conversation_id: str, user_id: str, seq: int) -> tuple[Member, bool] | None:
        """Move the member's last_read_seq forward to `seq`, clamped to the
        conversation's last_seq, never backwards; append `read.updated` only
        when it moved. (member, moved), or None for a non-member."""
        ...
