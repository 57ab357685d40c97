"""Key backups (docs/e2ee.md, Key backup): device private keys encrypted
with a key derived from a recovery passphrase. chatd.client writes Argon2id
(argon2-cffi) and reads Argon2id and PBKDF2-SHA256 (what browsers write)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any

import nacl.utils
from nacl.exceptions import CryptoError
from nacl.secret import SecretBox

from chatd.client.e2ee.codec import b64, unb64
from chatd.client.e2ee.device import Device

ARGON2_OPS, ARGON2_MEM_KIB = 3, 65_536
# Beyond these a backup would make this client spend minutes or gigabytes.
MAX_OPS, MAX_MEM_KIB, MAX_ITERATIONS = 10, 1_048_576, 10_000_000


class WrongPassphrase(Exception):
    """The passphrase does not open this backup (or the backup was altered)."""


def derive(passphrase: str, kdf: dict[str, Any]) -> bytes:
    salt = unb64(kdf["salt"])
    secret = passphrase.encode()
    if kdf.get("name") == "argon2id":
        from argon2.low_level import Type, hash_secret_raw

        ops, mem = int(kdf["ops"]), int(kdf["mem_kib"])
        if not (1 <= ops <= MAX_OPS and 8 <= mem <= MAX_MEM_KIB):
            raise ValueError(f"argon2id parameters out of range: ops {ops}, mem_kib {mem}")
        return hash_secret_raw(secret, salt, time_cost=ops, memory_cost=mem, parallelism=1, hash_len=32,
                               type=Type.ID, version=19)
    if kdf.get("name") == "pbkdf2-sha256":
        iterations = int(kdf["iterations"])
        if not 1 <= iterations <= MAX_ITERATIONS:
            raise ValueError(f"pbkdf2 iterations out of range: {iterations}")
        return hashlib.pbkdf2_hmac("sha256", secret, salt, iterations, 32)
    raise ValueError(f"unknown key derivation {kdf.get('name')!r}")


def make_backup(passphrase: str, devices: Iterable[Device], *, kdf: dict[str, Any] | None = None,
                nonce: bytes | None = None) -> dict[str, Any]:
    """The PUT /me/key-backup body holding `devices` (Argon2id unless `kdf`
    names other parameters; `nonce` fixed for known-answer vectors only)."""
    kdf = kdf or {"name": "argon2id", "ops": ARGON2_OPS, "mem_kib": ARGON2_MEM_KIB,
                  "salt": b64(nacl.utils.random(16))}
    n = nonce or nacl.utils.random(SecretBox.NONCE_SIZE)
    plain = json.dumps({"devices": [d.secrets() for d in devices]}, separators=(",", ":")).encode()
    sealed = SecretBox(derive(passphrase, kdf)).encrypt(plain, n).ciphertext
    return {"v": 1, "kdf": kdf, "nonce": b64(n), "ciphertext": b64(sealed)}


def open_backup(passphrase: str, backup: dict[str, Any]) -> list[Device]:
    """The devices a backup holds; WrongPassphrase when it does not open."""
    if backup.get("v") != 1:
        raise ValueError(f"unknown key backup version {backup.get('v')!r}")
    key = derive(passphrase, backup["kdf"])
    try:
        plain = SecretBox(key).decrypt(unb64(backup["ciphertext"]), unb64(backup["nonce"], 24))
    except CryptoError:
        raise WrongPassphrase("this passphrase does not open the key backup") from None
    return [Device.of_json(d) for d in json.loads(plain)["devices"]]
