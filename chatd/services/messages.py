"""Messages: send (HTTP and WebSocket share `send`), history, edit, delete,
reactions, search.

Everything inside a conversation answers NotFound to a non-member, and a
message of a conversation you are not in does not exist for you either.
Mentions of people who are not members are dropped (not refused): a client
may race a member leaving, and the message is still worth sending.

The send path is lean on purpose: one atomic step of the port that reads
the sender's access and applies the port's send rules to it (membership,
blocks, encryption, reply_to), then stores and records; its refusals come
back as exceptions this service names for the API. Only a send with
mentions reads the member list before.
"""

from __future__ import annotations

from chatd import clock
from chatd.config import Config
from chatd.domain import Member, Message
from chatd.errors import Conflict, Forbidden, Gone, Invalid, NotFound
from chatd.services import contact_rules
from chatd.services import message_input as rules
from chatd.services import sender_device
from chatd.services.conversation_rules import not_found as conversation_not_found
from chatd.services.message_input import EditMessage, SendMessage
from chatd.services.features import Features
from chatd.services.send_limit import SendLimiter
from chatd.storage.ports.conversations import ConversationStore
from chatd.storage.ports.counters import CounterStore
from chatd.storage.ports.users import UserStore
from chatd.storage.ports.messages import (
    AttachmentsUnavailable,
    ClientIdInUse,
    Draft,
    EncryptionRequired,
    HistoryPage,
    MessageDeleted,
    MessageStore,
    NoConversation,
    PeerBlocked,
    ReplyElsewhere,
    StaleVersion,
    TooManyReactions,
)

MANAGERS = ("owner", "admin")


def message_not_found() -> NotFound:
    return NotFound("There is no such message.", code="message_not_found")


def message_deleted() -> Gone:
    return Gone("This message was deleted.", code="message_deleted")


