"""Media that must go, and goes: uploads never sent (after media.unbound_hours),
attachments of deleted messages (after media.deleted_grace_minutes), old ones
(media.retention_days), blobs no row knows (an upload that crashed between
storing its bytes and recording them), and leftovers of interrupted writes.

Avatars no person or group shows any more go too (replaced ones are deleted
at once; these are what a crash or a PATCH /me clearing it left).

Rows go first, in one atomic step per batch, then their bytes: a download
never finds a row whose bytes were deleted on purpose, and a crash in
between leaves only orphans, which the next round sweeps.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

import msgspec

from chatd import clock
from chatd.config import Config
from chatd.ids import decode_time
from chatd.services.media import keys
from chatd.storage.ports.attachments import AttachmentStore
from chatd.storage.ports.blobs import BlobStore

log = logging.getLogger("chatd.media")

BATCH = 500
EVERY = 3600.0
FIRST_AFTER = 60.0
# A blob younger than this may belong to an upload still being recorded.
ORPHAN_AGE = timedelta(hours=1)


class Swept(msgspec.Struct, kw_only=True):
    attachments: int = 0
    bytes: int = 0
    orphans: int = 0
    partials: int = 0


class Janitor:
    def __init__(self, config: Config, attachments: AttachmentStore, blobs: BlobStore):
        self.media = config.media
        self.attachments = attachments
        self.blobs = blobs

    async def run_once(self, now: datetime | None = None) -> Swept:
        now = now or clock.now()
        m = self.media
        swept = Swept()
        while True:
            batch = await self.attachments.take_expired(
                unbound_before=now - timedelta(hours=m.unbound_hours),
                deleted_before=now - timedelta(minutes=m.deleted_grace_minutes),
                created_before=now - timedelta(days=m.retention_days) if m.retention_days else None,
                limit=BATCH,
            )
            for gone in batch:
                await self._delete(gone.storage_key, gone.thumbnail)
                swept.attachments += 1
                swept.bytes += gone.size
            if len(batch) < BATCH:
                break
        swept.orphans = await self._orphans(now, "att/", self.attachments.known)
        swept.orphans += await self._orphans(now, "avatar/", self.attachments.avatars_in_use)
        swept.partials = await self.blobs.sweep(ORPHAN_AGE.total_seconds())
        return swept

    async def _delete(self, key: str, thumbnail: bool) -> None:
        await self.blobs.delete(key)
        if thumbnail:
            await self.blobs.delete(keys.thumbnail_key(key))

    async def _orphans(self, now: datetime, prefix: str, in_use) -> int:
        """Blobs under `prefix` whose id nothing refers to (no attachment row;
        no user or group showing the avatar), made over ORPHAN_AGE ago."""
        cutoff = now - ORPHAN_AGE
        found = 0
        batch: dict[str, list[str]] = {}

        async def settle() -> int:
            known = await in_use(batch)
            stale = [key for attachment_id, ks in batch.items() if attachment_id not in known for key in ks]
            for key in stale:
                await self.blobs.delete(key)
            batch.clear()
            return len(stale)

        async for info in self.blobs.list(prefix):
            made = decode_time(keys.id_of(info.key))
            if made is None or made >= cutoff:
                continue
            batch.setdefault(keys.id_of(info.key), []).append(info.key)
            if len(batch) >= BATCH:
                found += await settle()
        if batch:
            found += await settle()
        return found


async def sweep_forever(janitor: Janitor, *, every: float = EVERY, first_after: float = FIRST_AFTER) -> None:
    await asyncio.sleep(first_after)
    while True:
        try:
            swept = await janitor.run_once()
            if swept.attachments or swept.orphans or swept.partials:
                log.info("media: removed %d attachments (%d bytes), %d orphan blobs, %d partial writes",
                         swept.attachments, swept.bytes, swept.orphans, swept.partials)
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - try again next round
            log.exception("media janitor failed")
        await asyncio.sleep(every)
