"""An S3 server chatd cannot talk to becomes a clear error for its caller
(503 store_unavailable, store "media") and one log line for the admin, not
a 500 with a stack trace per request. A TLS failure is told apart (ASVS
9.2.5): a certificate that is not trusted, or another failed handshake.
With `media.s3_tls` on, minio verifies the certificate against certifi's
bundle (or the file SSL_CERT_FILE names) and never retries over plain http.
A key or secret S3 refuses is CredentialsRefused (credentials_refused.py);
what else S3 itself answers (S3Error: access denied, ...) stays what it was."""

from __future__ import annotations

import logging
import ssl

from urllib3.exceptions import HTTPError

from chatd.errors import StoreUnavailable
from chatd.storage.credentials_refused import refused

log = logging.getLogger("chatd.storage")
# What S3 answers a key it does not know or a secret that does not match.
REFUSED_CODES = {"InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidToken", "ExpiredToken"}


class TlsFailed(StoreUnavailable):
    """The TLS handshake with the media store failed (/readyz names the class)."""

    def __init__(self) -> None:
        super().__init__("media")
        self.detail = "chatd refused the TLS connection to its media store; tell the server's admin."


class CertificateNotTrusted(TlsFailed):
    """The media store's certificate did not verify: expired, self-signed,
    another host's, or signed by a CA chatd does not trust."""


def translate(err: BaseException, endpoint: str) -> BaseException:
    """StoreUnavailable (or its TLS kinds) for a store that could not be
    reached, logged once; else `err` itself."""
    if getattr(err, "code", None) in REFUSED_CODES and type(err).__name__ == "S3Error":
        # The key or secret is wrong (rotated on the server, not yet in chatd's file).
        return refused("media", f"media store {endpoint}", err)
    if not isinstance(err, (HTTPError, ssl.SSLError)):
        return err
    cause = _tls_cause(err)
    if isinstance(cause, ssl.SSLCertVerificationError):
        log.error("media store %s refused: its TLS certificate is not trusted (%s); nothing is sent to it. "
                  "Fix the certificate, or name its CA in SSL_CERT_FILE", endpoint, cause.verify_message or cause)
        return CertificateNotTrusted()
    if cause is not None:
        log.error("media store %s refused: the TLS handshake failed (%s); nothing is sent to it", endpoint,
                  getattr(cause, "reason", None) or cause)
        return TlsFailed()
    reason = getattr(err, "reason", None)
    log.warning("media store %s does not answer (%s)", endpoint,
                type(reason if isinstance(reason, BaseException) else err).__name__)
    return StoreUnavailable("media")


def _tls_cause(err: BaseException) -> ssl.SSLError | None:
    """The ssl error behind urllib3's wrappers (MaxRetryError.reason, __cause__)."""
    seen: BaseException | None = err
    for _ in range(8):
        if seen is None:
            return None
        if isinstance(seen, ssl.SSLError):
            return seen
        reason = getattr(seen, "reason", None)
        seen = reason if isinstance(reason, BaseException) else seen.__cause__ or seen.__context__
    return None
