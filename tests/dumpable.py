"""Whether a process of the tests can be dumped or debugged by its user.

The kernel hands a non-dumpable process's /proc/PID files to root (uid and
gid 0). Run as root, a server is started with another group (GROUP), so its
/proc/PID/status shows that group only while it is dumpable (/proc/PID
itself, a directory, always shows it); as any other user, reading
/proc/PID/environ (a ptrace-guarded file) of its own child works only
while it is dumpable."""

from __future__ import annotations

import os
from pathlib import Path

NOGROUP = 65534
GROUP = NOGROUP if os.geteuid() == 0 else None  # for subprocess.Popen(group=...)


def dumpable(pid: int) -> bool:
    if os.geteuid() == 0:
        return os.stat(f"/proc/{pid}/status").st_gid == NOGROUP
    try:
        Path(f"/proc/{pid}/environ").read_bytes()
        return True
    except PermissionError:
        return False
