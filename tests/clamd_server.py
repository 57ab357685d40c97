"""A real clamd for the tests (Debian's clamav-daemon and clamdscan).

The signature databases come from the internet (freshclam), which the test
machines cannot reach, so this clamd loads one signature database of our
own: the EICAR test string as a body signature (an .ndb file, ClamAV's own
format). Everything else is the real engine, socket and protocol. Started
once per session on a unix socket in a temp folder; locally a missing clamd
skips its tests (the reason is printed), with CI=true it fails them.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import need_server
from tests.server_process import serving

CLAMD = "/usr/sbin/clamd"
SIGNATURE = "Chatd-Test-Eicar:0:*:" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE".hex()
# Small, so the test of a stream over clamd's limit stays small too.
STREAM_MAX = "2M"


@dataclass
class Clamd:
    conf: Path
    socket: Path


@pytest.fixture(scope="session")
def clamd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Clamd]:
    if not Path(CLAMD).exists() or shutil.which("clamdscan") is None:
        need_server("clamd", FileNotFoundError("apt-get install clamav-daemon clamdscan"))
    home = tmp_path_factory.mktemp("clamd")
    (home / "db").mkdir()
    (home / "db" / "chatd-test.ndb").write_text(SIGNATURE + "\n")
    conf = home / "clamd.conf"
    sock = home / "clamd.sock"
    conf.write_text("\n".join([
        "Foreground yes", f"DatabaseDirectory {home / 'db'}", f"LocalSocket {sock}", f"LogFile {home / 'clamd.log'}",
        f"TemporaryDirectory {home}", f"StreamMaxLength {STREAM_MAX}", "",
    ]))
    proc = subprocess.Popen([CLAMD, "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with serving(proc, sock.exists, "clamd", home / "clamd.log"):
        yield Clamd(conf, sock)
