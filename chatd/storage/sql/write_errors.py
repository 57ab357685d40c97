"""A write that failed for lack of disk becomes a clear error for its caller
(507 storage_full) and one log line for the admin, not a 500 with a stack
trace per request. Only whole-disk conditions are translated; everything
else stays what it was."""

from __future__ import annotations

import errno
import logging
import sqlite3

from chatd.errors import StorageFailed, StorageFull

log = logging.getLogger("chatd.storage")

_FULL_ERRNOS = {errno.ENOSPC, errno.EFBIG, errno.EDQUOT}


def translate(err: BaseException) -> BaseException:
    """StorageFull / StorageFailed for a disk that cannot take the write, else `err`."""
    if isinstance(err, sqlite3.Error):
        primary = getattr(err, "sqlite_errorcode", 0) & 0xFF
        if primary == sqlite3.SQLITE_FULL:
            return _full(str(err))
        if primary == sqlite3.SQLITE_IOERR:
            log.error("the database could not write: %s", err)
            return StorageFailed("The server could not store this; nothing was changed. Try again later.")
    elif isinstance(err, OSError) and err.errno in _FULL_ERRNOS:
        return _full(str(err))
    elif type(err).__name__ == "DiskFullError":  # asyncpg's, without importing asyncpg
        return _full(str(err))
    return err


def _full(why: str) -> StorageFull:
    log.error("the database's disk is full; writes fail until there is room: %s", why)
    return StorageFull("The server's storage is full; nothing was changed. Tell the server's admin.")
