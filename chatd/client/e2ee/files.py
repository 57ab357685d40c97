"""Encrypted files for `E2ee`: sealed while read from disk and uploaded,
opened while downloaded; the key, nonce prefix, name, type, size and SHA-256
travel inside the message's envelope, the server sees only sizes."""

from __future__ import annotations

import asyncio
import hashlib
import mimetypes
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from chatd.client.api import Client
from chatd.client.e2ee.attachments import FileSealer, sealed_size, unseal
from chatd.client.e2ee.codec import Undecryptable, b64, unb64
from chatd.client.e2ee.thumbnails import IMAGE_TYPES, MAX_SOURCE_BYTES, make_thumbnail
from chatd.client.errors import ChatdError
from chatd.client.http import API
from chatd.client.media import CHUNK, Progress

# What the server keeps as the file's name: the real one is in the envelope.
STORED_NAME = "encrypted.bin"


async def _read(source: Path | bytes) -> AsyncIterator[bytes]:
    if isinstance(source, bytes):
        for start in range(0, len(source), CHUNK):
            yield source[start:start + CHUNK]
        return
    with source.open("rb") as f:
        while piece := await asyncio.to_thread(f.read, CHUNK):
            yield piece


class EncryptedFiles:
    client: Client

    async def upload(self, conversation_id: str, source: str | os.PathLike[str] | bytes, *, name: str | None = None,
                     content_type: str | None = None, progress: Progress | None = None) -> dict[str, Any]:
        """Encrypt and upload a file; the answer is its `attachments` entry for
        the payload of the message that sends it (E2ee.send(..., attachments=))."""
        data = source if isinstance(source, bytes) else Path(source)
        size = len(data) if isinstance(data, bytes) else data.stat().st_size
        name = name or (data.name if isinstance(data, Path) else "file")
        kind = content_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
        entry: dict[str, Any] = {}
        if kind in IMAGE_TYPES and size <= MAX_SOURCE_BYTES:
            raw = data if isinstance(data, bytes) else await asyncio.to_thread(data.read_bytes)
            thumb = await asyncio.to_thread(make_thumbnail, raw)
            if thumb is not None:
                small = await self._put(conversation_id, thumb.data, len(thumb.data))
                entry = {"width": thumb.width, "height": thumb.height,
                         "thumb": {"id": small["id"], "key": small["key"], "nonce": small["nonce"],
                                   "type": thumb.type, "width": thumb.thumb_width, "height": thumb.thumb_height}}
        main = await self._put(conversation_id, data, size, progress)
        return {**main, "name": name, "type": kind, "size": size, **entry}

    async def _put(self, conversation_id: str, data: Path | bytes, size: int,
                   progress: Progress | None = None) -> dict[str, Any]:
        sealer = FileSealer()
        stored = await self.client.upload_stream(conversation_id, sealer.seal(_read(data)), sealed_size(size),
                                                 filename=STORED_NAME, progress=progress, encrypted=True)
        return {"id": stored.id, "key": b64(sealer.key), "nonce": b64(sealer.prefix), "sha256": sealer.sha256}

    async def thumbnail(self, entry: dict[str, Any]) -> bytes | None:
        """An image's thumbnail (WebP bytes), None when it has none."""
        thumb = entry.get("thumb")
        if not isinstance(thumb, dict):
            return None
        return await self._fetch(thumb, None, check=False)  # type: ignore[return-value]

    async def download(self, entry: dict[str, Any], dest: str | os.PathLike[str] | None = None) -> bytes | Path:
        """A file of an opened message (`Readable.attachments` entry), decrypted
        and checked against its size and SHA-256: the bytes, or written to
        `dest` (a file path). Undecryptable when anything does not match;
        a partly written `dest` is then removed."""
        return await self._fetch(entry, dest, check=True)

    async def _fetch(self, entry: dict[str, Any], dest: str | os.PathLike[str] | None, *,
                     check: bool) -> bytes | Path:
        # Every chunk is authenticated; `check` adds the size and SHA-256 a
        # file entry names (a thumbnail entry names neither).
        try:
            key, prefix = unb64(entry["key"], 32), unb64(entry["nonce"], 16)
        except (KeyError, ValueError):
            raise Undecryptable("the file's key is malformed") from None
        digest, size, out = hashlib.sha256(), 0, bytearray()
        target = Path(dest) if dest is not None else None
        sink = target.open("wb") if target is not None else None
        try:
            async with self.client.http.stream("GET", f"{API}/attachments/{entry['id']}",
                                               headers=self.client._auth()) as response:
                if response.status_code >= 400:
                    raise ChatdError.of_response(response.status_code, await response.aread())
                async for plain in unseal(response.aiter_bytes(CHUNK), key, prefix):
                    digest.update(plain)
                    size += len(plain)
                    if sink is not None:
                        await asyncio.to_thread(sink.write, plain)
                    else:
                        out += plain
            if check and (size != entry.get("size") or digest.hexdigest() != entry.get("sha256")):
                raise Undecryptable("the file does not match its size or SHA-256")
        except BaseException:
            if sink is not None:
                sink.close()
                target.unlink(missing_ok=True)
            raise
        if sink is not None:
            sink.close()
            return target
        return bytes(out)
