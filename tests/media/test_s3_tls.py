"""S3 media over TLS refuses a server whose certificate is not trusted
(ASVS 9.2.1) and says so (9.2.5): a local HTTPS server with a self-signed
certificate made here stands in for a man in the middle."""

from __future__ import annotations

import logging
import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient

from chatd.app import create_app
from chatd.storage.build import PING_SECONDS
from tests.api.message_helpers import direct
from tests.conftest import make_config, register
from tests.s3_server import ACCESS, SECRET

TLS_RECORD = 0x16  # the first byte of a TLS handshake; plain http starts with a method name


class UntrustedHttps:
    """Accepts connections, notes each one's first bytes, then tries TLS with
    a self-signed certificate and counts requests that got through."""

    def __init__(self, folder: Path):
        cert, key = folder / "cert.pem", folder / "key.pem"
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                        "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
                        "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(cert, key)
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.first_bytes: list[bytes] = []
        self.requests = 0
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return  # closed
            with conn:
                conn.settimeout(5)
                try:
                    self.first_bytes.append(conn.recv(1, socket.MSG_PEEK))
                    with self.context.wrap_socket(conn, server_side=True) as tls:
                        if tls.recv(1):
                            self.requests += 1
                except OSError:
                    pass  # the client refused the certificate

    def close(self) -> None:
        self.sock.close()
        self.thread.join(5)


@pytest.fixture
def untrusted_https(tmp_path: Path) -> Iterator[UntrustedHttps]:
    if shutil.which("openssl") is None:
        pytest.skip("no openssl to make a certificate")
    server = UntrustedHttps(tmp_path)
    yield server
    server.close()


@pytest.fixture
async def client(untrusted_https, tmp_path, sqlite_template) -> AsyncIterator[AsyncTestClient]:
    """The app, its media on the untrusted server with media.s3_tls on (the
    default). Started before the test: starting resets logging, caplog's too."""
    shutil.copy(sqlite_template, tmp_path / "chatd.db")
    media = f"s3://{ACCESS}:{SECRET}@127.0.0.1:{untrusted_https.port}/chatd-media"
    async with AsyncTestClient(create_app(make_config(tmp_path, storage={"media": media}))) as c:
        yield c


async def test_s3_with_an_untrusted_certificate_is_refused_and_named(untrusted_https, client, caplog):
    alice, bob = await register(client, "alice"), await register(client, "bob")
    conv = await direct(client, alice, bob)
    with caplog.at_level(logging.INFO, logger="chatd"):
        r = await client.post(f"/api/v1/conversations/{conv}/attachments", headers=alice.headers,
                              files={"file": ("notes.txt", b"for bob only", "text/plain")})
        asked = time.monotonic()
        ready = await client.get("/readyz")
        took = time.monotonic() - asked
    # A handshake that failed is not retried: /readyz keeps its 3 s promise
    # (minio's own pool retried it five times, about 6.5 s).
    assert took < PING_SECONDS, took
    assert (r.status_code, r.json()["code"], r.json()["store"]) == (503, "store_unavailable", "media"), r.text
    assert "TLS" in r.json()["detail"]
    assert (ready.status_code, ready.json()["failed"]) == (503, {"media": "CertificateNotTrusted"})
    lines = [rec for rec in caplog.records if rec.name.startswith("chatd")]
    assert not [rec for rec in lines if rec.exc_info], "no stack trace"
    refused = [rec.getMessage() for rec in lines if "certificate is not trusted" in rec.getMessage()]
    assert len(refused) == 2 and f"127.0.0.1:{untrusted_https.port}" in refused[0], refused
    assert "self-signed certificate" in refused[0] and SECRET not in refused[0]
    # It tried, over TLS only: never plain http, and nothing reached the server.
    assert untrusted_https.first_bytes and set(untrusted_https.first_bytes) == {bytes([TLS_RECORD])}
    assert untrusted_https.requests == 0