class MessageService:
    def __init__(self, config: Config, messages: MessageStore, conversations: ConversationStore, counters: CounterStore,
                 features: Features, users: UserStore):
        self.config = config
        self.users = users
        self.features = features
        self.messages = messages
        self.conversations = conversations
        self.limiter = SendLimiter(counters, config.limits.messages_per_minute)

    async def send(self, user_id: str, conversation_id: str, data: SendMessage) -> tuple[Message, bool]:
        """Store a message from `user_id`: (message, created). created=False is a
        retry of an earlier send with the same client_id: that first message."""
        await self.limiter.hit(user_id)
        kind, body, envelope = rules.content(data, self.config, e2ee=await self.features.on("e2ee", user_id))
        await sender_device.check(self.users, user_id, envelope)
        in_conv: set[str] = set()
        if data.mentions:
            in_conv = {m.user_id for m in await self.conversations.members(conversation_id)}

        draft = Draft(
            conversation_id=conversation_id,
            sender_id=user_id,
            client_id=data.client_id,
            kind=kind,
            body=body,
            envelope=envelope,
            reply_to=data.reply_to,
            attachments=list(dict.fromkeys(data.attachments)),
            mentions=[u for u in dict.fromkeys(data.mentions) if u in in_conv],
        )
        try:
            return await self.messages.append(draft)
        except NoConversation:
            raise conversation_not_found() from None
        except PeerBlocked as refused:
            raise contact_rules.blocked(by_me=refused.by_sender) from None
        except EncryptionRequired:
            raise Invalid("This conversation is end-to-end encrypted: send an envelope.", code="e2ee_required") from None
        except ReplyElsewhere:
            raise Invalid("reply_to is not a message of this conversation.", code="invalid_reply_to") from None
        except AttachmentsUnavailable:
            raise Invalid(
                "Attachments must be your own uploads to this conversation, not yet sent.",
                code="invalid_attachments",
            ) from None
        except ClientIdInUse:
            raise Conflict("You used this client_id for a message in another conversation.",
                           code="client_id_in_use") from None

    async def _visible(self, user_id: str, message_id: str) -> tuple[Message, Member]:
        """The message and the caller's membership of its conversation; NotFound otherwise."""
        message = await self.messages.get(message_id)
        if message is None:
            raise message_not_found()
        member = await self.conversations.member(message.conversation_id, user_id)
        if member is None:
            raise message_not_found()
        return message, member

    async def get(self, user_id: str, message_id: str) -> Message:
        return (await self._visible(user_id, message_id))[0]

    async def history(
        self, user_id: str, conversation_id: str, *, before_seq: int | None = None, after_seq: int | None = None,
        limit: int = 50,
    ) -> HistoryPage:
        if before_seq is not None and after_seq is not None:
            raise Invalid("Page with before_seq or after_seq, not both.", code="invalid_paging")
        if await self.conversations.member(conversation_id, user_id) is None:
            raise conversation_not_found()
        return await self.messages.history(conversation_id, before_seq=before_seq, after_seq=after_seq, limit=limit)

    async def history_json(
        self, user_id: str, conversation_id: str, *, before_seq: int | None = None, after_seq: int | None = None,
        limit: int = 50,
    ) -> bytes:
        """`history`'s page as its JSON, the same rules and refusals: the REST
        route's answer, with the membership read in the page's own step."""
        if before_seq is not None and after_seq is not None:
            raise Invalid("Page with before_seq or after_seq, not both.", code="invalid_paging")
        page = await self.messages.history_json(user_id, conversation_id, before_seq=before_seq, after_seq=after_seq,
                                                limit=limit)
        if page is None:
            raise conversation_not_found()
        return page

    async def edit(self, user_id: str, message_id: str, data: EditMessage, *, version: int | None = None) -> Message:
        """New body/envelope from the sender, based on `version` (the body's or If-Match)."""
        expected = data.version if data.version is not None else version
        if expected is None:
            raise Invalid("Say which version you edited (version or If-Match).", code="version_required")
        if data.version is not None and version is not None and data.version != version:
            raise Invalid("version and If-Match disagree.", code="version_mismatch")
        message, _ = await self._visible(user_id, message_id)
        if message.sender_id != user_id or message.kind == "system":
            raise Forbidden("Only the sender can edit a message.", code="not_sender")
        if message.deleted_at is not None:
            raise message_deleted()
        _, body, envelope = rules.content(data, self.config, kind=message.kind, attachments=message.attachments,
                                          e2ee=await self.features.on("e2ee", user_id))
        await sender_device.check(self.users, user_id, envelope)
        try:
            return await self.messages.edit(
                message_id, expected_version=expected, at=clock.now(), body=body, envelope=envelope
            )
        except StaleVersion as stale:
            if stale.current is None:
                raise message_not_found() from None
            if stale.current.deleted_at is not None:
                raise message_deleted() from None
            raise Conflict("The message changed since that version.", code="version_conflict",
                           extra={"current": stale.current}) from None

    async def delete(self, user_id: str, message_id: str) -> None:
        """Tombstone a message: its sender, or an owner/admin of the conversation.
        Deleting a deleted message again is fine (nothing changes)."""
        message, member = await self._visible(user_id, message_id)
        if message.sender_id != user_id and member.role not in MANAGERS:
            raise Forbidden("Only the sender or a conversation admin can delete this message.",
                            code="not_allowed")
        if message.deleted_at is None:
            await self.messages.delete(message_id, at=clock.now())

    async def react(self, user_id: str, message_id: str, emoji: str, *, add: bool) -> Message:
        """Add or remove my reaction; doing it twice is a no-op."""
        value = rules.emoji(emoji)
        message, _ = await self._visible(user_id, message_id)
        if message.deleted_at is not None:
            raise message_deleted()
        try:
            changed = await self.messages.react(
                message_id, user_id=user_id, emoji=value, add=add, max_distinct=rules.MAX_DISTINCT_REACTIONS
            )
        except MessageDeleted:
            raise message_deleted() from None
        except TooManyReactions:
            raise Invalid(f"A message has at most {rules.MAX_DISTINCT_REACTIONS} different reactions.",
                          code="too_many_reactions") from None
        if changed is None:
            raise message_not_found()
        return changed

    async def search(
        self, user_id: str, q: str, *, conversation_id: str | None = None, limit: int = 20
    ) -> list[Message]:
        """Messages matching q that the caller may read now, newest first."""
        await self.features.require("search", user_id)
        query = rules.search_query(q)
        if conversation_id is not None and await self.conversations.member(conversation_id, user_id) is None:
            raise conversation_not_found()
        return await self.messages.search(user_id, query, conversation_id=conversation_id, limit=limit)
