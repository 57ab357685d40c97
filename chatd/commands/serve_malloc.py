"""`chatd serve` runs on the C allocator (PYTHONMALLOC=malloc; why:
serve_memory.py), which Python reads only at interpreter start: so the
command re-executes itself once with it set.

This module imports nothing beyond os and sys, and the command line calls
it before it parses arguments or reads the config: whatever the replaced
process loads is thrown away with it. When `refuse_unshared` ran first it
imported the storage adapters and Litestar (~0.2 s of CPU) only to exec.
"""

from __future__ import annotations

import os
import sys

GLIBC_WITH_MALLINFO2 = (2, 33)  # serve_memory.py needs malloc_trim and mallinfo2


def glibc_version() -> tuple[int, ...] | None:
    """glibc's version from the C library itself (no ctypes); None elsewhere (musl, macOS, Windows)."""
    try:
        name, _, version = (os.confstr("CS_GNU_LIBC_VERSION") or "").partition(" ")
    except (AttributeError, ValueError, OSError):
        return None
    if name != "glibc":
        return None
    try:
        return tuple(int(part) for part in version.split(".")[:2])
    except ValueError:
        return None


def prefer_system_malloc() -> None:
    """Re-execute this command with PYTHONMALLOC=malloc, once.

    An admin's own PYTHONMALLOC wins; so does a platform without glibc's
    malloc_trim (then there is nothing to gain)."""
    if "PYTHONMALLOC" in os.environ:
        return
    version = glibc_version()
    if version is None or version < GLIBC_WITH_MALLINFO2:
        return
    env = dict(os.environ, PYTHONMALLOC="malloc")
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(sys.executable, [sys.executable, *sys.orig_argv[1:]], env)
