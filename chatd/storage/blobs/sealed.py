"""Encryption at rest around any blob store (media.encryption_key), for people
who keep media on someone else's disk or S3.

Layout of a sealed blob: a header, then the plaintext in PLAIN-byte chunks,
each sealed with SecretBox (XSalsa20-Poly1305, +16 bytes) under nonce =
prefix || i as 8 bytes big-endian, whose top bit marks the final chunk. So a
chunk moved elsewhere, a blob cut at a chunk boundary or a header from
another blob fails authentication. Fixed chunks keep streaming and ranges
cheap: a range reads only the chunks that cover it.

Version 3, written now (envelope encryption, ASVS 6.4.2): each blob has a
fresh data key; the header holds it wrapped by the master key (MAGIC,
version, the wrapped key, whose first KEY_ID bytes name the master key, then
a 16-byte random prefix). The key ring (chatd/keys/) makes and unwraps data
keys: this store never sees a master key, only one blob's data key while it
reads or writes that blob, one ring call per blob, none per chunk. Rotation
re-wraps the data key (`rewrap`): the chunks are copied as they are.

Versions 1 and 2 (before envelopes) sealed every chunk with the master key
itself: a LEGACY_HEADER of MAGIC, version, 16-byte prefix (version 2 starting
it with the key's id). They still open, chunk by chunk through the ring
(with the key process: one round trip per chunk, until `chatd media reseal`
moves them to version 3). A blob's size maps to its plaintext size by
arithmetic once its version is known (stat reads the first bytes).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable

from nacl.exceptions import CryptoError
from nacl.secret import SecretBox

from chatd.keys.crypto import KEY_ID, WRAPPED
from chatd.keys.crypto import media_key_id as key_id
from chatd.keys.ring import KeyRing
from chatd.storage.ports.blobs import BlobCorrupt, BlobInfo, BlobMissing, BlobStore

MAGIC = b"CDSB"
VERSION = 3
VERSIONS = (1, 2, 3)
PREFIX = 16
LEGACY_HEADER = len(MAGIC) + 1 + PREFIX  # versions 1 and 2
HEADER = len(MAGIC) + 1 + WRAPPED + PREFIX  # version 3
PLAIN = 64 * 1024
MAC = SecretBox.MACBYTES
SEALED = PLAIN + MAC
FINAL = 1 << 63

Opener = Callable[[int, bool, bytes], Awaitable[bytes]]  # (chunk index, final, sealed chunk) -> plaintext


def header_size(version: int) -> int:
    return HEADER if version == VERSION else LEGACY_HEADER


def chunk_count(sealed_size: int, header: int = HEADER) -> int:
    return max(1, -(-(sealed_size - header) // SEALED))


def plain_size(sealed_size: int, header: int = HEADER) -> int:
    """The plaintext size a sealed blob of this many bytes holds."""
    return max(0, sealed_size - header - MAC * chunk_count(sealed_size, header))


def _valid(sealed_size: int, header: int) -> bool:
    # An empty plaintext is one empty final chunk; otherwise every chunk holds
    # at least a byte (so the last one is longer than its MAC).
    body = sealed_size - header
    return body == MAC or (body > MAC and (body % SEALED == 0 or body % SEALED > MAC))


def _nonce(prefix: bytes, index: int, final: bool) -> bytes:
    return prefix + (index | (FINAL if final else 0)).to_bytes(8, "big")


class SealedBlobStore:
    def __init__(self, inner: BlobStore, keys: KeyRing):
        self.inner = inner
        self.keys = keys
        self.description = f"sealed {inner.description}"

    async def _version(self, key: str) -> int:
        try:
            head = await _collect(await self.inner.open(key, 0, len(MAGIC) + 1))
        except BlobMissing:  # gone meanwhile: its caller finds out next
            return VERSION
        return head[len(MAGIC)] if len(head) == len(MAGIC) + 1 and head[:len(MAGIC)] == MAGIC else VERSION

    async def sealed_with_current(self, key: str) -> bool:
        """True when `key` is an envelope whose data key the current master
        key wraps (and no previous key shares its id); False for anything
        else, even garbage: `chatd media reseal` then moves it."""
        header = await _collect(await self.inner.open(key, 0, HEADER))
        ids = self.keys.info.media_ids
        kid = header[len(MAGIC) + 1:len(MAGIC) + 1 + KEY_ID]
        return (len(header) == HEADER and header[:len(MAGIC)] == MAGIC and header[len(MAGIC)] == VERSION
                and bool(ids) and kid == ids[0] and ids.count(kid) == 1)

    async def put(self, key: str, chunks: AsyncIterable[bytes]) -> int:
        data_key, wrapped = await self.keys.new_data_key()  # before anything is written: a ring away writes nothing
        counted = [0]
        await self.inner.put(key, self._seal(SecretBox(data_key), wrapped, chunks, counted))
        return counted[0]

    async def _seal(self, box: SecretBox, wrapped: bytes, chunks: AsyncIterable[bytes],
                    counted: list[int]) -> AsyncIterator[bytes]:
        prefix = os.urandom(PREFIX)
        yield MAGIC + bytes([VERSION]) + wrapped + prefix
        buf = bytearray()
        index = 0
        async for chunk in chunks:
            buf += chunk
            counted[0] += len(chunk)
            # Strictly more than a chunk: this one is not the final one.
            while len(buf) > PLAIN:
                yield box.encrypt(bytes(buf[:PLAIN]), _nonce(prefix, index, False)).ciphertext
                del buf[:PLAIN]
                index += 1
        yield box.encrypt(bytes(buf), _nonce(prefix, index, True)).ciphertext

    async def rewrap(self, key: str, into: str) -> bool:
        """Rotation of an envelope: `into` gets `key`'s chunks as stored under
        a header whose data key the current master key wraps. False (nothing
        written) for a blob sealed before envelopes: it must be sealed anew."""
        header = await _collect(await self.inner.open(key, 0, HEADER))
        if len(header) != HEADER or header[:len(MAGIC)] != MAGIC or header[len(MAGIC)] != VERSION:
            return False
        wrapped = await self.keys.rewrap(header[len(MAGIC) + 1:len(MAGIC) + 1 + WRAPPED])
        if wrapped is None:
            raise BlobCorrupt(f"{key}: its data key opens with no configured media key")

        async def copy() -> AsyncIterator[bytes]:
            yield header[:len(MAGIC) + 1] + wrapped + header[len(MAGIC) + 1 + WRAPPED:]
            async for piece in await self.inner.open(key, HEADER):
                yield piece

        await self.inner.put(into, copy())
        return True

    async def stored_digest(self, key: str) -> bytes:
        """The sha256 of `key`'s chunks as stored (its header aside): what a rewrap keeps."""
        digest = hashlib.sha256()
        async for piece in await self.inner.open(key, header_size(await self._version(key))):
            digest.update(piece)
        return digest.digest()

    async def open(self, key: str, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        info = await self.inner.stat(key)
        if info is None:
            raise BlobMissing(key)
        head = await _collect(await self.inner.open(key, 0, HEADER))  # a version-3 header, or more than the older one
        header = header_size(head[len(MAGIC)] if len(head) > len(MAGIC) and head[:len(MAGIC)] == MAGIC else VERSION)
        if not _valid(info.size, header):
            raise BlobCorrupt(f"{key}: {info.size} bytes is no sealed blob's size (truncated?)")
        size = plain_size(info.size, header)
        end = size if end is None else min(end, size)
        if start >= end and size:
            return _empty()  # nothing asked for, nothing unverified returned
        # An empty blob is still read: its one empty final chunk proves it was not cut.
        first, last = start // PLAIN, max(start, end - 1) // PLAIN
        cend = min(header + (last + 1) * SEALED, info.size)
        opener = await self._opener(key, head[:header])
        stream = await self.inner.open(key, header + first * SEALED, cend)
        pieces = self._unseal(key, stream, opener, first, last, chunk_count(info.size, header),
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

    async def _unseal(self, key: str, stream: AsyncIterator[bytes], opener: Opener, first: int, last: int,
                      count: int, skip: int, keep: int) -> AsyncIterator[bytes]:
        try:
            buf = bytearray()
            index = first
            async for piece in stream:
                buf += piece
                while index <= last and len(buf) >= SEALED:
                    plain = await opener(index, index == count - 1, bytes(buf[:SEALED]))
                    del buf[:SEALED]
                    if piece := plain[skip if index == first else 0:keep if index == last else None]:
                        yield piece
                    index += 1
                if index > last:
                    return
            if index == last and len(buf) and index == count - 1:
                # The final chunk is shorter than the others.
                plain = await opener(index, True, bytes(buf))
                if piece := plain[skip if index == first else 0:keep]:
                    yield piece
                return
            raise BlobCorrupt(f"{key}: the sealed blob ended early (truncated or replaced while read)")
        finally:
            await stream.aclose()  # an early stop closes the inner read too

    async def _opener(self, key: str, header: bytes) -> Opener:
        """How this blob's chunks open: with its data key (one unwrap, now), or
        for a blob from before envelopes, each chunk through the ring."""
        if len(header) < LEGACY_HEADER or header[:len(MAGIC)] != MAGIC:
            raise BlobCorrupt(f"{key}: not a sealed blob")
        version = header[len(MAGIC)]
        if version not in VERSIONS:
            raise BlobCorrupt(f"{key}: sealed with an unknown format version {version}")
        # Which keys there are is the ring's to say (the key process may have
        # rotated since this process started): it is asked, never guessed here.
        kid = header[len(MAGIC) + 1:len(MAGIC) + 1 + KEY_ID].hex()
        if version == VERSION:
            opened = await self.keys.unwrap(header[len(MAGIC) + 1:len(MAGIC) + 1 + WRAPPED])
            if opened is None:
                raise BlobCorrupt(f"{key}: its data key opens with neither media.encryption_key nor one of "
                                  f"media.previous_encryption_keys (key id {kid}), or its header was tampered with")
            box, prefix = SecretBox(opened[1]), header[-PREFIX:]

            async def chunk(index: int, final: bool, sealed: bytes) -> bytes:
                try:
                    return box.decrypt(sealed, _nonce(prefix, index, final))
                except CryptoError:
                    raise BlobCorrupt(f"{key}: chunk {index} fails authentication (tampered)") from None
            return chunk
        prefix = header[len(MAGIC) + 1:LEGACY_HEADER]

        async def legacy(index: int, final: bool, sealed: bytes) -> bytes:
            plain = await self.keys.open_legacy(version, prefix, _nonce(prefix, index, final), sealed)
            if plain is None:
                raise BlobCorrupt(f"{key}: chunk {index} opens with no configured media key (tampered, or a key "
                                  f"that is neither media.encryption_key nor a previous one; version {version})")
            return plain
        return legacy

    async def stat(self, key: str) -> BlobInfo | None:
        info = await self.inner.stat(key)
        if info is None:
            return None
        return BlobInfo(info.key, plain_size(info.size, header_size(await self._version(key))), info.modified)

    async def delete(self, key: str) -> None:
        await self.inner.delete(key)

    async def list(self, prefix: str = "") -> AsyncIterator[BlobInfo]:
        async for info in self.inner.list(prefix):
            yield BlobInfo(info.key, plain_size(info.size, header_size(await self._version(info.key))), info.modified)

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
