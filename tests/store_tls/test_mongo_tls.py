"""chatd to MongoDB over verified TLS (tls=true&tlsCAFile in the URL; ASVS
1.9.1, 1.9.2, 9.2.2, 9.2.3, 9.2.5), against SecantusDB serving TLS only
(--tls-cert-file): the conversation side works with the right CA; a wrong
CA stops the start with one line; a certificate for another name under a
running chatd is 503 naming the store, /readyz names the kind within its
3 s, one ERROR line says why, and chatd recovers when it is right again."""

from __future__ import annotations

import asyncio
import shutil
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
from pymongo import AsyncMongoClient
from pymongo.errors import ServerSelectionTimeoutError
from litestar.testing import AsyncTestClient

from chatd.app import create_app
from chatd.config import redact_url
from chatd.storage.build import PING_SECONDS, open_stores
from tests.api.message_helpers import CONV
from tests.conftest import make_config, register
from tests.mongo_server import _free_port, secantus
from tests.store_tls.conftest import chat_works, chatd_log
from tests.tls_certs import Certs


@contextmanager
def tls_secantus(folder: Path, cert: Path, key: Path, port: int) -> Iterator[None]:
    with secantus(folder, "--tls-cert-file", str(cert), "--tls-key-file", str(key), port=port):
        yield


def tls_url(port: int, ca: Path) -> str:
    return f"mongodb://127.0.0.1:{port}/chatd_tls?directConnection=true&tls=true&tlsCAFile={ca}"


async def until_named(c: AsyncTestClient, timeout: float = 20.0) -> dict:
    """/readyz once it names the failure's kind: until pymongo's monitor has
    met the certificate it says TimeoutError. Every answer keeps the 3 s promise."""
    deadline = time.monotonic() + timeout
    while True:
        asked = time.monotonic()
        r = await c.get("/readyz")
        assert time.monotonic() - asked < PING_SECONDS + 1, "/readyz keeps its promise"
        if r.json().get("failed", {}).get("messages") not in (None, "TimeoutError") or time.monotonic() > deadline:
            return r.json()
        await asyncio.sleep(0.2)


async def test_verified_tls_with_the_right_ca_works(certs: Certs, tmp_path: Path, sqlite_template: Path) -> None:
    shutil.copy(sqlite_template, tmp_path / "chatd.db")
    port = _free_port()
    with tls_secantus(tmp_path, certs.server, certs.server_key, port):
        config = make_config(tmp_path, storage={"messages": tls_url(port, certs.ca), "require_tls": True})
        async with AsyncTestClient(create_app(config)) as c:
            await chat_works(c)
        # What makes this mean something: SecantusDB with a certificate speaks TLS only.
        plain = AsyncMongoClient(f"mongodb://127.0.0.1:{port}/?directConnection=true", serverSelectionTimeoutMS=1000)
        try:
            with pytest.raises(ServerSelectionTimeoutError):
                await plain.admin.command("ping")
        finally:
            await plain.close()


async def test_a_wrong_ca_stops_the_start_with_one_line(certs: Certs, tmp_path: Path, sqlite_template: Path) -> None:
    shutil.copy(sqlite_template, tmp_path / "chatd.db")
    port = _free_port()
    with tls_secantus(tmp_path, certs.server, certs.server_key, port):
        url = tls_url(port, certs.wrong_ca)
        with pytest.raises(ConnectionError) as refused:
            await open_stores(make_config(tmp_path, storage={"messages": url}))
    said = str(refused.value)
    assert said.startswith(f"storage.messages (MongoDB at {redact_url(url).partition('?')[0]}) refused: its TLS "
                           "certificate is not trusted"), said
    assert "unable to get local issuer certificate" in said, said


async def test_a_certificate_for_another_name_under_a_running_chatd(certs: Certs, tmp_path: Path,
                                                                    sqlite_template: Path,
                                                                    caplog: pytest.LogCaptureFixture) -> None:
    shutil.copy(sqlite_template, tmp_path / "chatd.db")
    port = _free_port()
    config = make_config(tmp_path, storage={"messages": tls_url(port, certs.ca)})
    first = ExitStack()
    first.enter_context(tls_secantus(tmp_path, certs.server, certs.server_key, port))
    try:
        async with AsyncTestClient(create_app(config)) as c:
            ann, bob = await register(c, "ann"), await register(c, "bob")
            first.close()
            # The server comes back (in memory: empty) with a certificate for db.example.org only.
            with tls_secantus(tmp_path, certs.elsewhere, certs.elsewhere_key, port):
                with chatd_log(caplog) as records:
                    ready = await until_named(c)
                    asked = time.monotonic()
                    r = await c.post(CONV, json={"kind": "group", "title": "g", "member_ids": [bob.id]},
                                     headers=ann.headers)
                    took = time.monotonic() - asked
                lines = [rec for rec in records if rec.name.startswith("chatd")]
            # Back with the right certificate before anything is asserted: chatd
            # is shut down on a server that answers.
            with tls_secantus(tmp_path, certs.server, certs.server_key, port):
                deadline = time.monotonic() + 20
                while (await c.get("/readyz")).status_code != 200:
                    assert time.monotonic() < deadline, "chatd did not recover"
                    await asyncio.sleep(0.2)
                assert (await c.post(CONV, json={"kind": "group", "title": "g", "member_ids": [bob.id]},
                                     headers=ann.headers)).status_code == 201
    finally:
        first.close()
    assert ready["failed"] == {"messages": "CertificateNotTrusted"}, ready
    body = r.json()
    assert (r.status_code, body["code"], body["store"]) == (503, "store_unavailable", "mongodb"), r.text
    assert "TLS" in body["detail"] and took < 12, (body, took)  # server selection's 5 s, never a hang
    # No request was a 500 (the background loops, the SQL event relay and the
    # log poller, still log their retries with the error, as for any outage).
    assert not [rec for rec in lines if "unhandled error" in rec.getMessage()]
    refused = [rec.getMessage() for rec in lines if "certificate is not trusted" in rec.getMessage()]
    assert len(refused) == 1 and refused[0].startswith("storage.messages (MongoDB at"), refused
    assert "mismatch" in refused[0], refused
