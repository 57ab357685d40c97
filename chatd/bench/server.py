"""A real chatd server in a subprocess (`python -m chatd serve`) on a free
loopback port and a throwaway data directory; the benchmark and the
client tests both run against it.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from chatd.bench.procstat import cpu_with_waited_children

# What a load test needs that production must not have: many messages per
# user and cheap password hashing for hundreds of accounts (see
# chatd/services/passwords.py).
BENCH_CONFIG: dict[str, dict[str, Any]] = {
    "limits": {"messages_per_minute": 100_000, "max_upload_mb": 1024},
    "auth": {"login_attempts_per_minute": 1000},
}
BENCH_ENV = {"CHATD_ARGON2_FAST": "1",
             # Every simulated client comes from 127.0.0.1, and a few may
             # carry a high rate each (--rate over few --clients).
             "CHATD_REALTIME__MAX_SOCKETS_PER_ADDRESS": "1000000",
             "CHATD_REALTIME__MAX_FRAMES_PER_SECOND": "100000",
             # One made-up password pepper for every bench and test server:
             # several of them share one database (a deployment's processes,
             # a test session's PostgreSQL), and each has a data_dir of its
             # own, where it would otherwise make a pepper of its own.
             "CHATD_AUTH__PEPPER": "Y2hhdGQgYmVuY2gvdGVzdCBzZXJ2ZXJzLCBzaGFyZWQ="}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def write_config(path: Path, sections: dict[str, dict[str, Any]]) -> None:
    lines = []
    for name, values in sections.items():
        lines.append(f"[{name}]")
        lines.extend(f"{key} = {toml_value(value)}" for key, value in values.items())
        lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")


class ServerProcess:
    """`await start()` spawns and waits for /readyz (recording how long that
    took); `stop()` sends SIGTERM and waits. The log goes to data_dir/server.log."""

    def __init__(self, data_dir: Path, *, database: str | None = None,
                 config: dict[str, dict[str, Any]] | None = None, env: dict[str, str | None] | None = None,
                 group: int | None = None):
        self.data_dir = data_dir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.config_path = data_dir / "chatd.toml"
        self.log_path = data_dir / "server.log"
        sections: dict[str, dict[str, Any]] = {
            "server": {"host": "127.0.0.1", "port": self.port, "public_url": self.url, "data_dir": str(data_dir)},
            "storage": {"database": database or f"sqlite:///{data_dir}/chatd.db", "media": f"file:///{data_dir}/media"},
        }
        for name, values in (config or {}).items():
            sections.setdefault(name, {}).update(values)
        self.sections = sections
        # A None in `env` leaves that variable out.
        self.env = {k: v for k, v in {**os.environ, **(env or {})}.items() if v is not None}
        self.group = group  # the process's group id, when started by root (a test tells ownership by it)
        self.proc: subprocess.Popen[bytes] | None = None
        self.ready_seconds = 0.0
        self.ready_cpu_seconds: float | None = None  # CPU the server used until then: less noisy on a busy host

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    async def start(self, timeout: float = 30.0) -> float:
        """Spawn and wait until /readyz answers 200; returns seconds to ready."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        write_config(self.config_path, self.sections)
        log = self.log_path.open("ab")
        began = time.perf_counter()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "chatd", "serve", "--config", str(self.config_path)],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=self.env, group=self.group,
        )
        log.close()
        async with httpx.AsyncClient(base_url=self.url, trust_env=False, timeout=1.0) as http:
            while time.perf_counter() - began < timeout:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"server exited with {self.proc.returncode}:\n{self.log_tail()}")
                try:
                    if (await http.get("/readyz")).status_code == 200:
                        self.ready_seconds = time.perf_counter() - began
                        self.ready_cpu_seconds = cpu_with_waited_children(self.proc.pid)
                        return self.ready_seconds
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.005)
        self.stop()
        raise RuntimeError(f"server not ready after {timeout} s:\n{self.log_tail()}")

    def stop(self, timeout: float = 15.0) -> int | None:
        """SIGTERM, then SIGKILL after `timeout`; returns the exit code."""
        if self.proc is None or self.proc.poll() is not None:
            return None if self.proc is None else self.proc.returncode
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait(5)

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"
