"""The port: what chatd asks of its keys, never the keys themselves.

Two adapters: LocalKeyRing (local.py, the zero-setup default: the keys sit
in this process's memory) and SocketKeyRing (client.py: a separate key
process holds them, ASVS 6.4.2). Services and the sealed blob store see
only this class.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

import msgspec

from chatd.errors import ChatError


class KeyInfo(msgspec.Struct, frozen=True):
    """What may be known about the keys without holding them."""

    pepper_id: str = ""  # "" when this ring has no pepper
    factor_keys: int = 0  # TOTP sealing keys; 0 = secrets kept plain
    media_ids: list[bytes] = []  # media master key ids, the current one first; [] = media not sealed


class KeysUnavailable(ChatError):
    """The key process does not answer: nothing was done; retry later."""

    status, code, title = 503, "keys_unavailable", "Keys unavailable"


class KeyRing(ABC):
    info: KeyInfo

    @abstractmethod
    async def pepper(self, data: bytes) -> bytes:
        """HMAC-SHA256 of `data` with the pepper."""

    @abstractmethod
    async def seal_secret(self, user_id: str, secret: str) -> str:
        """A TOTP secret sealed with the current key ("v1:...")."""

    @abstractmethod
    async def open_secret(self, user_id: str, stored: str) -> tuple[int, str] | None:
        """(0 = opened by the current key, 1.. a previous one; the secret), or None."""

    @abstractmethod
    async def new_data_key(self) -> tuple[bytes, bytes]:
        """A fresh media data key and its wrapped form (to store beside the blob)."""

    @abstractmethod
    async def unwrap(self, wrapped: bytes) -> tuple[int, bytes] | None:
        """(which master key, the data key), or None when no configured key opens it."""

    @abstractmethod
    async def rewrap(self, wrapped: bytes) -> bytes | None:
        """The same data key wrapped with the current master key (rotation), or None."""

    @abstractmethod
    async def open_legacy(self, version: int, prefix: bytes, nonce: bytes, sealed: bytes) -> bytes | None:
        """One chunk of a blob sealed before envelopes (a master key on every chunk)."""

    async def ping(self) -> None:
        """Raises when the keys cannot be used now (/readyz)."""
        return None

    async def close(self) -> None:
        return None
