"""A real MongoDB-wire server for the tests: SecantusDB (PyPI secantusdb,
pinned in the test extra), a one-node replica set with transactions.

CHATD_TEST_MONGO=mongodb://host:port/?... points the tests at a server of
your own (a real MongoDB works too); otherwise one session-wide
`secantusd-py` is started from the venv's bin/ on a free port, in memory,
and stopped at the end. Every test gets a database of its own, dropped
afterwards. Locally a missing server skips the Mongo tests (the reason is
printed); with CI=true it fails them.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

STARTUP_SECONDS = 30


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


@contextmanager
def secantus(log_dir: Path, *flags: str) -> Iterator[str]:
    """A SecantusDB in memory on a free port while the block runs; its URL."""
    from tests.conftest import need_server
    from tests.server_process import serving

    beside = Path(sys.executable).parent / "secantusd-py"
    binary = str(beside) if beside.exists() else shutil.which("secantusd-py")
    if binary is None:
        need_server("SecantusDB", FileNotFoundError("secantusd-py is not installed (pip install -e '.[test]')"))
    port = _free_port()
    log = log_dir / "secantus.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([binary, "--host", "127.0.0.1", "--port", str(port), "--storage-path", ":memory:",
                                 *flags], stdout=out, stderr=subprocess.STDOUT)
    with serving(proc, lambda: _answers(port), "SecantusDB", log, STARTUP_SECONDS):
        yield f"mongodb://127.0.0.1:{port}/?directConnection=true"


@pytest.fixture(scope="session")
def mongo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A MongoDB URL without a database name (see mongo_url)."""
    own = os.environ.get("CHATD_TEST_MONGO")
    if own:
        yield own
        return
    with secantus(tmp_path_factory.mktemp("secantus")) as url:
        yield url


def mongo_url(server: str) -> str:
    """A URL naming a database of its own on `server`."""
    base, _, query = server.partition("/?")
    name = f"chatd_test_{uuid.uuid4().hex[:10]}"
    return f"{base.rstrip('/')}/{name}" + (f"?{query}" if query else "")


async def drop_mongo_database(url: str, name: str) -> None:
    from pymongo import AsyncMongoClient

    client: AsyncMongoClient = AsyncMongoClient(url)
    try:
        await client.drop_database(name)
    finally:
        await client.close()
