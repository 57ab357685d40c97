"""The known-answer vectors (e2ee_vectors.json) are what chatd.client writes
today, and read back through plain PyNaCl/hashlib calls, not only through
the code that wrote them: the browser's tweetnacl code is tested against
the same file."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json

import pytest
from nacl.public import Box, PrivateKey, PublicKey
from nacl.secret import SecretBox
from nacl.signing import SigningKey

from chatd.client.e2ee import Undecryptable
from chatd.client.e2ee.attachments import unseal
from chatd.client.e2ee.backup import open_backup
from chatd.client.e2ee.codec import address
from chatd.client.e2ee.device import Device, checked
from chatd.client.e2ee.envelope import open_envelope
from chatd.domain import DeviceKey
from tests.client.make_e2ee_vectors import FILE, build

V = json.loads(FILE.read_text(encoding="utf-8"))


def raw(text: str) -> bytes:
    return base64.b64decode(text)


def test_the_file_is_what_the_code_writes():
    assert build() == V, "run python -m tests.client.make_e2ee_vectors and tell the web UI side"


def test_device_records_by_hand():
    for d in V["devices"].values():
        sign = SigningKey(raw(d["ed25519_seed"]))
        x = base64.b64encode(bytes(PrivateKey(raw(d["x25519_secret"])).public_key)).decode()
        assert d["published"]["x25519"] == x
        text = f"chatd-device-v1\n{d['device_id']}\n{x}".encode()
        assert raw(d["published"]["sig"]) == sign.sign(text).signature  # Ed25519 is deterministic


def peer(user: str, name: str):
    p = V["devices"][name]["published"]
    return checked(V["users"][user], DeviceKey(created_at="2026-12-06T00:00:00Z", **p))  # type: ignore[arg-type]


def test_the_envelope_by_hand_and_through_the_reader():
    m, env = V["message"], V["message"]["envelope"]
    bob = V["devices"]["bob_1"]
    alice_pub = PublicKey(raw(V["devices"]["alice_1"]["published"]["x25519"]))
    wrapped = raw(env["keys"][address(V["users"]["bob"], bob["device_id"])])
    assert wrapped[:24] == raw(m["wrap_nonces"][address(V["users"]["bob"], bob["device_id"])])
    k = Box(PrivateKey(raw(bob["x25519_secret"])), alice_pub).decrypt(wrapped[24:], wrapped[:24])
    assert k == raw(m["message_key"])
    assert SecretBox(k).decrypt(raw(env["ciphertext"]), raw(env["nonce"])).decode() == m["payload_utf8"]
    lines = "\n".join(f"{a}={env['keys'][a]}" for a in sorted(env["keys"]))
    assert m["signed_text"] == (f"chatd-msg-v1\n{m['conversation_id']}\n{env['sender_device']}\n{env['nonce']}\n"
                                f"{env['ciphertext']}\n{lines}")
    sender = peer("alice", "alice_1")
    sender.verify_key.verify(m["signed_text"].encode(), raw(env["sig"]))
    for user, name in (("bob", "bob_1"), ("alice", "alice_2"), ("alice", "alice_1")):
        mine = {address(V["users"][user], V["devices"][name]["device_id"]): Device.of_json(V["devices"][name])}
        data = open_envelope(m["conversation_id"], m["sender_id"], env, mine, sender)
        assert json.dumps(data, ensure_ascii=False, separators=(",", ":")) == m["payload_utf8"]


@pytest.mark.parametrize("case", sorted(V["message"]["tampered"].keys() - {"note"}))
def test_tampered_envelopes_are_refused_with_their_reason(case):
    m, t = V["message"], V["message"]["tampered"][case]
    mine = {address(V["users"]["bob"], V["devices"]["bob_1"]["device_id"]): Device.of_json(V["devices"]["bob_1"])}
    with pytest.raises(Undecryptable) as err:
        open_envelope(m["conversation_id"], m["sender_id"], t["envelope"], mine, peer("alice", "alice_1"))
    assert err.value.reason == t["reason"]


@pytest.mark.parametrize("name", ["attachment", "attachment_empty"])
def test_attachment_chunks(name):
    a = V[name]
    plain = bytes(i % 251 for i in range(a["plaintext"]["length"]))
    assert hashlib.sha256(plain).hexdigest() == a["sha256_plaintext"]
    box, prefix = SecretBox(raw(a["key"])), raw(a["nonce"])
    chunks = [plain[i:i + 65536] for i in range(0, len(plain), 65536)] or [b""]
    sealed = b"".join(box.encrypt(c, prefix + i.to_bytes(4, "big") + (1 if i == len(chunks) - 1 else 0)
                                  .to_bytes(4, "big")).ciphertext for i, c in enumerate(chunks))
    assert len(chunks) == a["chunks"] and hashlib.sha256(sealed).hexdigest() == a["sealed_sha256"]

    async def back(data: bytes) -> bytes:
        async def source():
            for i in range(0, len(data), 1000):  # odd piece sizes, as a network gives them
                yield data[i:i + 1000]
        return b"".join([c async for c in unseal(source(), raw(a["key"]), prefix)])

    assert asyncio.run(back(sealed)) == plain
    cut = [sealed[:-1], sealed + b"x"]
    if len(chunks) > 1:
        first = 65536 + 16
        cut += [sealed[:first], sealed[first:] + sealed[:first]]  # truncated at a chunk end; reordered
    for broken in cut:
        with pytest.raises(Undecryptable):
            asyncio.run(back(broken))


def test_safety_number_by_hand():
    s = V["safety"]
    for user, keys, fp in (("alice", s["alice_keys"], s["alice_fingerprint"]), ("bob", s["bob_keys"], s["bob_fingerprint"])):
        text = "chatd-safety-v1\n" + V["users"][user] + "\n" + "\n".join(sorted(keys))
        assert hashlib.sha512(text.encode()).hexdigest() == fp
    first, second = sorted([(V["users"]["alice"], s["alice_fingerprint"]), (V["users"]["bob"], s["bob_fingerprint"])])
    groups = [f"{int.from_bytes(bytes.fromhex(fp)[i:i + 5], 'big') % 100000:05d}"
              for fp in (first[1], second[1]) for i in range(0, 30, 5)]
    assert s["number"] == " ".join(groups)


@pytest.mark.parametrize("kdf", ["argon2id", "pbkdf2_sha256"])
def test_backups_open_with_both_kdfs(kdf):
    b = V["backup"]
    if kdf == "pbkdf2_sha256":
        key = hashlib.pbkdf2_hmac("sha256", b["passphrase"].encode(), raw(b[kdf]["kdf"]["salt"]), 600_000, 32)
    else:
        from argon2.low_level import Type, hash_secret_raw

        key = hash_secret_raw(b["passphrase"].encode(), raw(b[kdf]["kdf"]["salt"]), time_cost=3, memory_cost=65536,
                              parallelism=1, hash_len=32, type=Type.ID)
    assert key == raw(b[kdf]["key"])
    plain = SecretBox(key).decrypt(raw(b[kdf]["backup"]["ciphertext"]), raw(b[kdf]["backup"]["nonce"]))
    assert plain.decode() == b["plaintext_utf8"]
    devices = open_backup(b["passphrase"], b[kdf]["backup"])
    assert [d.device_id for d in devices] == [V["devices"]["alice_1"]["device_id"], V["devices"]["alice_2"]["device_id"]]


@pytest.mark.parametrize("plain", [b"not json", b"[]", b'{"v":2,"body":"x"}', b'{"v":1,"body":5}',
                                   b'{"v":1,"body":"x","attachments":["id"]}',
                                   b'{"v":1,"body":"x","attachments":[{"id":7}]}', b"\xff\xfe"])
def test_a_well_signed_envelope_with_a_bad_payload_says_so(plain):
    from chatd.client.e2ee.envelope import seal

    alice, bob = Device.of_json(V["devices"]["alice_1"]), Device.of_json(V["devices"]["bob_1"])
    sender, to_bob = peer("alice", "alice_1"), peer("bob", "bob_1")
    env = seal("c", plain, V["users"]["alice"], alice, [to_bob])
    with pytest.raises(Undecryptable) as err:
        open_envelope("c", V["users"]["alice"], env, {address(V["users"]["bob"], bob.device_id): bob}, sender)
    assert err.value.reason == "bad payload"
    with pytest.raises(Undecryptable) as err:
        open_envelope("c", V["users"]["alice"], {**env, "keys": ["x"]}, {}, sender)
    assert err.value.reason == "bad envelope"
