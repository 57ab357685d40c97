"""config/chatd.service keeps a hole in chatd or a library it runs inside
the service's box (ASVS 14.2.6, 1.2.1): systemd's own rating of the unit
stays under a threshold, the unit parses without a warning, and chatd
really serves under the strictest line, MemoryDenyWriteExecute=."""

from __future__ import annotations

import ctypes.util
import io
import os
import re
import shutil
import subprocess
from pathlib import Path

import httpx
import pytest
from PIL import Image

from chatd.bench.population import Population, close_all, open_sockets
from chatd.bench.server import BENCH_ENV, ServerProcess
from chatd.client.e2ee.device import Device

ROOT = Path(__file__).resolve().parents[2]
UNIT = ROOT / "config" / "chatd.service"
# systemd-analyze's scale: 0 (locked down) to 10 (no sandbox at all); the
# unit as shipped before this check scored 8.5, today's 1.4. What is left
# is what a network server needs: the network, local sockets, the host's
# users and root directory.
THRESHOLD = 2.0


def analyze() -> str:
    found = shutil.which("systemd-analyze")
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("systemd-analyze is missing (Debian: systemd)")
        pytest.skip("systemd-analyze is not installed")
    return found


def test_systemd_rates_the_unit_under_the_threshold(tmp_path):
    unit = tmp_path / "chatd.service"
    shutil.copy(UNIT, unit)
    done = subprocess.run([analyze(), "security", "--offline=true", f"--threshold={round(THRESHOLD * 10)}",
                           "--no-pager", str(unit)], capture_output=True, text=True)
    score = re.search(r"Overall exposure level for chatd\.service: (\d+\.\d+)", done.stdout)
    assert score, done.stdout + done.stderr
    assert float(score[1]) <= THRESHOLD, done.stdout
    assert done.returncode == 0, done.stdout + done.stderr
    # The lines the rating cannot see but the rest of this file relies on.
    text = UNIT.read_text()
    for line in ["ProtectSystem=strict", "ReadWritePaths=/var/lib/chatd", "NoNewPrivileges=true",
                 "CapabilityBoundingSet=\n", "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6",
                 "SystemCallFilter=@system-service", "MemoryDenyWriteExecute=true", "User=chatd"]:
        assert line in text, line


def test_the_unit_parses_without_a_warning(tmp_path):
    """`systemd-analyze verify` on the unit as shipped; only ExecStart points
    at a stand-in, since /opt/chatd is not installed here (verify checks the
    file is executable)."""
    done = verify(UNIT, tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip() == "" and done.stdout.strip() == "", done.stderr


def verify(shipped: Path, tmp_path: Path) -> subprocess.CompletedProcess:
    """`systemd-analyze verify` of `shipped` with ExecStart at an executable stand-in."""
    program = tmp_path / "chatd"
    program.write_text("#!/bin/sh\n")
    program.chmod(0o755)
    unit = tmp_path / shipped.name
    unit.write_text(shipped.read_text().replace("ExecStart=/opt/chatd/.venv/bin/chatd", f"ExecStart={program}"))
    return subprocess.run([analyze(), "verify", "--man=no", str(unit)], capture_output=True, text=True)


async def test_chatd_serves_with_no_writable_code(tmp_path):
    """Under the seccomp filter MemoryDenyWriteExecute= installs (no_wx_site),
    every native part chatd loads works: granian and uvloop serving HTTP and
    a WebSocket, argon2-cffi signing up, PyNaCl checking device keys, Pillow
    decoding an image and making its thumbnail, GraphQL answering."""
    site = ROOT / "tests" / "e2e" / "no_wx_site"
    if ctypes.util.find_library("seccomp") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("libseccomp2 is missing")
        pytest.skip("libseccomp2 is not installed")
    probe = subprocess.run(["python3", "-c", "import mmap; mmap.mmap(-1, 4096, prot=7)"],
                           env={**os.environ, "PYTHONPATH": str(site)}, capture_output=True, text=True)
    assert "Operation not permitted" in probe.stderr, "the filter did not refuse a writable, executable map"

    server = ServerProcess(tmp_path, env={**BENCH_ENV, "PYTHONPATH": str(site), "CHATD_ARGON2_FAST": "0",
                                          "CHATD_FEATURES__GRAPHQL": "true"})
    await server.start()
    population = Population(server.url)
    try:
        status = Path(f"/proc/{server.pid}/status").read_text()
        assert re.search(r"^Seccomp:\s+2$", status, re.M), "the server runs without the filter"
        alice, bob = await population.ensure(2)
        conversation = await population.conversation([alice, bob], "wx")
        sockets = await open_sockets([alice, bob], server.url, lambda i: lambda f: None)
        await alice.client.send(conversation, "hello under seccomp")
        await close_all(sockets)
        await alice.client.publish_keys(**Device.generate().published())
        picture = io.BytesIO()
        Image.new("RGB", (640, 480), (200, 40, 90)).save(picture, "PNG")
        attachment = await alice.client.upload(conversation, picture.getvalue(), filename="red.png")
        thumbnail = await alice.client.download(attachment.id, thumbnail=True)
        assert Image.open(io.BytesIO(thumbnail)).size[0] <= 640
        async with httpx.AsyncClient(base_url=server.url, trust_env=False) as http:
            answer = await http.post("/api/v1/graphql", json={"query": "{ me { id } }"},
                                     headers={"Authorization": f"Bearer {alice.token}"})
        assert answer.json() == {"data": {"me": {"id": alice.id}}}, answer.text
    finally:
        await population.aclose()
        assert server.stop() == 0, server.log_tail()
    assert "Traceback" not in server.log_path.read_text(), server.log_tail()


def test_the_key_process_unit_is_boxed_tighter_and_parses(tmp_path):
    """config/chatd-keys.service (ASVS 6.4.2): its own user, no network, no
    core dumps; rated and verified like chatd's, and chatd's unit orders
    itself after it."""
    keys_unit = ROOT / "config" / "chatd-keys.service"
    done = verify(keys_unit, tmp_path)
    assert done.returncode == 0 and done.stderr.strip() == "", done.stderr
    done = subprocess.run([analyze(), "security", "--offline=true", "--no-pager", str(tmp_path / keys_unit.name)],
                          capture_output=True, text=True)
    score = re.search(r"Overall exposure level for chatd-keys\.service: (\d+\.\d+)", done.stdout)
    assert score and float(score[1]) <= 1.0, done.stdout
    text = keys_unit.read_text()
    for line in ["User=chatd-keys", "PrivateNetwork=true", "RestrictAddressFamilies=AF_UNIX\n", "LimitCORE=0",
                 "ExecStart=/opt/chatd/.venv/bin/chatd keys serve", "MemoryDenyWriteExecute=true"]:
        assert line in text, line
    assert "chatd-keys.service" in UNIT.read_text().split("[Service]")[0]
