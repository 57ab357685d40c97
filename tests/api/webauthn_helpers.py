"""A software security key for the API tests: an ECDSA P-256 key pair (via
`cryptography`) that answers the server's options with real WebAuthn
structures (attestation "none", assertions signed over authenticatorData
and the clientDataJSON hash), and can be told to lie: another origin or rp
id, a counter that goes back."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import struct
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from litestar.testing import AsyncTestClient
from webauthn.helpers.encode_cbor import encode_cbor

from tests.api.account_helpers import PASSWORD
from tests.conftest import Account

ORIGIN = "http://localhost:8080"  # the default server.public_url
RP_ID = "localhost"
KEYS = "/api/v1/me/second-factor/security-keys"


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class SoftKey:
    def __init__(self) -> None:
        self.private = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = os.urandom(32)
        self.counter = 0

    @property
    def id(self) -> str:
        return b64(self.credential_id)

    def _cose(self) -> bytes:
        numbers = self.private.public_key().public_numbers()
        return encode_cbor({1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")})

    @staticmethod
    def _client_data(kind: str, challenge: str, origin: str) -> bytes:
        return json.dumps({"type": kind, "challenge": challenge, "origin": origin, "crossOrigin": False}).encode()

    def create(self, options: dict[str, Any], *, origin: str = ORIGIN, rp_id: str | None = None) -> dict[str, Any]:
        """navigator.credentials.create({publicKey: options}), as JSON."""
        rp = rp_id or options["rp"]["id"]
        auth_data = (hashlib.sha256(rp.encode()).digest() + bytes([0x41]) + struct.pack(">I", self.counter)
                     + bytes(16) + struct.pack(">H", len(self.credential_id)) + self.credential_id + self._cose())
        attestation = encode_cbor({"fmt": "none", "attStmt": {}, "authData": auth_data})
        return {"id": self.id, "rawId": self.id, "type": "public-key",
                "response": {"clientDataJSON": b64(self._client_data("webauthn.create", options["challenge"], origin)),
                             "attestationObject": b64(attestation), "transports": ["usb"]}}

    def get(self, options: dict[str, Any], *, origin: str = ORIGIN, rp_id: str | None = None,
            counter: int | None = None, challenge: str | None = None) -> dict[str, Any]:
        """navigator.credentials.get({publicKey: options}), as JSON; the counter goes up by one."""
        self.counter = self.counter + 1 if counter is None else counter
        rp = rp_id or options["rpId"]
        auth_data = hashlib.sha256(rp.encode()).digest() + bytes([0x01]) + struct.pack(">I", self.counter)
        client_data = self._client_data("webauthn.get", challenge or options["challenge"], origin)
        signature = self.private.sign(auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256()))
        return {"id": self.id, "rawId": self.id, "type": "public-key",
                "response": {"clientDataJSON": b64(client_data), "authenticatorData": b64(auth_data),
                             "signature": b64(signature), "userHandle": None}}


async def add_key(client: AsyncTestClient, who: Account, key: SoftKey | None = None, name: str = "Blue key",
                  **kw: Any) -> tuple[SoftKey, dict[str, Any]]:
    """Register a (new) soft key for `who` (its session is freshly signed in); answers (key, stored key)."""
    key = key or SoftKey()
    r = await client.post(KEYS + "/options", headers=who.headers, **kw)
    assert r.status_code == 200, r.text
    r = await client.post(KEYS, headers=who.headers, json={"name": name, "credential": key.create(r.json()["publicKey"])},
                          **kw)
    assert r.status_code == 201, r.text
    return key, r.json()


async def key_step(client: AsyncTestClient, username: str, password: str = PASSWORD) -> dict[str, Any]:
    """The password step of an account with a key: the 401 problem (challenge, methods, webauthn options)."""
    r = await client.post("/api/v1/auth/login", json={"username": username, "password": password})
    assert r.status_code == 401 and r.json()["code"] == "second_factor_required", r.text
    return r.json()


async def sign_in_with(client: AsyncTestClient, challenge: str, credential: dict[str, Any]) -> Any:
    return await client.post("/api/v1/auth/login/security-key", json={"challenge": challenge, "credential": credential})
