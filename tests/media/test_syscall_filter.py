"""The decoder's worker filters its own system calls once Pillow is loaded
(ASVS 14.2.6): it decodes every kind of image exactly as an unfiltered
process does, but a decoder exploit in it can no longer open a file (the
pepper), a socket, a process or an exec; a filter built from the wrong
architecture's table kills the process rather than letting a call pass."""

from __future__ import annotations

import io
import json
import platform
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from chatd.services.media import images, syscall_filter
from chatd.services.media.decode_worker import memory_cap
from chatd.services.media.decoder import ENV, Decoder
from tests.media.samples import jpeg_with_gps, png, png_bomb

pytestmark = [pytest.mark.one_backend,
              pytest.mark.skipif(platform.machine() not in syscall_filter.TABLES, reason="no table here")]
CAP = memory_cap(50_000_000)


def saved(kind: str, mode: str = "RGB", size=(300, 200), **options) -> bytes:
    out = io.BytesIO()
    Image.effect_noise(size, 30).convert(mode).save(out, kind, **options)
    return out.getvalue()


def animated_gif() -> bytes:
    frames = [Image.new("P", (120, 80), i) for i in range(3)]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=50, loop=0)
    return out.getvalue()


SAMPLES = {
    "jpeg": (jpeg_with_gps(640, 480), "image/jpeg"),
    "png": (png(400, 300, text="hello"), "image/png"),
    "gif": (saved("GIF", "P"), "image/gif"),
    "animated gif": (animated_gif(), "image/gif"),
    "cmyk jpeg": (saved("JPEG", "CMYK"), "image/jpeg"),
    "progressive jpeg": (saved("JPEG", progressive=True), "image/jpeg"),
    "16-bit png": (saved("PNG", "I;16"), "image/png"),
    "webp": (saved("WEBP", quality=70), "image/webp"),
    "animated webp": (saved("WEBP", "RGBA", save_all=True, append_images=[Image.new("RGBA", (300, 200))]),
                      "image/webp"),
    "bmp": (saved("BMP"), "image/bmp"),
    "corrupt": (png(40, 30)[:60], "image/png"),
    "bomb": (png_bomb(), "image/png"),
}


def outcome(run) -> tuple:
    try:
        facts = run()
    except images.BadImage as bad:
        return ("refused", bad.code)
    return ("facts", facts.width, facts.height, facts.data, facts.thumbnail)


async def test_the_filtered_worker_decodes_every_kind_as_an_unfiltered_process_does():
    decoder = Decoder(50_000_000)
    try:
        for name, (data, kind) in SAMPLES.items():
            here = outcome(lambda: images.examine(data, kind, strip=True, max_pixels=50_000_000))
            try:
                facts = await decoder.examine(data, kind, strip=True)
                there = ("facts", facts.width, facts.height, facts.data, facts.thumbnail)
            except images.BadImage as bad:
                there = ("refused", bad.code)
            assert there == here, name
        assert outcome(lambda: images.examine(*SAMPLES["jpeg"], strip=True, max_pixels=50_000_000))[0] == "facts"
        assert decoder.proc is not None
        status = Path(f"/proc/{decoder.proc.pid}/status").read_text()
        assert "Seccomp:\t2" in status and "NoNewPrivs:\t1" in status, status
        assert not decoder.warned  # the worker said it is filtered
    finally:
        await decoder.close()


def probe(tmp_path: Path, *machine: str) -> subprocess.CompletedProcess:
    """The worker's own preparation, then a would-be exploit's calls
    (tests/media/filter_probe.py), against a real pepper-like file and a
    real listening TCP port."""
    pepper = tmp_path / "pepper"
    pepper.write_bytes(b"\x01" * 32)
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]
        return subprocess.run([sys.executable, "-m", "tests.media.filter_probe", str(CAP), str(pepper), str(port),
                               *machine], env={**ENV, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
                              cwd="/", capture_output=True, text=True, timeout=60)


def test_a_decoder_exploit_can_open_no_file_socket_process_or_exec(tmp_path):
    done = probe(tmp_path)
    assert done.returncode == 0, done.stderr
    assert [json.loads(line) for line in done.stdout.splitlines()] == [
        {"unfiltered": "", "dumpable": -1, "open": "EPERM", "socket": "EPERM", "fork": "EPERM"}, {"execve": "EPERM"}]


def test_a_filter_from_another_architectures_table_kills_instead_of_passing(tmp_path):
    other = {"x86_64": "aarch64", "aarch64": "x86_64"}[platform.machine()]
    done = probe(tmp_path, other)
    assert done.returncode == -signal.SIGSYS, (done.returncode, done.stdout, done.stderr)
    assert done.stdout == ""


def test_without_a_table_the_worker_runs_unfiltered_and_says_why(tmp_path):
    """The honest fallback, and the control for the test above: with no
    table the worker keeps its limits, reports why, and all of it works."""
    done = probe(tmp_path, "sparc64")
    assert done.returncode == 0, done.stderr
    assert [json.loads(line) for line in done.stdout.splitlines()] == [  # the exec replaced it: no 2nd line
        {"unfiltered": "no system-call table for sparc64", "dumpable": 0, "open": "ok", "socket": "ok", "fork": "ok"}]
    with pytest.raises(syscall_filter.Unfiltered, match="no system-call table for sparc64"):
        syscall_filter.program("sparc64")
