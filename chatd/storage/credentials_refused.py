"""A store that refuses chatd's user name or password (a rotated password
that did not reach chatd's secret file, or a wrong new one), told apart
from a store that does not answer, for PostgreSQL, Redis and S3 media:
the request gets 503 `store_unavailable` naming the store, /readyz says
`CredentialsRefused`, and the admin one ERROR line on `chatd.storage` at
most once a minute per store (every request fails the same way meanwhile).

Recognised without importing the drivers (start-up stays lean): PostgreSQL's
SQLSTATE class 28 (invalid authorization: wrong password, no such role, no
pg_hba.conf entry) and redis-py's AuthenticationError; S3's codes are
s3_errors.py's. MongoDB's are not told apart yet (a 503 all the same)."""

from __future__ import annotations

import logging
import time

from chatd.errors import StoreUnavailable

log = logging.getLogger("chatd.storage")
LOG_EVERY_SECONDS = 60.0
_logged: dict[str, float] = {}
REDIS_REFUSALS = {"AuthenticationError", "AuthenticationWrongNumberOfArgsError"}


class CredentialsRefused(StoreUnavailable):
    """The store answered, and refused the credentials chatd sent."""

    def __init__(self, store: str):
        super().__init__(store)
        self.detail = f"chatd's credentials for its {store} store were refused; tell the server's admin."


def credentials_refused(err: BaseException) -> bool:
    """Whether `err` (or what caused it) is a store refusing chatd's credentials."""
    seen: BaseException | None = err
    for _ in range(10):
        if seen is None:
            return False
        if isinstance(seen, CredentialsRefused):
            return True
        if str(getattr(seen, "sqlstate", "") or "").startswith("28"):
            return True
        if REDIS_REFUSALS & {cls.__name__ for cls in type(seen).__mro__}:
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def refused(store: str, where: str, err: BaseException) -> CredentialsRefused:
    """The error a caller gets, and one ERROR line for the admin a minute."""
    now = time.monotonic()
    if now - _logged.get(store, -LOG_EVERY_SECONDS) >= LOG_EVERY_SECONDS:
        _logged[store] = now
        log.error("%s refused chatd's credentials (%s); if its password was rotated, put the new one in the "
                  "file chatd reads it from (new connections read it again)", where, reason(err))
    return CredentialsRefused(store)


def reason(err: BaseException) -> str:
    """The driver's words, first line only (they name the user, never the password)."""
    return f"{type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}".rstrip(": ")
