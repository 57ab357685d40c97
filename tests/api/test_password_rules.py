"""How passwords are taken and kept (ASVS 2.1.2-2.1.4, 2.4.1, 2.4.2): any
Unicode, long ones whole (never truncated), stored as salted argon2id."""

from __future__ import annotations

from tests.api.account_helpers import login, sql_value
from tests.conftest import register

LONG = "my passphrase is long enough to pass every limit " * 10  # 500 characters


async def test_long_passwords_are_used_whole(client):
    await register(client, "alice", LONG)
    assert (await login(client, "alice", LONG)).status_code == 200
    assert (await login(client, "alice", LONG[:-1])).status_code == 401  # one character short: not the same
    assert (await login(client, "alice", LONG[:72])).status_code == 401  # bcrypt's cut-off means nothing here


async def test_any_unicode_is_a_password_and_its_forms_are_one(client):
    composed = "clé 🔑 ключ 密码 ünïcödé"  # é and ü as one code point each (NFC)
    decomposed = "cle\u0301 🔑 ключ 密码 u\u0308ni\u0308co\u0308de\u0301"
    await register(client, "alice", composed)
    assert (await login(client, "alice", composed)).status_code == 200
    assert (await login(client, "alice", decomposed)).status_code == 200  # typed on another keyboard


async def test_passwords_are_stored_as_salted_argon2id(client):
    await register(client, "alice")
    await register(client, "bob")  # the same password
    hashes = [await sql_value(client, "SELECT password_hash FROM users WHERE username = $1", name)
              for name in ("alice", "bob")]
    # argon2id over HMAC-SHA256 with the server's pepper (services/passwords.py)
    assert all(h.startswith("$pepper-hmac-sha256$k=") and "$argon2id$" in h for h in hashes), hashes
    assert hashes[0] != hashes[1]  # a random salt each
    salt = hashes[0].split("$")[6]
    assert len(salt) >= 22  # base64 of at least 16 bytes (128 bits)
