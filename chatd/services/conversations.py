"""Conversations: opening direct ones, groups, their members, read markers.

The permission rules live in conversation_rules.py and run inside the store's
atomic step. Everything inside a conversation answers NotFound to a
non-member (`require_member`), never Forbidden: its existence is private.
A direct conversation with someone who blocked you (or whom you blocked) is
refused with 403 `contact_refused` (`contact_blocked` for your own block),
exactly like a contact request or a direct message: the same neutral answer
whether or not the conversation exists already.
"""

from __future__ import annotations

from dataclasses import dataclass

from chatd import clock, ids
from chatd.config import Config
from chatd.domain import Conversation, Member, MemberRole, Message, PublicUser
from chatd.errors import Invalid, NotFound
from chatd.services import conversation_rules as rules
from chatd.services.contact_rules import refused
from chatd.services.contacts import ContactService, user_not_found
from chatd.services.features import Features
from chatd.storage.ports.conversations import ConversationStore
from chatd.storage.ports.messages import MessageStore
from chatd.storage.ports.users import UserStore


@dataclass
class Overview:
    """One conversation as its member sees it in a list or on its own."""

    conversation: Conversation
    me: Member
    members: list[Member]
    users: dict[str, PublicUser]
    last_message: Message | None

    @property
    def unread(self) -> int:
        # The sender's own sends advance their marker; never below zero.
        return max(0, self.conversation.last_seq - self.me.last_read_seq)


