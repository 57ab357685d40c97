"""No core dumps and no memory reads by the same user's debuggers (ASVS 8.3.6).

CPython cannot wipe what it is done with: a password arrives as an
immutable `str` inside parsed JSON, and PyNaCl takes keys only as `bytes`,
so both stay in freed memory until it is reused. What the server can do is
keep that memory from being dumped: no core file on a crash (RLIMIT_CORE 0),
and the process not "dumpable" (prctl PR_SET_DUMPABLE 0), which also stops
another process of the same user from reading /proc/PID/mem or attaching
with ptrace (py-spy, gdb). Root (CAP_SYS_PTRACE) still can: that is the
administrator. `server.memory_dumps = true` allows both again for debugging.

The flag does not survive an exec: a granian worker that was spawned rather
than forked sets it again.
"""

from __future__ import annotations

import ctypes
import logging
import sys

log = logging.getLogger("chatd")

PR_SET_DUMPABLE = 4  # <linux/prctl.h>


def forbid_memory_dumps() -> bool:
    """True once neither a core file nor a same-user debugger can read this
    process; False (one WARNING) where the system offers no way to say so."""
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    except (ImportError, ValueError, OSError) as err:  # Windows has no rlimits
        log.warning("cannot turn off core dumps (%s): a crash could write passwords and keys to disk", err)
        return False
    if not sys.platform.startswith("linux"):
        log.warning("core dumps are off, but other processes of this user may still read the server's memory"
                     " (no PR_SET_DUMPABLE on %s)", sys.platform)
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0:
        log.warning("prctl(PR_SET_DUMPABLE) failed (errno %d): other processes of this user may read"
                     " the server's memory", ctypes.get_errno())
        return False
    return True
