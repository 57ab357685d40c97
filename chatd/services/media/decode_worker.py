"""The image decoder's own process (`python -m chatd.services.media.decode_worker`):
untrusted images are opened by Pillow here, never in the server, so a
decoder exploit or a bomb meets this process's limits instead of the
server's memory, keys and sockets (ASVS 14.2.6).

Started by decoder.py on the first image with no environment but PATH and
PYTHONPATH, no descriptors but its pipes and the log, and `/` as its
directory; it caps its own address space and CPU time before reading
anything, loads every codec it needs and then filters its own system calls
(syscall_filter.py: no files, sockets, exec or new processes from here on;
where the filter cannot be installed it runs without and says so in each
answer, and the server logs it once), answers one job at a time on stdin/stdout (a 4-byte length, then
msgpack) and exits when stdin closes or nothing comes for a while. It runs
as the server's user: the systemd unit's box holds it too.
"""

from __future__ import annotations

import ctypes
import resource
import select
import sys
import time

import msgspec

from chatd.services.media import images, syscall_filter

PR_SET_DUMPABLE = 4  # <linux/prctl.h>
IDLE_EXIT_SECONDS = 120.0  # a backstop: the server closes an idle worker sooner
CPU_SECONDS = 60  # in all, over the worker's life: it retires (a new one starts) past half of it


class Job(msgspec.Struct, frozen=True):
    data: bytes
    content_type: str
    strip: bool
    max_pixels: int
    edge: int
    square: bool


class Answer(msgspec.Struct, frozen=True):
    facts: images.ImageFacts | None = None
    detail: str = ""
    code: str = ""
    unfiltered: str = ""  # why the worker runs without its system-call filter; empty when filtered


def memory_cap(max_pixels: int) -> int:
    """Address space: the interpreter and Pillow, the upload and its copy
    in and out (64 MB each at most), and a few bytes a pixel for the decoded
    picture and its conversion."""
    return 512 * 2**20 + 12 * max_pixels


def limit(cap: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS + 1))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # no image bytes left on disk by a crash
    # Nor read by another process of the server's user (/proc/PID/mem, ptrace):
    # the server's own flag (commands/serve_nodump.py) does not survive the exec
    # that started this process, and a user's photo is worth the same care.
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)


def read_exactly(stream, size: int) -> bytes | None:
    data = stream.read(size)
    return data if len(data) == size else None


def prepare(cap: int) -> str:
    """Everything before the first untrusted byte: limits, codecs loaded,
    the filter. Answers why it runs unfiltered ("" when filtered)."""
    limit(cap)
    images.warm_up()
    try:
        syscall_filter.install()
    except syscall_filter.Unfiltered as err:
        return str(err)
    return ""


def serve(stdin, stdout, unfiltered: str = "") -> None:
    decode, encode = msgspec.msgpack.Decoder(Job).decode, msgspec.msgpack.Encoder().encode
    while True:
        ready, _, _ = select.select([stdin], [], [], IDLE_EXIT_SECONDS)
        if not ready:
            return
        head = read_exactly(stdin, 4)
        if head is None:
            return  # the server closed the pipe
        body = read_exactly(stdin, int.from_bytes(head, "big"))
        if body is None:
            return
        job = decode(body)
        try:
            answer = Answer(facts=images.examine(job.data, job.content_type, strip=job.strip,
                                                 max_pixels=job.max_pixels, edge=job.edge, square=job.square),
                            unfiltered=unfiltered)
        except images.BadImage as bad:
            answer = Answer(detail=bad.detail, code=bad.code, unfiltered=unfiltered)
        out = encode(answer)
        stdout.write(len(out).to_bytes(4, "big") + out)
        stdout.flush()
        if time.process_time() > CPU_SECONDS / 2:
            return  # retire before the CPU limit could kill a job half-way


def main() -> None:
    unfiltered = prepare(int(sys.argv[1]))  # the address-space cap decoder.py chose (memory_cap)
    serve(sys.stdin.buffer, sys.stdout.buffer, unfiltered)


if __name__ == "__main__":
    main()
