"""Test-only: `python -m tests.media.filter_probe CAP PEPPER PORT [MACHINE]`
prepares itself exactly as the decoder's worker does (decode_worker.prepare:
limits, codecs, system-call filter), then plays a decoder exploit: reads the
pepper file, connects to a TCP port, starts a process and execs. Prints what
each got as JSON lines ("ok" or the errno's name). Never reachable from HTTP: only
tests/media/test_syscall_filter.py runs it. MACHINE pretends to be another
architecture, to build the filter from the wrong table."""

from __future__ import annotations

import ctypes
import errno
import json
import os
import platform
import socket
import sys

from chatd.services.media import decode_worker

PR_GET_DUMPABLE = 3  # <linux/prctl.h>


def attempt(action) -> str:
    try:
        action()
    except OSError as err:
        return errno.errorcode.get(err.errno, str(err.errno))
    return "ok"


def connect(port: int) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:  # a numeric address: no name lookup
        sock.settimeout(5)
        sock.connect(("127.0.0.1", port))


def spawn() -> None:
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)


def main() -> None:
    cap, pepper, port = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    if len(sys.argv) > 4:
        platform.machine = lambda: sys.argv[4]
    unfiltered = decode_worker.prepare(cap)
    get_dumpable = ctypes.CDLL(None, use_errno=True).prctl
    dumpable = get_dumpable(PR_GET_DUMPABLE, 0, 0, 0, 0)
    results = {
        "unfiltered": unfiltered,
        # 0: no core file, no same-user ptrace or /proc/PID/mem; the filter refuses prctl itself (-1).
        "dumpable": dumpable,
        "open": attempt(lambda: open(pepper, "rb").close()),
        "socket": attempt(lambda: connect(port)),
        "fork": attempt(spawn),
    }
    print(json.dumps(results), flush=True)
    # Last: where it succeeds, /bin/true replaces this process and nothing follows.
    print(json.dumps({"execve": attempt(lambda: os.execv("/bin/true", ["true"]))}), flush=True)


if __name__ == "__main__":
    main()
