"""What account input must look like: usernames, passwords, profile fields,
device keys. Each check returns the cleaned value or raises Invalid."""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

import msgspec

from chatd.bounds import nesting
from chatd.errors import Invalid
from chatd.services import signatures
from chatd.services.passwords import MAX_LENGTH, MIN_LENGTH
from chatd.text import clean, visible

USERNAME = re.compile(r"[a-z0-9_.-]{3,32}")
DEVICE_ID = re.compile(r"[A-Za-z0-9_.:-]{1,64}")
LIMITS = {"display_name": 64, "bio": 500, "status_text": 140, "avatar": 64}
MAX_PREFERENCES_BYTES = 8192
MAX_PREFERENCES_DEPTH = 8
MAX_DEVICES = 32
MAX_TOKENS = 50


def username(raw: str) -> str:
    """Lowercased: usernames are unique case-insensitively."""
    name = raw.strip().lower()
    if not USERNAME.fullmatch(name):
        raise Invalid("A username is 3 to 32 characters of a-z, 0-9, _ . and -.", code="invalid_username")
    return name


def password(raw: str) -> str:
    if not (MIN_LENGTH <= len(re.sub(" {2,}", " ", raw)) and len(raw) <= MAX_LENGTH):
        raise Invalid(f"A password is {MIN_LENGTH} to {MAX_LENGTH} characters long.", code="invalid_password")
    return raw


def text_field(name: str, raw: str) -> str:
    value = clean(raw, single_line=name != "bio").strip()
    if len(value) > LIMITS[name]:
        raise Invalid(f"{name} is at most {LIMITS[name]} characters.", code=f"invalid_{name}")
    if name == "display_name" and not visible(value):
        # Empty or only invisible characters: the name would show as nothing.
        raise Invalid("display_name needs at least one visible character.", code="invalid_display_name")
    return value


def preferences(raw: dict[str, Any]) -> dict[str, Any]:
    if len(msgspec.json.encode(raw)) > MAX_PREFERENCES_BYTES:
        raise Invalid(f"preferences are at most {MAX_PREFERENCES_BYTES} bytes of JSON.", code="invalid_preferences")
    if nesting(raw) > MAX_PREFERENCES_DEPTH:
        raise Invalid(f"preferences nest at most {MAX_PREFERENCES_DEPTH} levels.", code="invalid_preferences")
    return raw


def profile_changes(raw: dict[str, Any]) -> dict[str, Any]:
    """Clean the fields a PATCH /me sent (absent ones stay as they are)."""
    out: dict[str, Any] = {}
    for name, value in raw.items():
        if name == "preferences":
            out[name] = preferences(value)
        elif name == "avatar":
            out[name] = None if value is None else text_field("avatar", value) or None
        else:
            out[name] = text_field(name, value)
    return out


def public_key(name: str, raw: str) -> str:
    """Standard base64 of a 32-byte X25519 or Ed25519 public key."""
    try:
        key = base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != 32:
        raise Invalid(f"{name} must be the base64 of a 32-byte public key.", code="invalid_key")
    return base64.b64encode(key).decode()


def device_signature(device_id: str, x25519: str, ed25519: str, raw: str) -> str:
    """The device's Ed25519 signature of its X25519 key (docs/e2ee.md), checked
    here so that no client ever receives a device that did not sign itself."""
    try:
        sig = base64.b64decode(raw, validate=True)
        good = signatures.valid(base64.b64decode(ed25519), device_message(device_id, x25519), sig)
    except (binascii.Error, ValueError):
        good = False
    if not good:
        raise Invalid("sig is not this device's Ed25519 signature of its x25519 key.", code="invalid_signature")
    return base64.b64encode(sig).decode()


def device_message(device_id: str, x25519: str) -> bytes:
    """What a device signs to publish its keys (docs/e2ee.md, Devices)."""
    return f"chatd-device-v1\n{device_id}\n{x25519}".encode()


def device_id(raw: str) -> str:
    if not DEVICE_ID.fullmatch(raw):
        raise Invalid("device_id is 1 to 64 characters of A-Z a-z 0-9 _ . : -.", code="invalid_device_id")
    return raw
