"""Opaque, sortable ids: ULIDs (48-bit milliseconds + 80 random bits, Crockford base32)."""

import os
import time

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
# Two digits (10 bits) per lookup: half the steps of a digit-by-digit loop
# (an id is minted for every message sent).
_PAIRS = [a + b for a in _ALPHABET for b in _ALPHABET]
_SHIFTS = range(120, -10, -10)  # 13 pairs = 26 digits = 130 bits, most significant first


def encode(value: int) -> str:
    """A value below 2**130 as 26 Crockford base32 digits."""
    return "".join([_PAIRS[(value >> s) & 1023] for s in _SHIFTS])


def new_id() -> str:
    return encode((int(time.time() * 1000) << 80) | int.from_bytes(os.urandom(10), "big"))
