"""Avatars of people and groups: an uploaded image, checked like any image
attachment (bombs, broken files), cropped to a 256 px square WebP, and only
that kept: the original with its metadata is never stored.

A person's avatar is public to every signed-in user (like their display
name); a group's only to its members. Avatars are set by upload only: an
avatar id typed into PATCH /me could otherwise show someone else's face.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from chatd.config import Config
from chatd.domain import Conversation, User
from chatd.errors import Conflict, NotFound
from chatd.ids import is_id, new_id
from chatd.services.conversation_rules import not_found as conversation_not_found
from chatd.services.conversations import ConversationService
from chatd.services.media import images, keys
from chatd.services.media.decoder import Decoder
from chatd.services.media.ingest import MB, Meter, gather, head_of, once, opened, too_large
from chatd.services.media.screening import Screen
from chatd.services.media.sealing import store_for
from chatd.services.media.service import Readable, UnprocessableImage
from chatd.services.media.sniff import HEAD, sniff
from chatd.storage.ports.blobs import BlobStore
from chatd.storage.ports.users import UserStore

AVATAR_MAX = 16 * MB
ATTEMPTS = 3  # a profile edited meanwhile: read it again and retry


def no_avatar() -> NotFound:
    return NotFound("There is no such avatar.", code="avatar_not_found")


class AvatarService:
    def __init__(self, config: Config, users: UserStore, conversations: ConversationService,
                 blobs: BlobStore, sealed: BlobStore | None, screen: Screen, decoder: Decoder):
        self.config, self.users, self.conversations = config, users, conversations
        self.blobs, self.sealed, self.screen, self.decoder = blobs, sealed, screen, decoder

    async def set_mine(self, me: User, chunks: AsyncIterator[bytes]) -> User:
        avatar_id = await self._store(me.id, chunks)
        try:
            user = await self._retry(lambda u: self.users.update(me.id, {"avatar": avatar_id}, version=u.version),
                                     me, lambda: self.users.get(me.id))
        except BaseException:
            await self._drop(avatar_id)
            raise
        await self._drop(me.avatar)
        return user

    async def clear_mine(self, me: User) -> User:
        if me.avatar is None:
            return me
        user = await self._retry(lambda u: self.users.update(me.id, {"avatar": None}, version=u.version),
                                 me, lambda: self.users.get(me.id))
        await self._drop(me.avatar)
        return user

    async def of_user(self, user_id: str) -> Readable:
        user = await self.users.get(user_id)
        if user is None or user.disabled or user.avatar is None:
            raise no_avatar()
        return await self._readable(user.avatar)

    async def set_group(self, me_id: str, conversation_id: str, chunks: AsyncIterator[bytes]) -> Conversation:
        before = await self._group(me_id, conversation_id)
        avatar_id = await self._store(me_id, chunks)
        try:
            conv = await self._retry(lambda c: self.conversations.update(me_id, conversation_id, version=c.version,
                                                                         avatar=avatar_id),
                                     before, lambda: self.conversations.conversations.get(conversation_id))
        except BaseException:
            await self._drop(avatar_id)
            raise
        await self._drop(before.avatar)
        return conv

    async def clear_group(self, me_id: str, conversation_id: str) -> Conversation:
        before = await self._group(me_id, conversation_id)
        if before.avatar is None:
            return before
        conv = await self._retry(lambda c: self.conversations.update(me_id, conversation_id, version=c.version,
                                                                     avatar=None),
                                 before, lambda: self.conversations.conversations.get(conversation_id))
        await self._drop(before.avatar)
        return conv

    async def of_group(self, me_id: str, conversation_id: str) -> Readable:
        conv = await self._group(me_id, conversation_id)
        if conv.avatar is None:
            raise no_avatar()
        return await self._readable(conv.avatar)

    async def _group(self, me_id: str, conversation_id: str) -> Conversation:
        if await self.conversations.conversations.member(conversation_id, me_id) is None:
            raise conversation_not_found()
        conv = await self.conversations.conversations.get(conversation_id)
        if conv is None:
            raise conversation_not_found()
        return conv

    async def _retry(self, write, current, reread):
        for attempt in range(ATTEMPTS):
            try:
                return await write(current)
            except Conflict as err:
                if err.code != "version_conflict" or attempt == ATTEMPTS - 1:
                    raise
                current = await reread()
                if current is None:
                    raise
        raise AssertionError("unreachable")

    async def _store(self, user_id: str, chunks: AsyncIterator[bytes]) -> str:
        meter = Meter(AVATAR_MAX, too_large(AVATAR_MAX, "avatar_too_large", "Avatar images are limited"))
        head, ended = await head_of(chunks, HEAD, meter)
        content_type = sniff(head)
        if content_type not in images.PROCESSED:
            raise UnprocessableImage("An avatar must be a JPEG, PNG, GIF, WebP or BMP image.", code="not_an_image")
        data = await gather(head, chunks, meter, ended)
        # The original bytes, complete, before the image decoder sees them.
        await self.screen.check(lambda: opened(data), user_id, "avatar", meter.sha256, meter.size)
        try:
            facts = await self.decoder.examine(data, content_type, strip=True, edge=images.AVATAR_EDGE,
                                               square=True)
        except images.BadImage as bad:
            raise UnprocessableImage(bad.detail, code=bad.code) from None
        avatar_id = new_id()
        key = keys.avatar_key(avatar_id, sealed=self.sealed is not None)
        await self._blob_store(key).put(key, once(facts.thumbnail or b""))
        return avatar_id

    async def _readable(self, avatar_id: str) -> Readable:
        if not is_id(avatar_id):
            raise no_avatar()  # an id set before avatars were uploads
        for sealed in (False, True):
            key = keys.avatar_key(avatar_id, sealed=sealed)
            if sealed and self.sealed is None:
                break
            info = await self._blob_store(key).stat(key)
            if info is not None:
                return Readable(key=key, size=info.size, content_type=images.THUMB_TYPE, filename="avatar.webp",
                                etag=f'"a-{avatar_id}"')
        raise no_avatar()

    async def _drop(self, avatar_id: str | None) -> None:
        if avatar_id is None or not is_id(avatar_id):
            return
        for sealed in (False, True):
            key = keys.avatar_key(avatar_id, sealed=sealed)
            if not sealed or self.sealed is not None:
                await self._blob_store(key).delete(key)

    def _blob_store(self, key: str) -> BlobStore:
        return store_for(key, self.blobs, self.sealed)
