"""Attachments: the rules of upload, reading and listing.

Only members of a conversation upload to it or read from it; everyone else
gets 404, as for everything inside a conversation. An upload stays private
to its uploader until a send binds it to a message (MessageService: only
the sender's own unbound uploads of that conversation). A deleted message's
attachments are gone for everyone at once; their bytes follow after a grace
period (janitor.py).

Bytes stream from the request to the blob store through a meter (size limit,
quota, sha256), so memory does not depend on the file's size. Images are the
exception: they are checked, stripped of metadata and thumbnailed in a
worker thread, which needs them whole (bounded by IMAGE_MAX).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import AsyncIterator, Collection

import msgspec

from chatd import clock
from chatd.config import Config
from chatd.domain import Attachment
from chatd.errors import ChatError, Invalid, NotFound, TooLarge
from chatd.ids import new_id
from chatd.services.conversation_rules import not_found as conversation_not_found
from chatd.services.media import images, keys
from chatd.services.media.decoder import Decoder
from chatd.services.media.disposition import served_type
from chatd.services.media.filenames import clean_filename
from chatd.services.media.ingest import MB, Meter, gather, head_of, once, opened, rest_of, too_large
from chatd.services.media.screening import Screen
from chatd.services.media.sealing import store_for
from chatd.services.media.sniff import HEAD, sniff
from chatd.storage.ports.attachments import AttachmentStore, StoredAttachment
from chatd.storage.ports.blobs import BlobCorrupt, BlobMissing, BlobStore
from chatd.storage.ports.conversations import ConversationStore

log = logging.getLogger("chatd.media")

# Images are held whole while they are checked and stripped.
IMAGE_MAX = 64 * MB


class Readable(msgspec.Struct, frozen=True):
    """A blob a caller may read, with what its answer needs."""

    key: str
    size: int
    content_type: str
    filename: str
    etag: str


def attachment_not_found() -> NotFound:
    return NotFound("There is no such attachment.", code="attachment_not_found")


class UnprocessableImage(ChatError):
    status, code, title = 422, "image_invalid", "Unusable image"


class MediaService:
    def __init__(self, config: Config, attachments: AttachmentStore, conversations: ConversationStore,
                 blobs: BlobStore, sealed: BlobStore | None, screen: Screen, decoder: Decoder):
        """`sealed`: the same store encrypting at rest (media.encryption_key),
        None when no key is set; `screen`: the malware scan of uploads;
        `decoder`: the process that opens images."""
        self.decoder = decoder
        self.config = config
        self.attachments = attachments
        self.conversations = conversations
        self.blobs = blobs
        self.sealed = sealed
        self.screen = screen

    # -- upload -------------------------------------------------------------

    async def upload(self, user_id: str, conversation_id: str, filename: str | None,
                     chunks: AsyncIterator[bytes], *, encrypted: bool = False) -> Attachment:
        """Store an upload for `user_id` in the conversation; unbound until sent."""
        if await self.conversations.member(conversation_id, user_id) is None:
            raise conversation_not_found()
        meter = Meter(*await self._limit(user_id))
        return await self._ingest(user_id, conversation_id, filename, chunks, meter, encrypted)

    async def _ingest(self, user_id: str, conversation_id: str, filename: str | None, chunks: AsyncIterator[bytes],
                      meter: Meter, encrypted: bool) -> Attachment:
        head, ended = await head_of(chunks, HEAD, meter)
        content_type = "application/octet-stream" if encrypted else sniff(head)
        attachment_id = new_id()
        key = keys.attachment_key(attachment_id, sealed=self.sealed is not None)
        store = self._store(key)
        width = height = None
        thumbnail: bytes | None = None
        scanned = False
        if content_type in images.PROCESSED:
            if meter.limit > IMAGE_MAX:
                meter.limit, meter.refuse = IMAGE_MAX, too_large(IMAGE_MAX, "image_too_large",
                                                                   "Images are checked in memory")
            data = await gather(head, chunks, meter, ended)
            # Scanned whole, before the image decoder sees it.
            await self.screen.check(lambda: opened(data), user_id, f"attachment {attachment_id}", meter.sha256,
                                    meter.size)
            scanned = True
            facts = await self._examine(data, content_type)
            width, height, thumbnail = facts.width, facts.height, facts.thumbnail
            size = await store.put(key, once(facts.data))
            sha = meter.sha256 if facts.data is data else hashlib.sha256(facts.data).hexdigest()
        else:
            size = await store.put(key, rest_of(head, chunks, meter, ended))
            sha = meter.sha256
        attachment = Attachment(
            id=attachment_id, uploader_id=user_id, conversation_id=conversation_id, filename=clean_filename(filename),
            content_type=content_type, size=size, sha256=sha, width=width, height=height,
            thumbnail=thumbnail is not None, encrypted=encrypted, created_at=clock.now(),
        )
        try:
            if not scanned:  # stored as it came: scanned now that it is complete, read back
                await self.screen.check(lambda: store.open(key), user_id, f"attachment {attachment_id}",
                                        meter.sha256, meter.size)
            if thumbnail is not None:
                await store.put(keys.thumbnail_key(key), once(thumbnail))
            await self.attachments.add(attachment, key)
        except BaseException:
            await self._forget(key)
            raise
        return attachment

    async def _limit(self, user_id: str) -> tuple[int, TooLarge]:
        max_mb = self.config.limits.max_upload_mb
        limit, refuse = max_mb * MB, too_large(max_mb * MB, "upload_too_large", "Uploads are limited")
        quota = self.config.media.quota_mb_per_user * MB
        if quota:
            left = quota - await self.attachments.usage(user_id)
            if left < limit:
                limit = max(left, 0)
                refuse = too_large(quota, "quota_exceeded", "Your storage quota is used up: uploads are limited")
                if left <= 0:
                    raise refuse
        return limit, refuse

    async def _examine(self, data: bytes, content_type: str) -> images.ImageFacts:
        m = self.config.media
        try:
            return await self.decoder.examine(data, content_type, strip=m.strip_metadata)
        except images.BadImage as bad:
            raise UnprocessableImage(bad.detail, code=bad.code) from None

    async def _forget(self, key: str) -> None:
        store = self._store(key)
        await store.delete(key)
        await store.delete(keys.thumbnail_key(key))

    # -- reading ------------------------------------------------------------

    async def _readable(self, user_id: str, attachment_id: str) -> StoredAttachment:
        stored = await self.attachments.get(attachment_id)
        if stored is None or stored.message_deleted_at is not None:
            raise attachment_not_found()
        a = stored.attachment
        if a.message_id is None and a.uploader_id != user_id:
            raise attachment_not_found()  # not sent yet: only its uploader knows it
        if await self.conversations.member(a.conversation_id, user_id) is None:
            raise attachment_not_found()
        return stored

    async def info(self, user_id: str, attachment_id: str) -> Attachment:
        return (await self._readable(user_id, attachment_id)).attachment

    async def listing(self, user_id: str, conversation_id: str, *, ids: Collection[str] | None = None,
                      before: str | None = None, limit: int = 50) -> list[Attachment]:
        if await self.conversations.member(conversation_id, user_id) is None:
            raise conversation_not_found()
        if ids is not None and len(ids) > 100:
            raise Invalid("Ask for at most 100 ids at a time.", code="too_many_ids")
        return await self.attachments.of_conversation(conversation_id, ids=ids, before=before, limit=limit)

    async def download(self, user_id: str, attachment_id: str) -> Readable:
        stored = await self._readable(user_id, attachment_id)
        a = stored.attachment
        return Readable(key=stored.storage_key, size=a.size, content_type=a.content_type, filename=a.filename,
                        etag=f'"{a.sha256}"')

    async def thumbnail(self, user_id: str, attachment_id: str) -> Readable:
        stored = await self._readable(user_id, attachment_id)
        a = stored.attachment
        if not a.thumbnail:
            raise NotFound("This attachment has no thumbnail.", code="no_thumbnail")
        key = keys.thumbnail_key(stored.storage_key)
        info = await self._store(key).stat(key)
        if info is None:
            raise NotFound("This attachment has no thumbnail.", code="no_thumbnail")
        stem = a.filename.rsplit(".", 1)[0] or "thumbnail"
        return Readable(key=key, size=info.size, content_type=images.THUMB_TYPE, filename=f"{stem}.webp",
                        etag=f'"t-{a.sha256}"')

    async def open(self, readable: Readable, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        try:
            return await self._store(readable.key).open(readable.key, start, end)
        except BlobMissing:
            # A row without its bytes: someone removed files from the store by hand.
            log.warning("media: blob %s is missing from %s", readable.key, self.blobs.description)
            raise NotFound("The file's bytes are missing from the server's storage.", code="attachment_missing") from None
        except BlobCorrupt as err:
            # Tampered, cut, or sealed with a key no longer configured (a key
            # rotation that dropped media.previous_encryption_keys too early).
            # The sealed store checks the first chunk before returning: this
            # comes before any byte, so the user gets the same answer as for a
            # missing file, and the admin a line naming the blob.
            log.error("media: blob %s cannot be read: %s", readable.key, err)
            raise NotFound("The file's bytes are missing from the server's storage.", code="attachment_missing") from None

    async def link(self, readable: Readable, disposition: str) -> str | None:
        """A presigned URL to hand the browser instead of the bytes, when
        configured and possible (never for a blob sealed at rest)."""
        seconds = self.config.media.s3_presign_seconds
        if not seconds or keys.is_sealed(readable.key):
            return None
        # The store's host cannot add nosniff or a CSP: markup goes as bytes.
        return await self.blobs.link(readable.key, seconds=seconds, filename=readable.filename,
                                     content_type=served_type(readable.content_type), disposition=disposition)

    def _store(self, key: str) -> BlobStore:
        return store_for(key, self.blobs, self.sealed)
