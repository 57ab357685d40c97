"""The password pepper (services/passwords.py): where it comes from, made on
the first start, and checked against the database it belongs to.

Zero setup: with no `auth.pepper` / `auth.pepper_file`, chatd keeps it in
`data_dir/pepper` (base64 of 32 random bytes, mode 0600), written on the
first start. Never in the database: a stolen dump alone must not allow
offline guessing. The database keeps only the pepper's id (a keyed hash of
it), so a start with a missing or different pepper is refused with one line
instead of every sign-in failing. Every process and host of one deployment
needs the same pepper: copy the file, or point `auth.pepper_file` at it.
With `keys.socket` the key process holds the pepper (chatd/keys/serve.py
makes it in its own data_dir); here only its id is checked.
"""

from __future__ import annotations

import base64
import binascii
import os
import secrets
from pathlib import Path

from chatd.config import Config, ConfigError
from chatd.secret_files import SecretFileError, read_secret
from chatd.keys.crypto import pepper_id
from chatd.keys.local import LocalKeyRing
from chatd.keys.ring import KeyRing
from chatd.services.passwords import Passwords
from chatd.storage.ports.settings import SettingsStore

SETTING = "password_pepper_id"  # in the settings store: the id, never the pepper
MIN_BYTES = 32


def default_path(config: Config) -> Path:
    return config.data_dir / "pepper"


def _decode(text: str, where: str) -> bytes:
    try:
        pepper = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ConfigError(f"{where}: not base64 (make one: head -c 32 /dev/urandom | base64)") from None
    if len(pepper) < MIN_BYTES:
        raise ConfigError(f"{where}: {len(pepper)} bytes; a pepper is at least {MIN_BYTES} random bytes")
    return pepper


def _read(path: Path) -> bytes:
    try:
        return _decode(read_secret(path, "auth.pepper"), f"auth.pepper ({path})")
    except SecretFileError as err:
        raise ConfigError(str(err)) from None


def _create(path: Path) -> bytes:
    """Writes a new pepper at `path`; if another process got there first, uses its."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(base64.b64encode(secrets.token_bytes(MIN_BYTES)).decode() + "\n")
        f.flush()
        os.fsync(f.fileno())
    try:
        os.link(tmp, path)  # fails if it exists: two processes starting at once agree
    except FileExistsError:
        pass
    finally:
        tmp.unlink()
    return _read(path)


def describe(config: Config) -> str:
    """Where the pepper comes from, for `chatd check-config` (a bad one raises ConfigError)."""
    if config.keys.socket:
        return f"in the key process ({config.keys.socket})"
    if config.auth.pepper:
        _decode(config.auth.pepper, "auth.pepper")
        return "auth.pepper / auth.pepper_file"
    path = default_path(config)
    return f"{path}" if path.exists() else f"{path} (made on the first start)"


def local_pepper(config: Config, expected: str | None) -> tuple[bytes, str]:
    """(the pepper from this process's config or data_dir, where it came
    from); made on the first start, unless the database (`expected`, its
    id) already has hashes made with one."""
    path = default_path(config)
    if config.auth.pepper:
        return _decode(config.auth.pepper, "auth.pepper"), "auth.pepper / auth.pepper_file"
    if path.exists():
        return _read(path), str(path)
    if expected is not None:
        raise ConfigError(
            f"auth.pepper: {path} is missing, but this database's password hashes need the pepper with id"
            f" {expected}; put that file back (or set auth.pepper_file to it). A new pepper would lock every"
            " account out, so chatd will not make one")
    return _create(path), str(path)


async def open_passwords(config: Config, settings: SettingsStore, ring: KeyRing | None = None) -> Passwords:
    """The pepper this server hashes with (in this process, or the key
    process's when `ring` has one), checked against the database's."""
    expected = await settings.get(SETTING)
    if config.keys.socket:  # never made here: the key process has it
        if ring is None or not ring.info.pepper_id:
            raise ConfigError(f"keys.socket: the key process at {config.keys.socket} has no pepper")
        where = f"the key process ({config.keys.socket})"
    else:
        pepper, where = local_pepper(config, expected)
        ring = LocalKeyRing(pepper=pepper)
    passwords = Passwords(ring)
    if expected is None:
        await settings.put(SETTING, passwords.pepper_id, updated_by="chatd")
        expected = await settings.get(SETTING)  # another host may have started at the same moment
    if expected != passwords.pepper_id:
        raise ConfigError(
            f"auth.pepper: the pepper from {where} (id {passwords.pepper_id}) is not the one this database's"
            f" password hashes were made with (id {expected}); use that one: every process and host of one"
            " server shares it. Signing in would fail for every account")
    return passwords


__all__ = ["open_passwords", "local_pepper", "pepper_id", "default_path", "describe"]
