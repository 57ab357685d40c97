"""A store whose TLS handshake fails (ASVS 9.2.2, 9.2.3, 9.2.5): told apart
from one that does not answer, for PostgreSQL, Redis and MongoDB alike.
The request gets 503 `store_unavailable` naming the store, /readyz the
kind (CertificateNotTrusted or TlsFailed, as for S3 media), and the admin
one ERROR line on `chatd.storage` with the reason, at most once a minute
per store and reason (every request fails the same way meanwhile)."""

from __future__ import annotations

import logging
import ssl
import time

from chatd.errors import StoreUnavailable
from chatd.storage.credentials_refused import credentials_refused, reason, refused

log = logging.getLogger("chatd.storage")
LOG_EVERY_SECONDS = 60.0
_logged: dict[tuple[str, str], float] = {}

# What the libraries say when the ssl exception itself is not kept: pymongo
# puts it into its message ("SSL handshake failed: [SSL: CERTIFICATE_VERIFY_FAILED] ..."),
# asyncpg says a server without TLS "rejected SSL upgrade".
NOT_TRUSTED_TEXT = ("CERTIFICATE_VERIFY_FAILED",)
TLS_TEXT = ("SSL handshake failed", "rejected SSL upgrade", "[SSL", "TLS/SSL")


class TlsFailed(StoreUnavailable):
    """The TLS handshake with the store failed (no TLS there, a protocol error)."""

    def __init__(self, store: str, reason: str = ""):
        super().__init__(store)
        self.detail = f"chatd refused the TLS connection to its {store} store; tell the server's admin."
        self.reason = reason


class CertificateNotTrusted(TlsFailed):
    """The store's certificate did not verify: signed by a CA chatd was not
    told to trust, expired, or issued for another name."""


def tls_failure(store: str, err: BaseException) -> TlsFailed | None:
    """The TLS kind of `err` (or what caused it), None when it is no TLS failure."""
    chain = _chain(err)
    for seen in chain:
        if isinstance(seen, TlsFailed):
            return type(seen)(store, seen.reason)
        if isinstance(seen, ssl.SSLCertVerificationError):
            return CertificateNotTrusted(store, str(seen.verify_message or seen))
        if isinstance(seen, ssl.SSLError):
            return TlsFailed(store, str(getattr(seen, "reason", None) or seen))
    for seen in chain:
        text = str(seen)
        if any(marker in text for marker in NOT_TRUSTED_TEXT):
            return CertificateNotTrusted(store, _core(text.partition("certificate verify failed:")[2] or text))
        if any(marker in text for marker in TLS_TEXT):
            return TlsFailed(store, _core(text))
    return None


def _core(text: str) -> str:
    """The reason without the library's decoration (pymongo appends its
    timeouts and whole topology to the ssl module's words)."""
    return text.partition(" (_ssl.c")[0].partition(" (configured timeouts")[0].strip()


def _chain(err: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    at: BaseException | None = err
    while at is not None and len(seen) < 10 and at not in seen:
        seen.append(at)
        at = at.__cause__ or at.__context__
    return seen


def unavailable(store: str, where: str, err: BaseException) -> StoreUnavailable:
    """The error a caller gets for a store that could not be reached: its TLS
    kind (logged) when the handshake failed, else plain StoreUnavailable."""
    failed = tls_failure(store, err)
    if failed is None:
        # The other reason a store that answers still lets nothing through (credentials_refused.py).
        return refused(store, where, err) if credentials_refused(err) else StoreUnavailable(store)
    note(failed, where)
    return failed


def note(failed: TlsFailed, where: str) -> None:
    """One ERROR line for the admin, at most once a minute per store and reason."""
    now = time.monotonic()
    key = (failed.store, failed.reason)
    if now - _logged.get(key, -LOG_EVERY_SECONDS) < LOG_EVERY_SECONDS:
        return
    _logged[key] = now
    if isinstance(failed, CertificateNotTrusted):
        log.error("%s refused: its TLS certificate is not trusted (%s); nothing is sent to it. "
                  "Check the CA file named in its URL and the name the certificate is for", where, failed.reason)
    else:
        log.error("%s refused: the TLS handshake failed (%s); nothing is sent to it", where, failed.reason)


def describe(store: str, where: str, err: BaseException) -> str:
    """A start-up refusal's words: the TLS reason when there is one."""
    failed = tls_failure(store, err)
    if isinstance(failed, CertificateNotTrusted):
        return f"{where} refused: its TLS certificate is not trusted ({failed.reason})"
    if failed is not None:
        return f"{where} refused: the TLS handshake failed ({failed.reason})"
    if credentials_refused(err):
        return f"{where} refused chatd's credentials ({reason(err)})"
    return f"{where} does not answer ({type(err).__name__}: {err})"
