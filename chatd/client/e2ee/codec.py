"""Small shared pieces of the E2EE wire format (docs/e2ee.md): base64 as the
format writes it, device addresses, and the typed failure a reader shows."""

from __future__ import annotations

import base64
import binascii

ALG = "nacl-v1"


def b64(data: bytes) -> str:
    """Standard base64 with padding."""
    return base64.b64encode(data).decode()


def unb64(text: str, size: int | None = None) -> bytes:
    """Strict base64 (ValueError when malformed or not `size` bytes)."""
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, TypeError) as err:
        raise ValueError(f"not base64: {err}") from None
    if size is not None and len(raw) != size:
        raise ValueError(f"expected {size} bytes, got {len(raw)}")
    return raw


def address(user_id: str, device_id: str) -> str:
    """A device named across users: `<user_id>:<device_id>` (user ids hold no `:`)."""
    return f"{user_id}:{device_id}"


def split_address(text: str) -> tuple[str, str]:
    user_id, sep, device_id = text.partition(":")
    if not sep or not user_id or not device_id:
        raise ValueError(f"not a device address: {text!r}")
    return user_id, device_id


class Undecryptable(Exception):
    """A message or file this device cannot (or must not) read; `reason` is
    what the user is shown after "could not be decrypted"."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason
