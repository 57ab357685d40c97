"""Domain errors. Services raise these; the API turns them into RFC 9457
problem details with a stable machine-readable `code` (see api/problems.py).
"""

from typing import Any


class ChatError(Exception):
    status = 400
    code = "bad_request"
    title = "Bad request"

    def __init__(self, detail: str, *, code: str | None = None, extra: dict[str, Any] | None = None,
                 headers: dict[str, str] | None = None):
        super().__init__(detail)
        self.detail = detail
        if code:
            self.code = code
        self.extra = extra or {}
        self.headers = headers or {}


class Invalid(ChatError):
    status, code, title = 400, "invalid", "Invalid input"


class Unauthenticated(ChatError):
    status, code, title = 401, "unauthenticated", "Not authenticated"


class Forbidden(ChatError):
    status, code, title = 403, "forbidden", "Forbidden"


class NotFound(ChatError):
    """Also used for things the caller may not see: never reveal they exist."""

    status, code, title = 404, "not_found", "Not found"


class Conflict(ChatError):
    """Stale version or duplicate; `extra["current"]` carries the entity as it is."""

    status, code, title = 409, "conflict", "Conflict"


class Gone(ChatError):
    status, code, title = 410, "gone", "Gone"


class TooLarge(ChatError):
    status, code, title = 413, "too_large", "Payload too large"


class StorageFull(ChatError):
    """The database's disk (or quota) is full: nothing was written."""

    status, code, title = 507, "storage_full", "Insufficient storage"


class StorageFailed(ChatError):
    """The database could not write (an I/O error): nothing was written."""

    status, code, title = 503, "storage_unavailable", "Storage unavailable"


class StoreUnavailable(ChatError):
    """A store chatd needs does not answer (stopped, restarting, unreachable):
    the request did nothing it acknowledged; chatd reconnects by itself."""

    status, code, title = 503, "store_unavailable", "Store unavailable"

    def __init__(self, store: str):
        super().__init__(f"chatd cannot reach its {store} store right now; try again shortly.",
                         extra={"store": store}, headers={"Retry-After": "5"})
        self.store = store


class RateLimited(ChatError):
    status, code, title = 429, "rate_limited", "Too many requests"
