"""The in-process adapter: the zero-setup default, today's behaviour. The
keys sit in this process's memory (and so in a core dump of it); set
`[keys] socket` to keep them in a separate key process instead (serve.py).
The key process itself answers with this class."""

from __future__ import annotations

import os
from collections.abc import Sequence

from chatd.keys import crypto
from chatd.keys.ring import KeyInfo, KeyRing


class LocalKeyRing(KeyRing):
    def __init__(self, *, pepper: bytes | None = None, factor_keys: Sequence[bytes] = (),
                 media_keys: Sequence[bytes] = ()):
        """Each list has the current key first, then previous ones (rotation)."""
        if any(len(k) != 32 for k in [*factor_keys, *media_keys]):
            raise ValueError("a sealing key is 32 bytes")
        self._pepper, self._factor, self._media = pepper, list(factor_keys), list(media_keys)
        self.info = KeyInfo(pepper_id=crypto.pepper_id(pepper) if pepper else "", factor_keys=len(self._factor),
                            media_ids=[crypto.media_key_id(k) for k in self._media])

    async def pepper(self, data: bytes) -> bytes:
        if self._pepper is None:
            raise ValueError("no pepper here")
        return crypto.peppered(self._pepper, data)

    async def seal_secret(self, user_id: str, secret: str) -> str:
        if not self._factor:
            raise ValueError("no TOTP sealing key here")
        return crypto.seal_secret(self._factor[0], user_id, secret)

    async def open_secret(self, user_id: str, stored: str) -> tuple[int, str] | None:
        return crypto.open_secret(self._factor, user_id, stored)

    async def new_data_key(self) -> tuple[bytes, bytes]:
        if not self._media:
            raise ValueError("no media key here")
        data_key = os.urandom(32)
        return data_key, crypto.wrap(self._media[0], data_key)

    async def unwrap(self, wrapped: bytes) -> tuple[int, bytes] | None:
        return crypto.unwrap(self._media, wrapped)

    async def rewrap(self, wrapped: bytes) -> bytes | None:
        opened = crypto.unwrap(self._media, wrapped)
        return None if opened is None or not self._media else crypto.wrap(self._media[0], opened[1])

    async def open_legacy(self, version: int, prefix: bytes, nonce: bytes, sealed: bytes) -> bytes | None:
        return crypto.open_legacy(self._media, version, prefix, nonce, sealed)
