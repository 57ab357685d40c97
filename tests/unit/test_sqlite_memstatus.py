"""SQLite runs without its memory statistics (storage/sql/sqlite_memstatus.py):
set by the SQL package before sqlite3 is imported, in a fresh interpreter."""

from __future__ import annotations

import subprocess
import sys

import pytest

PROBE = """
import ctypes, sqlite3
{first}
c = sqlite3.connect(":memory:")
c.execute("CREATE TABLE t (x)")
c.executemany("INSERT INTO t VALUES (?)", [(i,) for i in range(2000)])
print(ctypes.CDLL("libsqlite3.so.0").sqlite3_memory_used())
"""


def memory_used(code: str) -> int:
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    return int(out.stdout.strip())


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the shared libsqlite3 of a Linux Python")
def test_the_sql_package_turns_sqlites_memory_statistics_off_before_sqlite3_loads():
    counted = memory_used(PROBE.format(first=""))
    if counted == 0:
        pytest.skip("this SQLite keeps no memory statistics anyway")
    assert memory_used("import chatd.storage.sql.sqlite\n" + PROBE.format(first="")) == 0
    # Too late once sqlite3 is loaded: then nothing is changed.
    late = "from chatd.storage.sql.sqlite_memstatus import skip_memory_stats\nassert not skip_memory_stats()"
    assert memory_used(PROBE.format(first=late)) > 0
