"""Encryption at rest around any blob store (media.encryption_key), for people
who keep media on someone else's disk or S3.

Layout of a sealed blob: HEADER (magic, version, a random 16-byte prefix),
then the plaintext in PLAIN-byte chunks, each sealed with SecretBox
(XSalsa20-Poly1305, +16 bytes) under nonce = prefix || i as 8 bytes big-endian,
whose top bit marks the final chunk. So a chunk moved elsewhere, a blob cut at
a chunk boundary or a header from another blob fails authentication. Fixed
chunks keep streaming and ranges cheap: a range reads only the chunks that
cover it, and every size maps to the other by arithmetic.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterable, AsyncIterator

from nacl.exceptions import CryptoError
from nacl.secret import SecretBox

from chatd.storage.ports.blobs import BlobCorrupt, BlobInfo, BlobMissing, BlobStore

MAGIC = b"CDSB"
VERSION = 1
PREFIX = 16
HEADER = len(MAGIC) + 1 + PREFIX
PLAIN = 64 * 1024
MAC = SecretBox.MACBYTES
SEALED = PLAIN + MAC
FINAL = 1 << 63


def chunk_count(sealed_size: int) -> int:
    return max(1, -(-(sealed_size - HEADER) // SEALED))


def plain_size(sealed_size: int) -> int:
    """The plaintext size a sealed blob of this many bytes holds."""
    return max(0, sealed_size - HEADER - MAC * chunk_count(sealed_size))


def _valid(sealed_size: int) -> bool:
    # An empty plaintext is one empty final chunk; otherwise every chunk holds
    # at least a byte (so the last one is longer than its MAC).
    body = sealed_size - HEADER
    return body == MAC or (body > MAC and (body % SEALED == 0 or body % SEALED > MAC))


def _nonce(prefix: bytes, index: int, final: bool) -> bytes:
    return prefix + (index | (FINAL if final else 0)).to_bytes(8, "big")


class SealedBlobStore:
    def __init__(self, inner: BlobStore, key: bytes):
        if len(key) != SecretBox.KEY_SIZE:
            raise ValueError("the media encryption key must be 32 bytes")
        self.inner = inner
        self._box = SecretBox(key)
        self.description = f"sealed {inner.description}"

    async def put(self, key: str, chunks: AsyncIterable[bytes]) -> int:
        counted = [0]
        await self.inner.put(key, self._seal(chunks, counted))
        return counted[0]

    async def _seal(self, chunks: AsyncIterable[bytes], counted: list[int]) -> AsyncIterator[bytes]:
        prefix = os.urandom(PREFIX)
        yield MAGIC + bytes([VERSION]) + prefix
        buf = bytearray()
        index = 0
        async for chunk in chunks:
            buf += chunk
            counted[0] += len(chunk)
            # Strictly more than a chunk: this one is not the final one.
            while len(buf) > PLAIN:
                yield self._box.encrypt(bytes(buf[:PLAIN]), _nonce(prefix, index, False)).ciphertext
                del buf[:PLAIN]
                index += 1
        yield self._box.encrypt(bytes(buf), _nonce(prefix, index, True)).ciphertext

    async def open(self, key: str, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        info = await self.inner.stat(key)
        if info is None:
            raise BlobMissing(key)
        if not _valid(info.size):
            raise BlobCorrupt(f"{key}: {info.size} bytes is no sealed blob's size (truncated?)")
        size = plain_size(info.size)
        end = size if end is None else min(end, size)
        if start >= end and size:
            return _empty()  # nothing asked for, nothing unverified returned
        # An empty blob is still read: its one empty final chunk proves it was not cut.
        first, last = start // PLAIN, max(start, end - 1) // PLAIN
        cend = min(HEADER + (last + 1) * SEALED, info.size)
        if first == 0:
            stream = await self.inner.open(key, 0, cend)
            prefix = None  # read from the stream itself
        else:
            prefix = _prefix(key, await _collect(await self.inner.open(key, 0, HEADER)))
            stream = await self.inner.open(key, HEADER + first * SEALED, cend)
        return self._unseal(key, stream, prefix, first, last, chunk_count(info.size),
                            start - first * PLAIN, end - last * PLAIN)

    async def _unseal(self, key: str, stream: AsyncIterator[bytes], prefix: bytes | None, first: int,
                      last: int, count: int, skip: int, keep: int) -> AsyncIterator[bytes]:
        try:
            buf = bytearray()
            index = first
            need = HEADER if prefix is None else SEALED
            async for piece in stream:
                buf += piece
                while index <= last and len(buf) >= need:
                    if prefix is None:
                        prefix = _prefix(key, bytes(buf[:HEADER]))
                        del buf[:HEADER]
                    else:
                        plain = self._open_chunk(key, bytes(buf[:need]), prefix, index, index == count - 1)
                        del buf[:need]
                        if piece := plain[skip if index == first else 0:keep if index == last else None]:
                            yield piece
                        index += 1
                    need = SEALED
                if index > last:
                    return
            if prefix is not None and index == last and len(buf) and index == count - 1:
                # The final chunk is shorter than the others.
                plain = self._open_chunk(key, bytes(buf), prefix, index, True)
                if piece := plain[skip if index == first else 0:keep]:
                    yield piece
                return
            raise BlobCorrupt(f"{key}: the sealed blob ended early (truncated or replaced while read)")
        finally:
            await stream.aclose()  # an early stop closes the inner read too

    def _open_chunk(self, key: str, sealed: bytes, prefix: bytes, index: int, final: bool) -> bytes:
        try:
            return self._box.decrypt(sealed, _nonce(prefix, index, final))
        except CryptoError:
            raise BlobCorrupt(f"{key}: chunk {index} fails authentication (tampered, or another key)") from None

    async def stat(self, key: str) -> BlobInfo | None:
        info = await self.inner.stat(key)
        return None if info is None else BlobInfo(info.key, plain_size(info.size), info.modified)

    async def delete(self, key: str) -> None:
        await self.inner.delete(key)

    async def list(self, prefix: str = "") -> AsyncIterator[BlobInfo]:
        async for info in self.inner.list(prefix):
            yield BlobInfo(info.key, plain_size(info.size), info.modified)

    async def link(self, key: str, *, seconds: int, filename: str, content_type: str,
                   disposition: str) -> str | None:
        return None  # the store holds ciphertext: only chatd can serve the plaintext

    async def sweep(self, older_than: float) -> int:
        return await self.inner.sweep(older_than)

    async def check(self) -> None:
        await self.inner.check()

    async def close(self) -> None:
        await self.inner.close()


def _prefix(key: str, header: bytes) -> bytes:
    if len(header) != HEADER or header[:len(MAGIC)] != MAGIC:
        raise BlobCorrupt(f"{key}: not a sealed blob")
    if header[len(MAGIC)] != VERSION:
        raise BlobCorrupt(f"{key}: sealed with an unknown format version {header[len(MAGIC)]}")
    return header[len(MAGIC) + 1:]


async def _collect(stream: AsyncIterator[bytes]) -> bytes:
    return b"".join([piece async for piece in stream])


async def _empty() -> AsyncIterator[bytes]:
    return
    yield
