"""`chatd init`: write a commented chatd.toml to start from."""

from __future__ import annotations

import base64
import os
import secrets
from importlib.resources import files
from pathlib import Path

KEY_LINE = 'second_factor_key = ""'
SOCKET_LINE = 'socket = ""'


def template() -> str:
    return files("chatd").joinpath("chatd.toml").read_text(encoding="utf-8")


def _key() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode()


def run(path: str, force: bool, keys_socket: str = "") -> int:
    """`keys_socket`: the keys go to a key process's config (keys.toml beside
    chatd.toml, config/chatd-keys.service) and chatd.toml names only its socket."""
    target = Path(path)
    keys_file = target.with_name("keys.toml")
    for file in [target] + ([keys_file] if keys_socket else []):
        if file.exists() and not force:
            print(f"chatd: {file} exists; use --force to overwrite")
            return 1
    # Each new install seals its TOTP secrets with a key of its own.
    key = _key()
    if not keys_socket:
        target.write_text(template().replace(KEY_LINE, f'second_factor_key = "{key}"', 1), encoding="utf-8")
        print(f"wrote {target}; edit it, then run: chatd check-config --config {target}")
        return 0
    target.write_text(template().replace(SOCKET_LINE, f'socket = "{keys_socket}"', 1), encoding="utf-8")
    fd = os.open(keys_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # keys: never readable by others
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(f'# The key process\'s config (`chatd keys serve --config {keys_file}`): the only place\n'
                  f'# the keys are. Its data_dir gets the password pepper on the first start.\n'
                  f'[server]\ndata_dir = "./keys-data"\n\n[keys]\nsocket = "{keys_socket}"\n'
                  f'# socket_group = "chatd-keys"   # the chatd server\'s user is a member: mode 0660\n\n'
                  f'[auth]\nsecond_factor_key = "{key}"\n\n[media]\nencryption_key = "{_key()}"\n')
    print(f"wrote {target} and {keys_file} (the keys, mode 0600: give it to the key process's user); run "
          f"`chatd keys serve --config {keys_file}`, then `chatd check-config --config {target}`")
    return 0
