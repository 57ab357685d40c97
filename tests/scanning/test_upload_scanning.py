"""Uploads pass the configured malware scanner (ASVS 12.4.2), on the media
folder and on S3: a clean file is kept, an infected one is refused with 422
and leaves nothing behind, and a scanner that crashes, stalls, never
answers or is busy fails the upload with 503, again leaving nothing."""

from __future__ import annotations

import asyncio
import hashlib
import os
import subprocess
import sys
import time

import pytest

from chatd.config import ConfigError
from chatd.storage.scan.choose import open_scanner
from tests.api.message_helpers import direct, send
from tests.conftest import make_config, register
from tests.media import samples
from tests.media.helpers import fetch, upload
from tests.scanning.conftest import EICAR, scanner_command, stored_blobs

UPLOADS = "/api/v1/conversations/{}/attachments"


async def _pair(c):
    alice, bob = await register(c, "alice"), await register(c, "bob")
    return alice, bob, await direct(c, alice, bob)


async def _refused(c, conv, who, data, status, code, filename="file.bin"):
    r = await c.post(UPLOADS.format(conv), headers=who.headers, files={"file": (filename, data, "text/plain")})
    assert r.status_code == status, r.text
    assert r.json()["code"] == code
    return r


async def _nothing_listed(c, conv, who):
    r = await c.get(UPLOADS.format(conv), headers=who.headers)
    assert r.status_code == 200 and r.json()["items"] == []


async def test_a_clean_upload_is_kept_and_the_scanner_saw_every_byte(scanned_app, tmp_path):
    record = tmp_path / "seen"
    async with scanned_app(scan_command=scanner_command("--record", str(record))) as (c, config):
        alice, bob, conv = await _pair(c)
        data = os.urandom(700_000)  # many chunks: the scanner gets them as they stream
        att = await upload(c, conv, alice, data)
        assert record.read_text() == f"{len(data)} {hashlib.sha256(data).hexdigest()}"
        await send(c, conv, alice, attachments=[att["id"]])
        assert (await fetch(c, att["id"], bob)).content == data


async def test_an_infected_upload_is_refused_and_nothing_is_kept(scanned_app, capfd):
    async with scanned_app(scan_command=scanner_command()) as (c, config):
        alice, _, conv = await _pair(c)
        data = os.urandom(200_000) + EICAR + os.urandom(200_000)
        name = "report.pdf\nmedia: FORGED admin line"
        r = await _refused(c, conv, alice, data, 422, "attachment_rejected", filename=name)
        assert "malware" in r.json()["detail"]
        await _nothing_listed(c, conv, alice)
        assert stored_blobs(config) == []
        log = capfd.readouterr().err  # the app's log lines (starting it replaces pytest's log capture)
        lines = [line for line in log.splitlines() if "refused an upload" in line]
        assert len(lines) == 1
        assert alice.id in lines[0] and hashlib.sha256(data).hexdigest() in lines[0]
        assert lines[0].endswith("found Eicar-Test-Signature")
        assert "report" not in log and "FORGED" not in log
        # Quota untouched and the next clean file goes through.
        await upload(c, conv, alice, b"clean words")


async def test_an_infected_image_is_refused_before_it_is_decoded(scanned_app):
    async with scanned_app(scan_command=scanner_command()) as (c, config):
        alice, _, conv = await _pair(c)
        await _refused(c, conv, alice, samples.png() + EICAR, 422, "attachment_rejected", filename="a.png")
        await _nothing_listed(c, conv, alice)
        assert stored_blobs(config) == []
        assert (await upload(c, conv, alice, samples.png(), filename="b.png"))["thumbnail"] is True


async def test_an_infected_avatar_is_refused_and_the_old_one_stays(scanned_app):
    async with scanned_app(scan_command=scanner_command()) as (c, config):
        alice = await register(c, "alice")
        r = await c.put("/api/v1/me/avatar", headers=alice.headers, files={"file": ("a.png", samples.png(), "image/png")})
        assert r.status_code == 200, r.text
        before = r.json()["avatar"]
        r = await c.put("/api/v1/me/avatar", headers=alice.headers,
                        files={"file": ("a.png", samples.png() + EICAR, "image/png")})
        assert r.status_code == 422 and r.json()["code"] == "attachment_rejected"
        assert (await c.get("/api/v1/me", headers=alice.headers)).json()["avatar"] == before
        assert len(stored_blobs(config)) == 1


async def test_encrypted_uploads_are_scanned_too(scanned_app):
    """A client cannot skip the scan by calling plain bytes end-to-end encrypted."""
    async with scanned_app(scan_command=scanner_command()) as (c, config):
        alice, _, conv = await _pair(c)
        r = await c.post(UPLOADS.format(conv), headers=alice.headers, params={"encrypted": "true"},
                         files={"file": ("x", EICAR, "application/octet-stream")})
        assert r.status_code == 422 and r.json()["code"] == "attachment_rejected"
        assert stored_blobs(config) == []


