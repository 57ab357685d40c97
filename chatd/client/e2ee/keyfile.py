"""This client's private keys on disk: one JSON file per server and account,
readable by its owner only (0600, in a 0700 folder), written atomically.

It holds the current device and the devices restored from a key backup
(kept for reading what was sent to them). The folder is $CHATD_CONFIG_DIR,
else $XDG_CONFIG_HOME/chatd, else ~/.config/chatd; keys live in its `e2ee`
subfolder next to `trust-*.json` (safety numbers seen, see trust.py).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from chatd.client.e2ee.device import Device


def config_dir() -> Path:
    if os.environ.get("CHATD_CONFIG_DIR"):
        return Path(os.environ["CHATD_CONFIG_DIR"])
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "chatd"


def account_stem(server_url: str, user_id: str) -> str:
    """A file name part for (server, account): host_port-userid."""
    parts = urlsplit(server_url)
    host = re.sub(r"[^A-Za-z0-9.-]", "_", f"{parts.hostname or 'server'}_{parts.port or ''}")
    return f"{host}-{re.sub(r'[^A-Za-z0-9_-]', '_', user_id)}"


def write_private(path: Path, data: dict[str, Any]) -> None:
    """Replace `path` with `data` as JSON; nobody but the owner may read it,
    not even for an instant (the temporary file is created 0600)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(data, out, indent=1)
        out.flush()
        os.fsync(out.fileno())
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


class KeyFile:
    def __init__(self, path: Path):
        self.path = path
        self.device: Device | None = None
        self.restored: list[Device] = []

    @classmethod
    def for_account(cls, server_url: str, user_id: str, folder: Path | None = None) -> "KeyFile":
        keys = cls((folder or config_dir()) / "e2ee" / f"keys-{account_stem(server_url, user_id)}.json")
        keys.load()
        return keys

    def load(self) -> None:
        if not self.path.exists():
            return
        data = json.loads(self.path.read_text(encoding="utf-8"))
        self.device = Device.of_json(data["device"]) if data.get("device") else None
        self.restored = [Device.of_json(d) for d in data.get("restored", [])]

    def save(self) -> None:
        write_private(self.path, {
            "v": 1,
            "device": self.device.secrets() if self.device else None,
            "restored": [d.secrets() for d in self.restored],
        })

    def all_devices(self) -> list[Device]:
        """The current device first, then restored ones (no duplicates)."""
        out: dict[str, Device] = {}
        for d in ([self.device] if self.device else []) + self.restored:
            out.setdefault(d.device_id, d)
        return list(out.values())

    def add_restored(self, devices: list[Device]) -> int:
        """Keep devices from a backup for reading; how many were new here."""
        known = {d.device_id for d in self.all_devices()}
        new = [d for d in devices if d.device_id not in known]
        self.restored.extend(new)
        self.save()
        return len(new)
