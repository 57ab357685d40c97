"""Files in encrypted conversations (docs/e2ee.md, Attachments): a fresh file
key F and nonce prefix R; plaintext chunks of 64 KiB, chunk i sealed with
the nonce R + u32_be(i) + u32_be(last). A reordered, missing or cut chunk
fails to open. Streamed both ways: memory does not grow with the file.
An empty file is one empty chunk (16 bytes uploaded)."""

from __future__ import annotations

import hashlib
import struct
from collections.abc import AsyncIterator

import nacl.utils
from nacl.exceptions import CryptoError
from nacl.secret import SecretBox

from chatd.client.e2ee.codec import Undecryptable

CHUNK = 65_536
MAC = SecretBox.MACBYTES  # 16


def chunk_nonce(prefix: bytes, index: int, last: bool) -> bytes:
    return prefix + struct.pack(">II", index, 1 if last else 0)


def sealed_size(size: int) -> int:
    """Bytes uploaded for a file of `size` bytes."""
    return size + MAC * max(1, -(-size // CHUNK))


class FileSealer:
    """Encrypts one file as it streams; `sha256` of the plaintext at the end."""

    def __init__(self, key: bytes | None = None, prefix: bytes | None = None):
        self.key = key or nacl.utils.random(SecretBox.KEY_SIZE)
        self.prefix = prefix or nacl.utils.random(16)
        self._box = SecretBox(self.key)
        self._hash = hashlib.sha256()

    @property
    def sha256(self) -> str:
        return self._hash.hexdigest()

    async def seal(self, source: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
        """Sealed chunks of the bytes `source` yields (any piece sizes)."""
        pending, index = b"", 0
        async for piece in source:
            pending += piece
            # Keep at least one full chunk back: only the end knows which chunk is last.
            while len(pending) > CHUNK:
                yield self._one(pending[:CHUNK], index, False)
                pending, index = pending[CHUNK:], index + 1
        yield self._one(pending, index, True)

    def _one(self, chunk: bytes, index: int, last: bool) -> bytes:
        self._hash.update(chunk)
        return self._box.encrypt(chunk, chunk_nonce(self.prefix, index, last)).ciphertext


async def unseal(source: AsyncIterator[bytes], key: bytes, prefix: bytes) -> AsyncIterator[bytes]:
    """Plaintext chunks of a sealed stream; Undecryptable when a chunk fails
    or the stream ends before a chunk marked last (or goes on after it)."""
    box, pending, index, size = SecretBox(key), b"", 0, CHUNK + MAC
    async for piece in source:
        pending += piece
        while len(pending) > size:  # more follows: this one is not the last
            yield _open(box, pending[:size], prefix, index, False)
            pending, index = pending[size:], index + 1
    yield _open(box, pending, prefix, index, True)


def _open(box: SecretBox, chunk: bytes, prefix: bytes, index: int, last: bool) -> bytes:
    try:
        return box.decrypt(chunk, chunk_nonce(prefix, index, last))
    except (CryptoError, ValueError):
        raise Undecryptable(f"file chunk {index} was altered, reordered or cut off") from None
