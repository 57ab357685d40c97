"""An upload's bytes as they pass: counted against the limit (refused the
moment they exceed it, not after storing them), hashed, and the first bytes
kept for sniffing."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator

from chatd.errors import TooLarge

MB = 1024 * 1024


def too_large(limit: int, code: str, what: str) -> TooLarge:
    """413 naming the limit: "Uploads are limited to 50 MB." (+ max_bytes)."""
    mb = limit / MB
    shown = f"{mb:.0f} MB" if mb == int(mb) else f"{mb:.1f} MB"
    return TooLarge(f"{what} to {shown}.", code=code, extra={"max_bytes": limit})


class Meter:
    def __init__(self, limit: int, refuse: TooLarge):
        self.limit, self.refuse = limit, refuse
        self.size = 0
        self.digest = hashlib.sha256()

    def feed(self, chunk: bytes) -> bytes:
        self.size += len(chunk)
        if self.size > self.limit:
            raise self.refuse
        self.digest.update(chunk)
        return chunk

    @property
    def sha256(self) -> str:
        return self.digest.hexdigest()


async def head_of(chunks: AsyncIterator[bytes], want: int, meter: Meter) -> tuple[bytes, bool]:
    """Read until `want` bytes (or the end): (those bytes, whether the end came)."""
    parts: list[bytes] = []
    got = 0
    async for chunk in chunks:
        if chunk:
            parts.append(meter.feed(chunk))
            got += len(chunk)
            if got >= want:
                return b"".join(parts), False
    return b"".join(parts), True


async def rest_of(head: bytes, chunks: AsyncIterator[bytes], meter: Meter, ended: bool) -> AsyncIterator[bytes]:
    """The head, then every further chunk through the meter."""
    if head:
        yield head
    if ended:
        return
    async for chunk in chunks:
        if chunk:
            yield meter.feed(chunk)


async def gather(head: bytes, chunks: AsyncIterator[bytes], meter: Meter, ended: bool) -> bytes:
    """The whole upload in memory (images only, bounded by the meter's limit)."""
    parts = [head]
    if not ended:
        async for chunk in chunks:
            if chunk:
                parts.append(meter.feed(chunk))
    return b"".join(parts)


async def once(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def opened(data: bytes) -> AsyncIterator[bytes]:
    """Bytes held in memory, opened like a stored blob (BlobStore.open)."""
    return once(data)
