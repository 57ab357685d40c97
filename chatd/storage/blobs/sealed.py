"""Encryption at rest around any blob store (media.encryption_key), for people
who keep media on someone else's disk or S3.

Layout of a sealed blob: HEADER (magic, version, a 16-byte prefix), then
the plaintext in PLAIN-byte chunks, each sealed with SecretBox
(XSalsa20-Poly1305, +16 bytes) under nonce = prefix || i as 8 bytes big-endian,
whose top bit marks the final chunk. So a chunk moved elsewhere, a blob cut at
a chunk boundary or a header from another blob fails authentication. Fixed
chunks keep streaming and ranges cheap: a range reads only the chunks that
cover it, and every size maps to the other by arithmetic.

Rotation (ASVS 6.4.1): version 2, written now, starts its prefix with
KEY_ID bytes naming the key (a keyed hash of it, never the key) and 12
random ones; version 1 (before rotation existed) has 16 random bytes and is
opened by trying each configured key on its first chunk. Both headers are
HEADER bytes long, so sizes map the same for both. `previous` keys only
open; new blobs are sealed with the current key (`chatd media reseal`
moves the old ones, services/media/reseal.py).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import AsyncIterable, AsyncIterator, Sequence

from nacl.exceptions import CryptoError
from nacl.secret import SecretBox

from chatd.storage.ports.blobs import BlobCorrupt, BlobInfo, BlobMissing, BlobStore

MAGIC = b"CDSB"
VERSION = 2
VERSIONS = (1, 2)
PREFIX = 16
KEY_ID = 4  # of the prefix, in version 2; a clash only means one more key tried
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


def key_id(key: bytes) -> bytes:
    """What a version-2 header names `key` by: a keyed hash, useless for finding the key."""
    return hashlib.blake2b(b"chatd media key id", key=key, digest_size=KEY_ID).digest()


def _nonce(prefix: bytes, index: int, final: bool) -> bytes:
    return prefix + (index | (FINAL if final else 0)).to_bytes(8, "big")


class SealedBlobStore:
    def __init__(self, inner: BlobStore, key: bytes, previous: Sequence[bytes] = ()):
        keys = [key] + [k for k in previous if k != key]
        if any(len(k) != SecretBox.KEY_SIZE for k in keys):
            raise ValueError("the media encryption key must be 32 bytes")
        self.inner = inner
        self._box = SecretBox(key)
        self._id = key_id(key)
        # (id, box) of every key that opens, the current one first.
        self._keys = [(key_id(k), SecretBox(k)) for k in keys]
        self.description = f"sealed {inner.description}"

    async def sealed_with_current(self, key: str) -> bool:
        """True when the current key sealed `key` (its header names it and no
        previous key shares the id); False for anything else, even garbage."""
        header = await _collect(await self.inner.open(key, 0, HEADER))
        return (len(header) == HEADER and header[:len(MAGIC)] == MAGIC and header[len(MAGIC)] == VERSION
                and header[len(MAGIC) + 1:len(MAGIC) + 1 + KEY_ID] == self._id
                and [i for i, _ in self._keys].count(self._id) == 1)

    async def put(self, key: str, chunks: AsyncIterable[bytes]) -> int:
        counted = [0]
        await self.inner.put(key, self._seal(chunks, counted))
        return counted[0]

    async def _seal(self, chunks: AsyncIterable[bytes], counted: list[int]) -> AsyncIterator[bytes]:
        prefix = self._id + os.urandom(PREFIX - KEY_ID)
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
            prefix = self._prefix(key, await _collect(await self.inner.open(key, 0, HEADER)))
            stream = await self.inner.open(key, HEADER + first * SEALED, cend)
        pieces = self._unseal(key, stream, prefix, first, last, chunk_count(info.size),
                              start - first * PLAIN, end - last * PLAIN)
        # The first chunk is opened now, before any byte goes out: a blob no
        # configured key opens (or tampered at its start) fails here, where the
        # caller can still answer with an error instead of a cut response.
        try:
            head = await anext(pieces)
        except StopAsyncIteration:
            return _empty()
        except BaseException:
            await pieces.aclose()
            raise
        return _chain(head, pieces)

    async def _unseal(self, key: str, stream: AsyncIterator[bytes], prefix: tuple[bytes, list] | None,
                      first: int, last: int, count: int, skip: int, keep: int) -> AsyncIterator[bytes]:
        try:
            buf = bytearray()
            index = first
            need = HEADER if prefix is None else SEALED
            async for piece in stream:
                buf += piece
                while index <= last and len(buf) >= need:
                    if prefix is None:
                        prefix = self._prefix(key, bytes(buf[:HEADER]))
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

    def _open_chunk(self, key: str, sealed: bytes, prefix: tuple[bytes, list], index: int, final: bool) -> bytes:
        nonce, boxes = prefix
        for box in list(boxes):
            try:
                plain = box.decrypt(sealed, _nonce(nonce, index, final))
            except CryptoError:
                continue
            boxes[:] = [box]  # the key that opened one chunk opens the rest: no more guessing
            return plain
        raise BlobCorrupt(f"{key}: chunk {index} fails authentication (tampered, or another key)")

    def _prefix(self, key: str, header: bytes) -> tuple[bytes, list]:
        """The header's nonce prefix and the boxes that may open the blob."""
        if len(header) != HEADER or header[:len(MAGIC)] != MAGIC:
            raise BlobCorrupt(f"{key}: not a sealed blob")
        version, prefix = header[len(MAGIC)], header[len(MAGIC) + 1:]
        if version not in VERSIONS:
            raise BlobCorrupt(f"{key}: sealed with an unknown format version {version}")
        if version == 1:  # no key named: each configured key in turn
            return prefix, [box for _, box in self._keys]
        boxes = [box for kid, box in self._keys if kid == prefix[:KEY_ID]]
        if not boxes:
            raise BlobCorrupt(f"{key}: sealed with a key that is neither media.encryption_key nor one of "
                              f"media.previous_encryption_keys (key id {prefix[:KEY_ID].hex()})")
        return prefix, boxes

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


async def _collect(stream: AsyncIterator[bytes]) -> bytes:
    return b"".join([piece async for piece in stream])


async def _chain(head: bytes, rest: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    try:
        yield head
        async for piece in rest:
            yield piece
    finally:
        await rest.aclose()


async def _empty() -> AsyncIterator[bytes]:
    return
    yield
