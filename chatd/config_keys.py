"""Keys given in chatd.toml as the base64 of 32 random bytes (media at rest,
TOTP secrets at rest): one parser, so both refuse a bad key alike."""

from __future__ import annotations

import base64
import binascii

from chatd.config import ConfigError


def key_of(text: str, name: str) -> bytes | None:
    """The 32-byte key in `text`, None when empty; ConfigError naming `name` otherwise."""
    text = text.strip()
    if not text:
        return None
    try:
        key = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != 32:
        raise ConfigError(f"{name}: expected the base64 of 32 random bytes (make one with `chatd media keygen`)")
    return key
