"""A private redis-server on a free loopback port in a directory of its own
(no persistence), for `chatd bench --processes N` and the tests that stop
and restart Redis. The binary comes from PATH (Debian: redis-server)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

from chatd.bench.server import free_port

STARTUP_SECONDS = 10


def answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.3):
            return True
    except OSError:
        return False


class RedisServer:
    """start(), stop() (SIGKILL: an outage), start() again on the same port."""

    def __init__(self, workdir: Path, binary: str | None = None):
        found = binary or shutil.which("redis-server")
        if found is None:
            raise FileNotFoundError("redis-server is not installed (Debian: apt-get install redis-server)")
        self.binary, self.dir, self.port = found, workdir, free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen[bytes] | None = None
        # (certificate, key): the next start() speaks TLS only, on the same port (tests of TLS to Redis).
        self.tls: tuple[Path, Path] | None = None

    def start(self) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        with open(self.dir / "redis.log", "ab") as log:
            ports = ["--port", str(self.port)] if self.tls is None else [
                "--port", "0", "--tls-port", str(self.port), "--tls-cert-file", str(self.tls[0]),
                "--tls-key-file", str(self.tls[1]), "--tls-auth-clients", "no"]
            self.proc = subprocess.Popen([self.binary, "--bind", "127.0.0.1", *ports,
                                          "--dir", str(self.dir), "--save", "", "--appendonly", "no"],
                                         stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + STARTUP_SECONDS
        while not answers("127.0.0.1", self.port):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"redis-server did not start: {(self.dir / 'redis.log').read_text()[-500:]}")
            time.sleep(0.02)

    def stop(self) -> None:
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.kill()
            self.proc.wait(5)
            self.proc = None
