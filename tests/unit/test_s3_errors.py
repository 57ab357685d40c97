"""What the S3 store makes of a server it cannot talk to (storage/blobs/
s3_errors.py): a 503 StoreUnavailable and a log line telling a TLS failure
apart from a server that does not answer (ASVS 9.2.5); S3's own answers
and other errors stay what they were."""

from __future__ import annotations

import logging
import ssl

from minio.error import S3Error
from urllib3.exceptions import MaxRetryError, NewConnectionError, SSLError

from chatd.errors import StoreUnavailable
from chatd.storage.blobs.s3_errors import CertificateNotTrusted, TlsFailed, translate

ENDPOINT = "s3.example:9000"


def wrapped(cause: BaseException) -> MaxRetryError:
    """As urllib3 raises it after its retries: MaxRetryError(reason=...) from reason."""
    try:
        raise MaxRetryError(None, "/chatd-media", cause) from cause  # type: ignore[arg-type]
    except MaxRetryError as err:
        return err


def tls(err: ssl.SSLError) -> SSLError:
    try:
        raise SSLError(err) from err
    except SSLError as outer:
        return outer


def test_a_failed_handshake_is_told_apart_from_a_bad_certificate(caplog):
    bad = ssl.SSLCertVerificationError(1, "certificate verify failed")
    bad.verify_message = "certificate has expired"
    with caplog.at_level(logging.INFO, logger="chatd.storage"):
        expired = translate(wrapped(tls(bad)), ENDPOINT)
        plain = translate(wrapped(tls(ssl.SSLError(1, "[SSL: WRONG_VERSION_NUMBER] wrong version number"))), ENDPOINT)
    assert type(expired) is CertificateNotTrusted and type(plain) is TlsFailed
    assert expired.status == plain.status == 503 and expired.store == "media"
    first, second = [rec for rec in caplog.records if rec.name == "chatd.storage"]
    assert first.levelno == second.levelno == logging.ERROR
    assert "s3.example:9000" in first.getMessage() and "certificate is not trusted (certificate has expired)" in \
        first.getMessage()
    assert "TLS handshake failed" in second.getMessage() and "wrong version number" in second.getMessage()


def test_a_server_that_does_not_answer_is_a_plain_503(caplog):
    with caplog.at_level(logging.INFO, logger="chatd.storage"):
        err = translate(wrapped(NewConnectionError(None, "Connection refused")), ENDPOINT)  # type: ignore[arg-type]
    assert type(err) is StoreUnavailable and err.store == "media"
    [line] = [rec for rec in caplog.records if rec.name == "chatd.storage"]
    assert (line.levelno, line.getMessage()) == (logging.WARNING,
                                                 "media store s3.example:9000 does not answer (NewConnectionError)")


def test_what_s3_answered_and_other_errors_stay_as_they_were():
    denied = S3Error("AccessDenied", "no", "/b", "r", "h", None)  # type: ignore[arg-type]
    source_failed = OSError("the source of the upload failed")
    assert translate(denied, ENDPOINT) is denied
    assert translate(source_failed, ENDPOINT) is source_failed
