"""SQLite without its memory statistics, set before Python's sqlite3 loads.

Built with SQLITE_DEFAULT_MEMSTATUS=1 (Debian's libsqlite3 is), SQLite takes
a global mutex around every allocation and free to keep
`sqlite3_memory_used()` and the soft heap limit, neither of which chatd or
Python's sqlite3 module uses: ~400 mutex round trips a durable send, 4.8% of
its instructions (callgrind, in-process WebSocket send harness). The switch
(`sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0)`) is only accepted before the
library initialises, which `import sqlite3` does, so the package runs this
first. Nothing else changes: the library is the one Python's sqlite3 uses,
same settings otherwise.

Only where the sqlite3 extension links the shared library (looked up in its
file, not by loading it): a Python with its own copy would be configuring a
second library it never uses. Anywhere it does not apply (sqlite3 already
imported, another platform) this does nothing.
"""

from __future__ import annotations

import sys

SONAME = "libsqlite3.so.0"
SQLITE_CONFIG_MEMSTATUS = 9


def skip_memory_stats() -> bool:
    """True when SQLite took the setting."""
    if "sqlite3" in sys.modules or not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes
        from importlib.util import find_spec
        from pathlib import Path

        spec = find_spec("_sqlite3")
        if spec is None or spec.origin is None or SONAME.encode() not in Path(spec.origin).read_bytes():
            return False
        return ctypes.CDLL(SONAME).sqlite3_config(SQLITE_CONFIG_MEMSTATUS, ctypes.c_int(0)) == 0
    except (OSError, AttributeError, ValueError):
        return False
