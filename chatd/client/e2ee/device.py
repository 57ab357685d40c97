"""A device's two key pairs (docs/e2ee.md, Devices): X25519 for boxes,
Ed25519 for signatures, with the signed record it publishes (PUT /me/keys)
and the check every reader makes of other devices' records."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from nacl.exceptions import BadSignatureError
from nacl.public import PrivateKey, PublicKey
from nacl.signing import SigningKey, VerifyKey

from chatd.client.e2ee.codec import b64, unb64
from chatd.domain import DeviceKey


def device_statement(device_id: str, x25519_b64: str) -> bytes:
    return f"chatd-device-v1\n{device_id}\n{x25519_b64}".encode()


@dataclass(frozen=True)
class Device:
    """One device's private keys (never leave the client unencrypted)."""

    device_id: str
    box_key: PrivateKey
    sign_key: SigningKey

    @classmethod
    def generate(cls) -> "Device":
        return cls(secrets.token_hex(16), PrivateKey.generate(), SigningKey.generate())

    @classmethod
    def of_secrets(cls, device_id: str, x25519_secret: bytes, ed25519_seed: bytes) -> "Device":
        return cls(device_id, PrivateKey(x25519_secret), SigningKey(ed25519_seed))

    @property
    def x25519(self) -> str:
        return b64(bytes(self.box_key.public_key))

    @property
    def ed25519(self) -> str:
        return b64(bytes(self.sign_key.verify_key))

    def published(self) -> dict[str, str]:
        """The PUT /me/keys body: public keys and the device's signature of them."""
        sig = self.sign_key.sign(device_statement(self.device_id, self.x25519)).signature
        return {"device_id": self.device_id, "x25519": self.x25519, "ed25519": self.ed25519, "sig": b64(sig)}

    def secrets(self) -> dict[str, str]:
        """The entry of a key backup or the local key file."""
        return {"device_id": self.device_id, "x25519_secret": b64(bytes(self.box_key)),
                "ed25519_seed": b64(bytes(self.sign_key))}

    @classmethod
    def of_json(cls, d: dict[str, Any]) -> "Device":
        return cls.of_secrets(str(d["device_id"]), unb64(d["x25519_secret"], 32), unb64(d["ed25519_seed"], 32))


@dataclass(frozen=True)
class PeerDevice:
    """Another device's public keys, once its signature checked out."""

    user_id: str
    device_id: str
    box_key: PublicKey
    verify_key: VerifyKey
    ed25519: str


def checked(user_id: str, key: DeviceKey) -> PeerDevice | None:
    """The device if its record is self-signed as the format says, else None
    (such a device is left out of sending and cannot be a sender)."""
    try:
        verify = VerifyKey(unb64(key.ed25519, 32))
        verify.verify(device_statement(key.device_id, key.x25519), unb64(key.sig, 64))
        return PeerDevice(user_id, key.device_id, PublicKey(unb64(key.x25519, 32)), verify, key.ed25519)
    except (ValueError, BadSignatureError):
        return None
