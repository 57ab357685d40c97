"""`chatd init`: write a commented chatd.toml to start from."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def template() -> str:
    return files("chatd").joinpath("chatd.toml").read_text(encoding="utf-8")


def run(path: str, force: bool) -> int:
    target = Path(path)
    if target.exists() and not force:
        print(f"chatd: {target} exists; use --force to overwrite")
        return 1
    target.write_text(template(), encoding="utf-8")
    print(f"wrote {target}; edit it, then run: chatd check-config --config {target}")
    return 0
