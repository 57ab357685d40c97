"""A real key process (`chatd keys serve`) for tests: its own config and
data_dir (where its pepper is made), a socket under a short /tmp path
(a Unix socket path is at most 107 bytes; pytest's tmp_path may be longer)."""

from __future__ import annotations

import base64
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from chatd.bench.server import write_config
from tests.dumpable import GROUP


def keygen() -> str:
    return base64.b64encode(os.urandom(32)).decode()


class KeyProcess:
    def __init__(self, data_dir: Path, **sections: dict[str, Any]):
        self.data_dir = data_dir
        self.run_dir = Path(tempfile.mkdtemp(prefix="ck", dir="/tmp"))
        self.socket = str(self.run_dir / "keys.sock")
        self.config_path = data_dir / "keys.toml"
        self.log_path = data_dir / "keys.log"
        self.sections = {"server": {"data_dir": str(data_dir)}, "keys": {"socket": self.socket}, **sections}
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 15.0) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        write_config(self.config_path, self.sections)
        env = {k: v for k, v in os.environ.items() if not k.startswith("CHATD_")}  # its config file alone
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen([sys.executable, "-m", "chatd", "keys", "serve", "--config",
                                          str(self.config_path)], stdout=log, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, env=env, group=GROUP)
        deadline = time.monotonic() + timeout
        while not self.answers():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"key process did not start:\n{self.log_path.read_text(errors='replace')[-800:]}")
            time.sleep(0.05)

    def answers(self) -> bool:
        with socket.socket(socket.AF_UNIX) as s:
            try:
                s.connect(self.socket)
                return True
            except OSError:
                return False

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.run_dir, ignore_errors=True)
