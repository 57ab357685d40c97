"""Port: attachment bytes, stored under keys the media service derives from ids.

A small promise that hides its technology (a folder, S3): bytes go in as a
stream and come out as a stream, so memory never depends on a file's size.
Keys are plain ASCII paths made by chatd (`media/keys.py`), never by users.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator
from typing import Protocol

import msgspec

CHUNK = 256 * 1024  # what readers yield at most at a time


class BlobMissing(Exception):
    """No blob under that key (never stored, or deleted)."""


class BlobCorrupt(Exception):
    """The stored bytes fail their check (sealed blobs: tampered, truncated,
    reordered or sealed with another key): nothing unverified is returned."""


class BlobInfo(msgspec.Struct, frozen=True):
    key: str
    size: int
    modified: float  # seconds since the epoch


class BlobStore(Protocol):
    # Where the bytes are, for messages to the admin ("folder ./data/media").
    description: str

    async def put(self, key: str, chunks: AsyncIterable[bytes]) -> int:
        """Store every chunk under `key`, replacing what was there; visible only
        once complete (a crash or an exception from `chunks` leaves nothing
        under `key`). Returns the number of bytes stored."""
        ...

    async def open(self, key: str, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        """The bytes [start, end) (end None: to the end) as chunks of at most
        CHUNK bytes. Raises BlobMissing at once (before any chunk) if absent."""
        ...

    async def stat(self, key: str) -> BlobInfo | None: ...

    async def delete(self, key: str) -> None:
        """Remove the blob; a missing one is fine."""
        ...

    def list(self, prefix: str = "") -> AsyncIterator[BlobInfo]:
        """Every stored blob whose key starts with `prefix`, with size and time
        (the orphan sweep and `chatd media migrate` walk this)."""
        ...

    async def link(self, key: str, *, seconds: int, filename: str, content_type: str,
                   disposition: str) -> str | None:
        """A short-lived URL a browser may fetch the blob from directly, answered
        with this Content-Type and Content-Disposition (the whole header value),
        or None when the store cannot make one."""
        ...

    async def sweep(self, older_than: float) -> int:
        """Remove what interrupted puts left behind (temporary files, incomplete
        multipart uploads) started more than `older_than` seconds ago; returns
        how many. Never touches a complete blob."""
        ...

    async def check(self) -> None:
        """Raise if the store does not answer (/readyz)."""
        ...

    async def close(self) -> None: ...


class SealingBlobStore(BlobStore, Protocol):
    """A store encrypting at rest over `inner`, which holds the ciphertext
    (`chatd media reseal` copies that as it is, once verified)."""

    inner: BlobStore

    async def sealed_with_current(self, key: str) -> bool:
        """True when the current key sealed this blob; False when an older
        key (or none configured) did. Raises BlobMissing if absent."""
        ...

    async def rewrap(self, key: str, into: str) -> bool:
        """Writes `into`: `key` with its data key wrapped by the current key,
        its chunks as stored; False (nothing written) when `key` has no data
        key of its own (sealed before envelopes: seal it anew)."""
        ...

    async def stored_digest(self, key: str) -> bytes:
        """The sha256 of `key`'s chunks as stored, its header aside."""
        ...
