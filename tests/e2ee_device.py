"""Publish a device for a test account, so its envelopes may name it: the
server refuses a sender_device that is not on the sender's account."""

from __future__ import annotations

import base64

from nacl.signing import SigningKey

X25519 = base64.b64encode(bytes(32)).decode()


async def publish_device(client, account, device_id: str = "d1", prefix: str = "/api/v1") -> str:
    """PUT /me/keys for `account` (an Account) and return the device's address."""
    signer = SigningKey.generate()
    sig = signer.sign(f"chatd-device-v1\n{device_id}\n{X25519}".encode()).signature
    body = {"device_id": device_id, "x25519": X25519, "ed25519": base64.b64encode(bytes(signer.verify_key)).decode(),
            "sig": base64.b64encode(sig).decode()}
    r = await client.put(f"{prefix}/me/keys", json=body, headers=account.headers)
    assert r.status_code == 200, r.text
    return f"{account.id}:{device_id}"
