"""Envelopes (docs/e2ee.md, Messages): seal a payload for a set of devices,
and open one, checking the signature before the ciphertext is touched."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

import nacl.utils
from nacl.exceptions import BadSignatureError, CryptoError
from nacl.public import Box
from nacl.secret import SecretBox

from chatd.client.e2ee.codec import ALG, Undecryptable, address, b64, unb64
from chatd.client.e2ee.device import Device, PeerDevice


def signed_text(conversation_id: str, sender_device: str, nonce: str, ciphertext: str,
                keys: Mapping[str, str]) -> bytes:
    lines = "\n".join(f"{a}={keys[a]}" for a in sorted(keys, key=lambda a: a.encode()))
    return f"chatd-msg-v1\n{conversation_id}\n{sender_device}\n{nonce}\n{ciphertext}\n{lines}".encode()


def payload(body: str, attachments: list[dict[str, Any]], sent_at: str) -> bytes:
    return json.dumps({"v": 1, "body": body, "attachments": attachments, "sent_at": sent_at},
                      ensure_ascii=False, separators=(",", ":")).encode()


def seal(conversation_id: str, plaintext: bytes, sender_user: str, sender: Device,
         recipients: Iterable[PeerDevice], *, message_key: bytes | None = None, nonce: bytes | None = None,
         wrap_nonces: Mapping[str, bytes] | None = None) -> dict[str, Any]:
    """The envelope of `plaintext` for every recipient device. The keyword
    arguments fix the random values (known-answer vectors only)."""
    k = message_key or nacl.utils.random(SecretBox.KEY_SIZE)
    n = nonce or nacl.utils.random(SecretBox.NONCE_SIZE)
    ciphertext = b64(SecretBox(k).encrypt(plaintext, n).ciphertext)
    keys: dict[str, str] = {}
    for device in recipients:
        where = address(device.user_id, device.device_id)
        wn = (wrap_nonces or {}).get(where) or nacl.utils.random(Box.NONCE_SIZE)
        keys[where] = b64(bytes(Box(sender.box_key, device.box_key).encrypt(k, wn)))  # nonce + box
    me = address(sender_user, sender.device_id)
    sig = sender.sign_key.sign(signed_text(conversation_id, me, b64(n), ciphertext, keys)).signature
    return {"alg": ALG, "sender_device": me, "nonce": b64(n), "ciphertext": ciphertext, "keys": keys, "sig": b64(sig)}


def open_envelope(conversation_id: str, sender_id: str, envelope: Mapping[str, Any], mine: Mapping[str, Device],
                  sender: PeerDevice | None) -> dict[str, Any]:
    """The payload, or Undecryptable with the reason. `mine`: this client's
    devices by address (its own and restored ones); `sender`: the checked
    device named by `sender_device`, or None when it is not known."""
    if envelope.get("alg") != ALG:
        raise Undecryptable(f"unknown algorithm {envelope.get('alg')!r}")
    sender_device = str(envelope.get("sender_device", ""))
    if not sender_device.startswith(sender_id + ":"):
        raise Undecryptable("the sending device is not the sender's")
    if sender is None:
        raise Undecryptable("unknown sender device")
    keys = envelope.get("keys") or {}
    if not isinstance(keys, Mapping):
        raise Undecryptable("bad envelope")
    own = next((a for a in mine if a in keys), None)
    if own is None:
        raise Undecryptable("no key for this device (sent before it could read this conversation)")
    try:
        sig = unb64(str(envelope.get("sig", "")), 64)
        sender.verify_key.verify(signed_text(conversation_id, sender_device, envelope["nonce"],
                                             envelope["ciphertext"], keys), sig)
    except (ValueError, KeyError, TypeError, BadSignatureError):
        raise Undecryptable("bad signature") from None
    try:
        k = Box(mine[own].box_key, sender.box_key).decrypt(unb64(keys[own]))
        plain = SecretBox(k).decrypt(unb64(envelope["ciphertext"]), unb64(envelope["nonce"], 24))
    except (ValueError, CryptoError):
        raise Undecryptable("the ciphertext was altered (failed MAC)") from None
    try:
        data = json.loads(plain.decode())
        if not isinstance(data, dict) or data.get("v") != 1 or not isinstance(data.get("body", ""), str) \
                or not isinstance(data.get("attachments", []), list) \
                or not all(isinstance(a, dict) and isinstance(a.get("id"), str) for a in data.get("attachments", [])):
            raise ValueError("not a v1 payload")
    except ValueError:
        raise Undecryptable("bad payload") from None
    return data
