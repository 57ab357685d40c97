"""The export of one's own account (ASVS 8.3.2): one JSON document, written
as it is read, so a large account never sits in memory whole (a Pi).

What it holds and why (docs/api.md, "Your data"): the own profile and
preferences, sessions, API tokens and security keys (never their secrets), contacts, the
key backup as stored (passphrase-encrypted), and every conversation the user
is a member of now with exactly what history shows them (MessageService.history,
page by page: the same rule, so nothing more), reactions and E2EE envelopes as
stored, and the metadata of the attachments of those messages with the
authenticated link that downloads each (not the bytes: a zip of every file
would be built on the server's disk or memory and repeat what the links
already give, under the same membership check). Other people appear only as
everyone sees them (PublicUser, their role and join time in the conversation).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import msgspec

from chatd import clock
from chatd.domain import Attachment, PublicUser, User
from chatd.domain.auth import ApiToken, LoginSession
from chatd.services.export_limit import ExportLimiter
from chatd.services.messages import MessageService
from chatd.storage.ports.attachments import AttachmentStore
from chatd.storage.ports.auth import AuthStore
from chatd.storage.ports.contacts import ContactStore
from chatd.storage.ports.conversations import ConversationStore
from chatd.storage.ports.key_backups import KeyBackupStore
from chatd.storage.ports.security_keys import SecurityKeyStore
from chatd.storage.ports.users import UserStore

FORMAT = "chatd-export"
VERSION = 1
PAGE = 200  # messages read (and written out) at a time


class ExportedAttachment(msgspec.Struct, kw_only=True):
    attachment: Attachment
    download: str  # the API path that serves its bytes to a member


def _items(enc: msgspec.json.Encoder, values: list, first: bool) -> bytes:
    """`values` as JSON array items, a comma before them unless `first`."""
    if not values:
        return b""
    body = b",".join(enc.encode(v) for v in values)
    return body if first else b"," + body


class AccountExport:
    def __init__(self, users: UserStore, auth: AuthStore, contacts: ContactStore, key_backups: KeyBackupStore,
                 conversations: ConversationStore, messages: MessageService, attachments: AttachmentStore,
                 security_keys: SecurityKeyStore,
                 limiter: ExportLimiter):
        self.users, self.auth, self.contacts, self.key_backups = users, auth, contacts, key_backups
        self.security_keys = security_keys
        self.conversations, self.messages, self.attachments = conversations, messages, attachments
        self.limiter = limiter

    async def open(self, me: User, current_session_id: str | None) -> AsyncIterator[bytes]:
        """The export of `me` once the limit admits it (RateLimited before a
        byte is sent otherwise); the limit learns when the stream ends,
        finished, failed or dropped by the client."""
        await self.limiter.start(me.id)
        return self._then_finish(me.id, self.stream(me, current_session_id))

    async def _then_finish(self, user_id: str, chunks: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
        try:
            async for chunk in chunks:
                yield chunk
        finally:
            await self.limiter.finish(user_id)

    async def stream(self, me: User, current_session_id: str | None) -> AsyncIterator[bytes]:
        enc = msgspec.json.Encoder()
        user = await self.users.get(me.id) or me
        sessions = await self.auth.list_sessions(me.id, "session")
        tokens = await self.auth.list_sessions(me.id, "token")
        yield b"".join([
            b'{"format":', enc.encode(FORMAT), b',"version":', enc.encode(VERSION),
            b',"exported_at":', enc.encode(clock.now()), b',"user":', enc.encode(user),
            b',"sessions":', enc.encode([LoginSession.of(s, current_session_id) for s in sessions]),
            b',"api_tokens":', enc.encode([ApiToken.of(t) for t in tokens]),
            b',"security_keys":', enc.encode([k.shown() for k in await self.security_keys.list_keys(me.id)]),
            b',"contacts":', enc.encode(await self.contacts.list(me.id)),
            b',"key_backup":', enc.encode(await self.key_backups.get(me.id)),
            b',"conversations":[',
        ])
        for n, (conv, own) in enumerate(await self.conversations.list_for(me.id)):
            members = await self.conversations.members(conv.id)
            people = await self.users.get_many([m.user_id for m in members])
            shown = [{"user": PublicUser.of(people[m.user_id]), "role": m.role, "joined_at": m.joined_at}
                     for m in members if m.user_id in people]
            yield b"".join([
                b"," if n else b"", b'{"conversation":', enc.encode(conv), b',"membership":', enc.encode(own),
                b',"members":', enc.encode(shown), b',"messages":[',
            ])
            files: list[ExportedAttachment] = []
            async for chunk in self._messages(enc, me.id, conv.id, files):
                yield chunk
            yield b'],"attachments":' + enc.encode(files) + b"}"
        yield b"]}"

    async def _messages(self, enc: msgspec.json.Encoder, user_id: str, conversation_id: str,
                        files: list[ExportedAttachment]) -> AsyncIterator[bytes]:
        """Oldest first, through history itself; the attachments met go to `files`."""
        after, first = 0, True
        while True:
            page = await self.messages.history(user_id, conversation_id, after_seq=after, limit=PAGE)
            yield _items(enc, page.items, first)
            first = first and not page.items
            ids = [a for m in page.items for a in m.attachments]
            if ids:
                found = await self.attachments.of_conversation(conversation_id, ids=ids, limit=len(ids))
                files.extend(ExportedAttachment(attachment=a, download=f"/api/v1/attachments/{a.id}")
                             for a in sorted(found, key=lambda a: a.created_at))
            if not page.has_more or not page.items:
                return
            after = page.items[-1].seq
