"""Opaque, sortable ids: ULIDs (48-bit milliseconds + 80 random bits, Crockford base32)."""

import os
import threading
import time

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
# Two digits (10 bits) per lookup: half the steps of a digit-by-digit loop
# (an id is minted for every message sent).
_PAIRS = [a + b for a in _ALPHABET for b in _ALPHABET]
_SHIFTS = range(120, -10, -10)  # 13 pairs = 26 digits = 130 bits, most significant first


def encode(value: int) -> str:
    """A value below 2**130 as 26 Crockford base32 digits."""
    return "".join([_PAIRS[(value >> s) & 1023] for s in _SHIFTS])


# Random bits come from the OS in 4 KiB draws, 10 bytes per id: one
# getrandom() syscall per id showed up in the send profile.
_POOL_SIZE = 4090  # a multiple of 10
_pool = b""
_taken = _POOL_SIZE
_lock = threading.Lock()  # two threads must never take the same 10 bytes


def random80() -> int:
    global _pool, _taken
    with _lock:
        if _taken >= _POOL_SIZE:
            _pool, _taken = os.urandom(_POOL_SIZE), 0
        start = _taken
        _taken = start + 10
        return int.from_bytes(_pool[start:start + 10], "big")


def _forget_pool() -> None:
    global _taken
    _taken = _POOL_SIZE  # a forked child must not repeat its parent's ids


os.register_at_fork(after_in_child=_forget_pool)


def new_id() -> str:
    return encode((int(time.time() * 1000) << 80) | random80())


_VALUES = {c: i for i, c in enumerate(_ALPHABET)}


def is_id(value: str) -> bool:
    """Whether `value` has the shape of an id chatd makes (26 Crockford digits)."""
    return len(value) == 26 and all(c in _VALUES for c in value)


def decode_time(value: str):
    """The creation time a ULID carries (UTC datetime), or None if it is not one."""
    from datetime import UTC, datetime

    if len(value) != 26 or any(c not in _VALUES for c in value[:10]):
        return None
    ms = 0
    for c in value[:10]:
        ms = ms * 32 + _VALUES[c]
    return datetime.fromtimestamp(ms / 1000, UTC)
