"""Untrusted images are decoded in a process of their own (ASVS 14.2.6):
the server never loads Pillow; the worker starts on the first image with no
environment, no descriptors but its pipes and capped memory and CPU, and
leaves when idle; an image that breaks it is refused and the next one works."""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from PIL import Image

from chatd.bench.population import Population
from chatd.bench.server import BENCH_ENV, ServerProcess
from chatd.services.media import decoder as decoder_module
from chatd.services.media import images
from chatd.services.media.decoder import Decoder
from tests.media.samples import png

ROOT = Path(__file__).resolve().parents[2]
# Uploads, served or in-process: the same on every backend.
pytestmark = pytest.mark.one_backend


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def maps(pid: int) -> str:
    return Path(f"/proc/{pid}/maps").read_text()


async def test_the_server_never_loads_pillow_and_its_worker_holds_nothing(tmp_path):
    server = ServerProcess(tmp_path, env={**BENCH_ENV, "CHATD_TEST_SECRET_MARK": "do-not-inherit"})
    await server.start()
    population = Population(server.url)
    try:
        assert children(server.pid) == []  # nothing started before an image arrives
        alice, bob = await population.ensure(2)
        conversation = await population.conversation([alice, bob], "pics")
        picture = io.BytesIO()
        Image.new("RGB", (800, 600), (10, 120, 200)).save(picture, "JPEG")
        attachment = await alice.client.upload(conversation, picture.getvalue(), filename="blue.jpg")
        assert (attachment.width, attachment.height) == (800, 600)
        assert Image.open(io.BytesIO(await alice.client.download(attachment.id, thumbnail=True))).size == (320, 240)

        (worker,) = children(server.pid)
        assert "_imaging" not in maps(server.pid)  # Pillow's C core is in the worker only
        assert "_imaging" in maps(worker)
        environ = Path(f"/proc/{worker}/environ").read_bytes().split(b"\0")[:-1]
        assert environ == [f"PATH={os.defpath}".encode(), f"PYTHONPATH={ROOT}".encode()]  # no CHATD_*
        fds = {int(fd): os.readlink(f"/proc/{worker}/fd/{fd}") for fd in os.listdir(f"/proc/{worker}/fd")}
        # Its pipes and the log (uvloop may leave a duplicate of a pipe end
        # open in the child: the same pipe), nothing of the server's.
        assert set(fds.values()) == {fds[0], fds[1], fds[2]}, fds
        assert os.readlink(f"/proc/{worker}/cwd") == "/"
        limits = Path(f"/proc/{worker}/limits").read_text()
        cap = re.search(r"^Max address space\s+(\d+)\s+(\d+)", limits, re.M)
        assert cap and int(cap[1]) == decoder_module.memory_cap(50_000_000), limits
        assert re.search(r"^Max cpu time\s+60\s+61\s+seconds", limits, re.M), limits
    finally:
        await population.aclose()
        assert server.stop() == 0, server.log_tail()


@contextlib.asynccontextmanager
async def opened(max_pixels: int = 50_000_000, memory: int | None = None) -> AsyncIterator[Decoder]:
    decoder = Decoder(max_pixels, memory)
    try:
        yield decoder
    finally:
        await decoder.close()


async def test_the_worker_starts_on_first_use_and_leaves_when_idle(monkeypatch):
    monkeypatch.setattr(decoder_module, "IDLE_SECONDS", 0.3)
    async with opened() as decoder:
        assert decoder.proc is None
        facts = await decoder.examine(png(40, 30), "image/png", strip=True)
        assert (facts.width, facts.height) == (40, 30)
        proc = decoder.proc
        assert proc is not None and proc.returncode is None
        await asyncio.wait_for(proc.wait(), 5)  # closed by the server after 0.3 s idle
        assert decoder.proc is None
        facts = await decoder.examine(png(20, 10), "image/png", strip=False)  # a new one starts
        assert (facts.width, facts.height) == (20, 10)


async def test_an_image_that_breaks_the_worker_is_refused_and_the_next_one_works():
    """A picture that needs more memory than the worker may have (here a
    small cap stands in for a bomb that gets past the pixel count) kills the
    worker, twice, and is refused like a corrupt file; the server's own
    memory is never touched, and the next image gets a fresh worker."""
    async with opened(memory=220 * 2**20) as decoder:
        big = io.BytesIO()
        Image.new("RGB", (6000, 6000), (1, 2, 3)).save(big, "PNG")
        with pytest.raises(images.BadImage) as refused:
            await decoder.examine(big.getvalue(), "image/png", strip=True)
        assert refused.value.code == "image_corrupt"
        facts = await decoder.examine(png(40, 30), "image/png", strip=True)
        assert (facts.width, facts.height) == (40, 30)


async def test_a_worker_killed_while_idle_costs_nobody_an_image():
    async with opened() as decoder:
        await decoder.examine(png(40, 30), "image/png", strip=True)
        assert decoder.proc is not None
        decoder.proc.kill()
        await decoder.proc.wait()
        facts = await decoder.examine(png(41, 31), "image/png", strip=True)
        assert (facts.width, facts.height) == (41, 31)


async def test_bad_images_keep_their_codes_through_the_worker():
    async with opened(max_pixels=1_000_000) as decoder:
        with pytest.raises(images.BadImage) as too_big:
            await decoder.examine(png(2000, 1000), "image/png", strip=True)
        assert too_big.value.code == "image_too_large"
        with pytest.raises(images.BadImage) as broken:
            await decoder.examine(png(40, 30)[:60], "image/png", strip=True)
        assert broken.value.code == "image_corrupt"
