"""The server's side of the image decoder process (decode_worker.py).

One worker per server process, started on the first image (a server that
never sees one never starts it, and Pillow is never loaded in the server),
closed after IDLE_SECONDS without a job, so idle memory stays as it was.
Jobs go one at a time. A worker that dies, stalls past JOB_SECONDS or hits
its memory or CPU limit costs that one image a 422 and is replaced on the
next; one whose caller went away half-way is killed (its answer would be
read by the next job).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sys
from pathlib import Path

import msgspec

from chatd.services.media import images
from chatd.services.media.decode_worker import Answer, Job, memory_cap

log = logging.getLogger("chatd.media")

IDLE_SECONDS = 30.0
JOB_SECONDS = 60.0
# What the worker may see of the server's environment: nothing but a PATH
# and where this chatd's code is (also when it runs from a checkout).
ENV = {"PATH": os.defpath, "PYTHONPATH": str(Path(__file__).resolve().parents[3])}


class Decoder:
    def __init__(self, max_pixels: int, memory: int | None = None):
        self.max_pixels = max_pixels
        self.memory = memory or memory_cap(max_pixels)  # the worker's address space
        self.proc: asyncio.subprocess.Process | None = None
        self.lock = asyncio.Lock()
        self.idle: asyncio.TimerHandle | None = None
        self.warned = False  # one WARNING per server process for an unfiltered worker
        self.encode, self.decode = msgspec.msgpack.Encoder().encode, msgspec.msgpack.Decoder(Answer).decode

    async def examine(self, data: bytes, content_type: str, *, strip: bool, edge: int = images.THUMB_EDGE,
                      square: bool = False) -> images.ImageFacts:
        """images.examine in the worker; raises images.BadImage as it would."""
        job = self.encode(Job(data=data, content_type=content_type, strip=strip, max_pixels=self.max_pixels,
                              edge=edge, square=square))
        async with self.lock:
            if self.idle is not None:
                self.idle.cancel()
            answer = await self._run(job, content_type, len(data))
            self.idle = asyncio.get_running_loop().call_later(IDLE_SECONDS, self._retire)
        if answer.unfiltered and not self.warned:
            self.warned = True
            log.warning("the image decoder runs without its system-call filter (%s): a decoder exploit could "
                        "read the chatd user's files and open connections", answer.unfiltered)
        if answer.facts is None:
            raise images.BadImage(answer.detail, answer.code)
        return answer.facts

    async def _run(self, job: bytes, content_type: str, size: int) -> Answer:
        """Two tries, each on a fresh worker after a failure: a worker that
        died while idle costs nobody's image; one this image kills twice
        means the image is refused."""
        for _ in range(2):
            proc = await self._worker()
            try:
                return await asyncio.wait_for(self._ask(proc, job), JOB_SECONDS)
            except (TimeoutError, asyncio.IncompleteReadError, BrokenPipeError, ConnectionResetError) as err:
                self._kill()
                await proc.wait()
                log.warning("the image decoder failed on a %s of %d bytes (%s, exit %s)", content_type, size,
                            type(err).__name__, proc.returncode)
                if isinstance(err, TimeoutError):
                    break
            except BaseException:
                self._kill()  # cancelled half-way: its answer must not reach the next job
                raise
        raise images.BadImage("The image could not be decoded within the decoder's limits.", "image_corrupt")

    async def _worker(self) -> asyncio.subprocess.Process:
        if self.proc is not None and self.proc.returncode is None:
            return self.proc
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "chatd.services.media.decode_worker", str(self.memory),
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, env=ENV, cwd="/")
        return self.proc

    async def _ask(self, proc: asyncio.subprocess.Process, job: bytes) -> Answer:
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(len(job).to_bytes(4, "big") + job)
        await proc.stdin.drain()
        size = int.from_bytes(await proc.stdout.readexactly(4), "big")
        return self.decode(await proc.stdout.readexactly(size))

    def _retire(self) -> None:
        """Idle: close its stdin, and the worker exits by itself."""
        self.idle = None
        if self.proc is not None and self.proc.stdin is not None and not self.lock.locked():
            self.proc.stdin.close()
            self.proc = None

    def _kill(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.proc.kill()
        self.proc = None

    async def close(self) -> None:
        if self.idle is not None:
            self.idle.cancel()
        proc, self.proc = self.proc, None
        if proc is not None and proc.returncode is None:
            if proc.stdin is not None:
                proc.stdin.close()
            try:
                await asyncio.wait_for(proc.wait(), 5)
            except TimeoutError:
                proc.kill()
                await proc.wait()