@pytest.mark.parametrize("flag", ["--crash", "--quit-early"])
async def test_a_scanner_that_fails_means_503_and_nothing_kept(scanned_app, flag, capfd):
    """--crash: exit 2 (clamdscan's "error"); --quit-early: exit 0 without
    reading the whole file, which is no verdict on it."""
    async with scanned_app(scan_command=scanner_command(flag)) as (c, config):
        alice, _, conv = await _pair(c)
        r = await _refused(c, conv, alice, os.urandom(500_000), 503, "scanner_unavailable")
        assert r.headers["retry-after"] == "30"
        await _nothing_listed(c, conv, alice)
        assert stored_blobs(config) == []
        assert "failed on an upload" in capfd.readouterr().err


@pytest.mark.parametrize("flag", ["--hang", "--stall"])
async def test_a_scanner_that_never_answers_times_out(scanned_app, flag, tmp_path):
    """--hang: reads everything, then no verdict; --stall: never reads (the
    upload's bytes back up). Either way 503 after the timeout, and the
    scanner process is killed."""
    pidfile = tmp_path / "pid"
    async with scanned_app(scan_command=scanner_command(flag, "--pidfile", str(pidfile)),
                           scan_timeout_seconds=1) as (c, config):
        alice, _, conv = await _pair(c)
        started = time.monotonic()
        await _refused(c, conv, alice, os.urandom(3_000_000), 503, "scanner_unavailable")
        assert time.monotonic() - started < 10
        await _nothing_listed(c, conv, alice)
        assert stored_blobs(config) == []
        pid = int(pidfile.read_text())
        for _ in range(50):
            if not os.path.exists(f"/proc/{pid}") or "Z" in open(f"/proc/{pid}/stat").read().split()[2]:
                break
            await asyncio.sleep(0.1)
        else:
            pytest.fail("the timed-out scanner is still running")


async def test_scans_at_once_are_bounded(scanned_app, tmp_path):
    intervals = tmp_path / "intervals"
    intervals.mkdir()
    async with scanned_app(scan_command=scanner_command("--slow", "0.4", "--intervals", str(intervals)),
                           scan_concurrency=1, scan_timeout_seconds=20) as (c, config):
        alice, _, conv = await _pair(c)
        results = await asyncio.gather(*[upload(c, conv, alice, os.urandom(1000) + bytes([i])) for i in range(3)])
        assert len({a["id"] for a in results}) == 3
    spans = sorted(tuple(map(float, p.read_text().split())) for p in intervals.iterdir())
    assert len(spans) == 3
    for (_, end), (start, _) in zip(spans, spans[1:]):
        assert start >= end - 0.05, spans  # one scanner process at a time


async def test_every_slot_busy_past_the_timeout_is_503(scanned_app):
    async with scanned_app(scan_command=scanner_command("--slow", "3"), scan_concurrency=1,
                           scan_timeout_seconds=1.5) as (c, config):
        alice, _, conv = await _pair(c)
        first = asyncio.ensure_future(c.post(UPLOADS.format(conv), headers=alice.headers,
                                             files={"file": ("a", b"one", "text/plain")}))
        await asyncio.sleep(0.3)
        await _refused(c, conv, alice, b"two", 503, "scanner_unavailable")
        assert (await first).status_code == 503  # its own verdict took 3 s > 1.5 s


@pytest.mark.parametrize("command", ["serve", "check-config"])
def test_a_missing_scanner_program_stops_the_start(tmp_path, command):
    """Decided: a scan_command whose program is not there is a config error
    (exit 2, one line), not a server that starts and refuses every upload."""
    conf = tmp_path / "chatd.toml"
    conf.write_text(f'[server]\ndata_dir = "{tmp_path}"\nport = 1\n'
                    '[media]\nscan_command = "/nonexistent/clamdscan --no-summary -"\n')
    done = subprocess.run([sys.executable, "-m", "chatd", command, "--config", str(conf)], capture_output=True,
                          text=True, timeout=60, env={**os.environ, "CHATD_CONFIG": ""})
    assert done.returncode == 2, done
    assert "media.scan_command" in done.stderr and "/nonexistent/clamdscan is not an executable" in done.stderr
    assert not (tmp_path / "chatd.db").exists()  # nothing started


def test_check_config_names_the_scanner(tmp_path):
    conf = tmp_path / "chatd.toml"
    conf.write_text(f'[media]\nscan_command = "{sys.executable} -c pass"\n')
    done = subprocess.run([sys.executable, "-m", "chatd", "check-config", "--config", str(conf)], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0 and f"scanned by command {sys.executable}" in done.stdout, done


@pytest.mark.parametrize("media, words", [
    ({"scan_command": "true", "scan_clamd": "unix:///run/clamd.sock"}, "choose one"),
    ({"scan_clamd": "http://clamd:3310"}, "expected unix:///path"),
    ({"scan_command": "'unclosed"}, "No closing quotation"),
])
def test_bad_scanner_settings_are_refused(tmp_path, media, words):
    with pytest.raises(ConfigError, match=words):
        open_scanner(make_config(tmp_path, media=media))
