"""A throwaway PostgreSQL cluster the test controls: initdb in a temp dir,
started on a free port with pg_ctl (as the postgres user when the tests run
as root, since initdb refuses root), stopped and started again mid-test to
play a database that goes away. Locally a machine without PostgreSQL's
binaries skips (the reason is printed); with CI=true it fails."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgCluster:
    def __init__(self, root: Path, bindir: Path, initdb_flags: tuple[str, ...] = ()):
        self.root, self.bindir, self.initdb_flags = root, bindir, initdb_flags
        self.data, self.log = root / "data", root / "server.log"
        self.port = _free_port()
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        self.options = ""  # more server settings for the next start ("-c ssl=on ...")

    def _run(self, *args: str, check: bool = True) -> int:
        cmd = [str(self.bindir / args[0]), *args[1:]]
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        if check and done.returncode != 0:
            raise RuntimeError(f"{args[0]} failed: {done.stderr}{done.stdout}")
        return done.returncode

    def init(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync",
                  *self.initdb_flags)

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "30", "start", "-o",
                  f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root} -c fsync=off {self.options}")

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def running(self) -> bool:
        return self._run("pg_ctl", "-D", str(self.data), "status", check=False) == 0

    def database(self, name: str) -> str:
        return self.url.rsplit("/", 1)[0] + "/" + name


def _bindir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


@pytest.fixture
def pg_cluster() -> Iterator[PgCluster]:
    yield from _cluster()


# A small disk for the full-disk test: tmpfs, 1 MiB WAL segments.
SMALL_DISK_MB = 96


@pytest.fixture
def pg_cluster_small_disk() -> Iterator[PgCluster]:
    """A cluster whose whole data directory is a SMALL_DISK_MB tmpfs (root
    only: mounting needs it; otherwise skipped, saying why)."""
    root = Path(tempfile.mkdtemp(prefix="chatd-pg-disk-"))
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={SMALL_DISK_MB}m", "tmpfs", str(root)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        root.rmdir()
        pytest.skip(f"cannot mount a small tmpfs for PostgreSQL's data ({mounted.stderr.strip()})")
    try:
        yield from _cluster(root, ("--wal-segsize=1",))
    finally:
        subprocess.run(["umount", "-l", str(root)], capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


def _cluster(root: Path | None = None, flags: tuple[str, ...] = ()) -> Iterator[PgCluster]:
    from tests.conftest import need_server

    bindir = _bindir()
    if bindir is None:
        need_server("PostgreSQL's initdb", FileNotFoundError("no /usr/lib/postgresql/*/bin/initdb"))
    root = root or Path(tempfile.mkdtemp(prefix="chatd-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    cluster = PgCluster(root, bindir, flags)
    try:
        cluster.init()
        cluster.start()
    except (RuntimeError, OSError) as err:
        shutil.rmtree(root, ignore_errors=True)
        need_server("a throwaway PostgreSQL cluster", err)
    try:
        yield cluster
    finally:
        try:
            cluster.stop("immediate")
        except RuntimeError:
            pass  # already stopped
        shutil.rmtree(root, ignore_errors=True)