class ConversationService:
    def __init__(
        self, config: Config, conversations: ConversationStore, users: UserStore, messages: MessageStore,
        contacts: ContactService, features: Features,
    ):
        self.features = features
        self.config = config
        self.conversations = conversations
        self.users = users
        self.messages = messages
        self.contacts = contacts

    async def require_member(self, conversation_id: str, user_id: str) -> Member:
        """The caller's membership; NotFound for a non-member or no such conversation."""
        member = await self.conversations.member(conversation_id, user_id)
        if member is None:
            raise rules.not_found()
        return member

    async def _e2ee(self, me_id: str, wanted: bool) -> bool:
        if wanted and not await self.features.on("e2ee", me_id):
            raise Invalid("End-to-end encryption is disabled on this server.", code="e2ee_disabled")
        return wanted

    async def _new_people(self, me_id: str, user_ids: list[str]) -> list[str]:
        """Distinct, existing, enabled users other than me, none of whom blocked me."""
        wanted = [u for u in dict.fromkeys(user_ids) if u != me_id]
        found = await self.users.get_many(wanted)
        missing = [u for u in wanted if u not in found or found[u].disabled]
        if missing:
            raise NotFound("Some of these users do not exist.", code="user_not_found", extra={"user_ids": missing})
        if await self.contacts.blockers_among(me_id, wanted):
            raise refused()
        return wanted

    async def open_direct(self, me_id: str, user_id: str, *, e2ee: bool | None = None) -> tuple[Conversation, bool]:
        """The direct conversation of me and `user_id`: (it, created now).
        `e2ee` None: encrypted when the e2ee_default flag (and e2ee) is on for me."""
        if user_id == me_id:
            raise Invalid("A direct conversation is with someone else.", code="self_direct")
        other = await self.users.get(user_id)
        if other is None or other.disabled:
            raise user_not_found()
        await self.contacts.ensure_not_blocked(me_id, user_id)
        if e2ee is None:
            e2ee = await self.features.on("e2ee_default", me_id) and await self.features.on("e2ee", me_id)
        at = clock.now()
        conv = Conversation(id=ids.new_id(), kind="direct", created_by=me_id, created_at=at, updated_at=at,
                            e2ee=await self._e2ee(me_id, e2ee))
        members = [Member(conversation_id=conv.id, user_id=u, joined_at=at) for u in (me_id, user_id)]
        return await self.conversations.create_direct(conv, members)

    async def create_group(
        self, me_id: str, *, title: str, member_ids: list[str], topic: str = "", e2ee: bool = False
    ) -> Conversation:
        clean_title, clean_topic = rules.title(title), rules.topic(topic)
        others = await self._new_people(me_id, member_ids)
        if len(others) + 1 > rules.MAX_MEMBERS:
            raise Invalid(f"A group has at most {rules.MAX_MEMBERS} members.", code="too_many_members")
        at = clock.now()
        conv = Conversation(id=ids.new_id(), kind="group", title=clean_title, topic=clean_topic, created_by=me_id,
                            created_at=at, updated_at=at, e2ee=await self._e2ee(me_id, e2ee))
        members = [Member(conversation_id=conv.id, user_id=me_id, role="owner", joined_at=at)]
        members += [Member(conversation_id=conv.id, user_id=u, joined_at=at) for u in others]
        return await self.conversations.create_group(conv, members)

    async def _overviews(self, pairs: list[tuple[Conversation, Member]]) -> list[Overview]:
        conv_ids = [c.id for c, _ in pairs]
        members = await self.conversations.members_of(conv_ids)
        latest = await self.messages.latest_in(conv_ids) if conv_ids else {}
        users = await self.users.get_many({m.user_id for ms in members.values() for m in ms})
        public = {uid: PublicUser.of(u) for uid, u in users.items()}
        return [Overview(conversation=c, me=me, members=members[c.id], users=public, last_message=latest.get(c.id))
                for c, me in pairs]

    async def list_for(self, me_id: str) -> list[Overview]:
        """My conversations, newest activity first."""
        return await self._overviews(await self.conversations.list_for(me_id))

    async def overview(self, me_id: str, conversation_id: str) -> Overview:
        me = await self.require_member(conversation_id, me_id)
        conv = await self.conversations.get(conversation_id)
        if conv is None:
            raise rules.not_found()
        return (await self._overviews([(conv, me)]))[0]

    async def update(
        self, me_id: str, conversation_id: str, *, version: int, title: str | None = None,
        topic: str | None = None, e2ee: bool | None = None, avatar: str | None = rules.KEEP,
    ) -> Conversation:
        """Change title/topic/e2ee (or, from AvatarService, the avatar) when
        `version` is still current (else 409 with it)."""
        decide = rules.update_rule(
            me_id, version=version, at=clock.now(), title=None if title is None else rules.title(title),
            topic=None if topic is None else rules.topic(topic), e2ee=e2ee,
            e2ee_allowed=e2ee is None or await self.features.on("e2ee", me_id),
            avatar=avatar,
        )
        return await self.conversations.update(conversation_id, decide)

    async def add_members(self, me_id: str, conversation_id: str, user_ids: list[str]) -> list[Member]:
        """Add people to a group (owner/admin); those already in are skipped.
        Returns the members actually added."""
        await self.require_member(conversation_id, me_id)
        others = await self._new_people(me_id, user_ids)
        plan = await self.conversations.change_members(conversation_id, rules.add_rule(me_id, others, clock.now()))
        return plan.add

    async def remove_member(self, me_id: str, conversation_id: str, user_id: str) -> None:
        """Leave (user_id == me_id) or remove someone (owner/admin)."""
        await self.conversations.change_members(conversation_id, rules.remove_rule(me_id, user_id))

    async def set_member(
        self, me_id: str, conversation_id: str, user_id: str, *, role: MemberRole | None = None,
        muted: bool | None = None,
    ) -> Member:
        """Change a member's role (owner only) or one's own muted flag."""
        decide = rules.member_rule(me_id, user_id, role=role, muted=muted)
        await self.conversations.change_members(conversation_id, decide)
        member = await self.conversations.member(conversation_id, user_id)
        if member is None:
            raise NotFound("This user is not a member of the conversation.", code="not_member")
        return member

    async def mark_read(self, user_id: str, conversation_id: str, seq: int) -> Member:
        """Move my read marker forward to `seq` (clamped to the last message,
        never backwards); `read.updated` goes out only when it moved."""
        if seq < 0:
            raise Invalid("seq is a message sequence number (0 or more).", code="invalid_seq")
        result = await self.conversations.advance_read(conversation_id, user_id, seq)
        if result is None:
            raise rules.not_found()
        return result[0]
