"""`chatd init`: write a commented chatd.toml to start from."""

from __future__ import annotations

import base64
import secrets
from importlib.resources import files
from pathlib import Path

KEY_LINE = 'second_factor_key = ""'


def template() -> str:
    return files("chatd").joinpath("chatd.toml").read_text(encoding="utf-8")


def run(path: str, force: bool) -> int:
    target = Path(path)
    if target.exists() and not force:
        print(f"chatd: {target} exists; use --force to overwrite")
        return 1
    # Each new install seals its TOTP secrets with a key of its own.
    key = base64.b64encode(secrets.token_bytes(32)).decode()
    text = template().replace(KEY_LINE, f'second_factor_key = "{key}"', 1)
    target.write_text(text, encoding="utf-8")
    print(f"wrote {target}; edit it, then run: chatd check-config --config {target}")
    return 0
