# Before any module of this package imports sqlite3 (sqlite_memstatus.py).
from chatd.storage.sql.sqlite_memstatus import skip_memory_stats

skip_memory_stats()
