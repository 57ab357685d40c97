"""Known-answer vectors of docs/e2ee.md, written by chatd.client's own code
with fixed keys and nonces: `python -m tests.client.make_e2ee_vectors`
rewrites tests/client/e2ee_vectors.json. Every client (the web UI's
tweetnacl code too) must produce and accept exactly these bytes.
test_e2ee_vectors.py checks the file still matches this code."""

from __future__ import annotations

import asyncio
import hashlib
import json
from pathlib import Path
from typing import Any

from chatd.client.e2ee.attachments import FileSealer
from chatd.client.e2ee.backup import derive, make_backup
from chatd.client.e2ee.codec import address, b64
from chatd.client.e2ee.device import Device, checked, device_statement
from chatd.client.e2ee.envelope import payload, seal, signed_text
from chatd.client.e2ee.safety import fingerprint, safety_number
from chatd.domain import DeviceKey

FILE = Path(__file__).with_name("e2ee_vectors.json")
CONVERSATION = "01JCONVERSATION0000000000A"
ALICE, BOB = "01JALICE00000000000000000A", "01JBOB0000000000000000000B"


def fixed(start: int, n: int = 32) -> bytes:
    return bytes((start + i) % 256 for i in range(n))


def device(device_id: str, start: int) -> Device:
    return Device.of_secrets(device_id, fixed(start), fixed(start + 100))


def as_key(d: Device) -> DeviceKey:
    p = d.published()
    return DeviceKey(device_id=p["device_id"], x25519=p["x25519"], ed25519=p["ed25519"], sig=p["sig"],
                     created_at="2026-12-06T00:00:00Z")  # type: ignore[arg-type]


def secrets_of(d: Device) -> dict[str, Any]:
    return {**d.secrets(), "published": d.published(), "signed_text": device_statement(d.device_id, d.x25519).decode()}


async def _file(plain: bytes, key: bytes, prefix: bytes) -> dict[str, Any]:
    async def source():
        yield plain

    sealer = FileSealer(key, prefix)
    chunks = [c async for c in sealer.seal(source())]
    sealed = b"".join(chunks)
    return {"plaintext": {"length": len(plain), "pattern": "byte i is i % 251"}, "key": b64(key), "nonce": b64(prefix),
            "sha256_plaintext": sealer.sha256, "sealed_length": len(sealed),
            "sealed_sha256": hashlib.sha256(sealed).hexdigest(), "chunks": len(chunks),
            "last_chunk": b64(chunks[-1]), "first_chunk_first_64_bytes": b64(chunks[0][:64])}


def build() -> dict[str, Any]:
    a1, a2, b1 = device("a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1", 1), device("a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2", 2), \
        device("b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1", 3)
    recipients = [checked(ALICE, as_key(a1)), checked(ALICE, as_key(a2)), checked(BOB, as_key(b1))]
    plain = payload("Hello Bob ✓ — ünïcødé", [], "2026-12-06T12:00:00.000Z")
    k, n = fixed(200), fixed(50, 24)
    wrap = {address(ALICE, a1.device_id): fixed(60, 24), address(ALICE, a2.device_id): fixed(70, 24),
            address(BOB, b1.device_id): fixed(80, 24)}
    envelope = seal(CONVERSATION, plain, ALICE, a1, recipients, message_key=k, nonce=n, wrap_nonces=wrap)
    plain_attach = bytes(i % 251 for i in range(65_536 + 1000))
    attachment = asyncio.run(_file(plain_attach, fixed(90), fixed(120, 16)))
    empty = asyncio.run(_file(b"", fixed(90), fixed(120, 16)))
    a_keys = [a1.ed25519, a2.ed25519]
    argon = {"name": "argon2id", "ops": 3, "mem_kib": 65_536, "salt": b64(fixed(7, 16))}
    pbkdf2 = {"name": "pbkdf2-sha256", "iterations": 600_000, "salt": b64(fixed(9, 16))}
    passphrase = "correct horse battery staple ✓"
    return {
        "about": "docs/e2ee.md known-answer vectors, written by tests/client/make_e2ee_vectors.py. Keys: "
                 "x25519_secret / ed25519_seed as b64 of 32 bytes. Base64 is standard with padding.",
        "devices": {"alice_1": secrets_of(a1), "alice_2": secrets_of(a2), "bob_1": secrets_of(b1)},
        "users": {"alice": ALICE, "bob": BOB},
        "message": {
            "conversation_id": CONVERSATION, "sender_id": ALICE, "sender_device": "alice_1",
            "payload_utf8": plain.decode(), "message_key": b64(k), "nonce": b64(n),
            "wrap_nonces": {a: b64(v) for a, v in wrap.items()},
            "signed_text": signed_text(CONVERSATION, envelope["sender_device"], envelope["nonce"],
                                       envelope["ciphertext"], envelope["keys"]).decode(),
            "envelope": envelope,
            "tampered": {
                "note": "each must be refused with the reason given (shown as 'could not be decrypted: ...')",
                "flipped_ciphertext_bit": {"envelope": {**envelope, "ciphertext": _flip(envelope["ciphertext"])},
                                           "reason": "bad signature"},
                "sender_device_of_bob": {"envelope": {**envelope, "sender_device": address(BOB, b1.device_id)},
                                         "reason": "the sending device is not the sender's"},
                "no_sig": {"envelope": {**envelope, "sig": ""}, "reason": "bad signature"},
            },
        },
        "attachment": attachment,
        "attachment_empty": empty,
        "safety": {
            "alice_keys": a_keys, "bob_keys": [b1.ed25519],
            "alice_fingerprint": fingerprint(ALICE, a_keys).hex(), "bob_fingerprint": fingerprint(BOB, [b1.ed25519]).hex(),
            "number": safety_number((ALICE, a_keys), (BOB, [b1.ed25519])),
        },
        "backup": {
            "passphrase": passphrase,
            "argon2id": {"kdf": argon, "key": b64(derive(passphrase, argon)),
                         "backup": make_backup(passphrase, [a1, a2], kdf=argon, nonce=fixed(30, 24))},
            "pbkdf2_sha256": {"kdf": pbkdf2, "key": b64(derive(passphrase, pbkdf2)),
                              "backup": make_backup(passphrase, [a1, a2], kdf=pbkdf2, nonce=fixed(40, 24))},
            "plaintext_utf8": json.dumps({"devices": [a1.secrets(), a2.secrets()]}, separators=(",", ":")),
        },
    }


def _flip(text: str) -> str:
    import base64

    raw = bytearray(base64.b64decode(text))
    raw[0] ^= 1
    return b64(bytes(raw))


if __name__ == "__main__":
    FILE.write_text(json.dumps(build(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {FILE}")
