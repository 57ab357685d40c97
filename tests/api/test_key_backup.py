"""/api/v1/me/key-backup: one opaque, passphrase-encrypted backup per
account; bounded and shape-checked, nothing changes on a bad request, and
nobody reads another account's backup."""

from __future__ import annotations

import base64
import os

import pytest

from tests.conftest import register

PATH = "/api/v1/me/key-backup"


def b64(n: int) -> str:
    return base64.b64encode(os.urandom(n)).decode()


def backup(**changes) -> dict:
    body = {"v": 1, "kdf": {"name": "argon2id", "ops": 3, "mem_kib": 65536, "salt": b64(16)}, "nonce": b64(24),
            "ciphertext": b64(200)}
    return {**body, **changes}


async def test_put_get_replace_delete(client):
    alice, bob = await register(client, "alice"), await register(client, "bob")
    r = await client.get(PATH, headers=alice.headers)
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    assert r.headers["content-type"].startswith("application/problem+json")
    first = backup()
    r = await client.put(PATH, json=first, headers=alice.headers)
    assert r.status_code == 200, r.text
    assert {k: v for k, v in r.json().items() if k != "updated_at"} == first and r.json()["updated_at"].endswith("Z")
    assert {k: v for k, v in (await client.get(PATH, headers=alice.headers)).json().items() if k != "updated_at"} == first
    assert (await client.get(PATH, headers=bob.headers)).status_code == 404  # alice's is hers only
    second = backup(kdf={"name": "pbkdf2-sha256", "iterations": 600_000, "salt": b64(16)})
    assert (await client.put(PATH, json=second, headers=alice.headers)).status_code == 200
    assert (await client.get(PATH, headers=alice.headers)).json()["kdf"] == second["kdf"]
    assert (await client.delete(PATH, headers=bob.headers)).status_code == 404
    assert (await client.delete(PATH, headers=alice.headers)).status_code == 204
    assert (await client.get(PATH, headers=alice.headers)).status_code == 404
    r = await client.delete(PATH, headers=alice.headers)
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    assert (await client.get(PATH)).status_code == 401


@pytest.mark.parametrize("body, code", [
    (backup(v=2), "invalid"),
    (backup(kdf={"name": "scrypt", "n": 1, "salt": b64(16)}), "invalid"),
    (backup(kdf={"name": "argon2id", "ops": 0, "mem_kib": 65536, "salt": b64(16)}), "invalid"),
    (backup(kdf={"name": "argon2id", "ops": 3, "mem_kib": 4 * 1024 * 1024, "salt": b64(16)}), "invalid"),
    (backup(kdf={"name": "pbkdf2-sha256", "iterations": 1000, "salt": b64(16)}), "invalid"),
    (backup(kdf={"name": "argon2id", "ops": 3, "mem_kib": 65536, "salt": b64(8)}), "invalid_key_backup"),
    (backup(kdf={"name": "argon2id", "ops": 3, "mem_kib": 65536, "salt": "not base64!"}), "invalid_key_backup"),
    (backup(kdf={"name": "argon2id", "ops": 3, "mem_kib": 65536, "salt": b64(16), "p": 4}), "invalid"),
    (backup(nonce=b64(12)), "invalid_key_backup"),
    (backup(ciphertext=b64(8)), "invalid_key_backup"),
    (backup(ciphertext="@@@@" * 10), "invalid_key_backup"),
    (backup(ciphertext=b64(60_000)), "invalid"),  # longer than 65,536 base64 characters
    (backup(extra=1), "invalid"),
    ({"v": 1}, "invalid"),
])
async def test_bad_backups_are_400_and_change_nothing(client, body, code):
    alice = await register(client, "alice")
    good = backup()
    await client.put(PATH, json=good, headers=alice.headers)
    r = await client.put(PATH, json=body, headers=alice.headers)
    assert r.status_code == 400, r.text
    assert r.json()["code"] == code
    assert (await client.get(PATH, headers=alice.headers)).json()["nonce"] == good["nonce"]


async def test_a_huge_body_is_413(client):
    alice = await register(client, "alice")
    r = await client.put(PATH, content=b'{"v":1,"ciphertext":"' + b"A" * 200_000 + b'"}', headers={
        **alice.headers, "Content-Type": "application/json"})
    assert r.status_code == 413, r.text
    assert (await client.get(PATH, headers=alice.headers)).status_code == 404
