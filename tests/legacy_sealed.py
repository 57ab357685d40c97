"""Blobs as chatd sealed them before envelopes (versions 1 and 2: the master
key itself on every chunk), written here byte for byte as the old code did,
so tests can check they still open and move to the envelope format."""

from __future__ import annotations

import os

from nacl.secret import SecretBox

from chatd.keys.crypto import media_key_id
from chatd.storage.blobs.sealed import FINAL, MAGIC, PLAIN


def legacy_sealed(blob: bytes, key: bytes, version: int = 2) -> bytes:
    prefix = (media_key_id(key) + os.urandom(12)) if version == 2 else os.urandom(16)
    out = [MAGIC + bytes([version]) + prefix]
    chunks = [blob[at:at + PLAIN] for at in range(0, len(blob), PLAIN)] or [b""]
    for index, chunk in enumerate(chunks):
        final = index == len(chunks) - 1
        nonce = prefix + (index | (FINAL if final else 0)).to_bytes(8, "big")
        out.append(SecretBox(key).encrypt(chunk, nonce).ciphertext)
    return b"".join(out)


async def put_legacy(inner, name: str, blob: bytes, key: bytes, version: int = 2) -> None:
    async def once():
        yield legacy_sealed(blob, key, version)
    await inner.put(name, once())
