"""Safety numbers (docs/e2ee.md): 60 digits two people compare to know that
they encrypt for each other's real devices, and nobody else's."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable


def fingerprint(user_id: str, ed25519_keys: Iterable[str]) -> bytes:
    """SHA-512 over the user id and the sorted Ed25519 keys (base64) of the
    user's devices whose signatures check out."""
    text = "chatd-safety-v1\n" + user_id + "\n" + "\n".join(sorted(ed25519_keys, key=lambda k: k.encode()))
    return hashlib.sha512(text.encode()).digest()


def _groups(fp: bytes) -> list[str]:
    return [f"{int.from_bytes(fp[i:i + 5], 'big') % 100_000:05d}" for i in range(0, 30, 5)]


def safety_number(a: tuple[str, Iterable[str]], b: tuple[str, Iterable[str]]) -> str:
    """Twelve groups of five digits, the same on both sides: (user id, keys)
    of each person; the one with the smaller user id comes first."""
    first, second = sorted([a, b], key=lambda p: p[0].encode())
    return " ".join(_groups(fingerprint(*first)) + _groups(fingerprint(*second)))
