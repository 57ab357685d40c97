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


def previous_keys_of(texts: list[str] | str, name: str, current: bytes | None, current_name: str) -> list[bytes]:
    """A rotation's previous keys (`name`, a list), decoded; refused without a
    current key (`current_name`): nothing would seal new data, and which key
    is current would be unclear."""
    keys = [key_of(text, f"{name}[{i}]") for i, text in enumerate(texts)]
    found = [key for key in keys if key is not None]
    if found and current is None:
        raise ConfigError(f"{name} is set but {current_name} is empty: set the new key there (`chatd media keygen` "
                          "makes one), keep the old ones as previous")
    return found
