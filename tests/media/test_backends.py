"""The attachment flows again with the bytes on a real S3 server (SeaweedFS)
and encrypted at rest: nothing on local disk for S3, only ciphertext on disk
when sealed, and every answer the same as on the plain folder."""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
from datetime import timedelta

import httpx
import pytest
from litestar.testing import AsyncTestClient
from minio import Minio

from chatd import clock
from chatd.app import create_app
from tests.api.account_helpers import in_app
from tests.api.message_helpers import MSG, direct, send
from tests.conftest import make_config, register
from tests.media import samples
from tests.media.helpers import fetch, upload

KEY = base64.b64encode(bytes(range(32))).decode()


@pytest.fixture(params=["s3", "sealed-folder", "sealed-s3"])
def backend(request, tmp_path, sqlite_template):
    shutil.copy(sqlite_template, tmp_path / "chatd.db")
    sections: dict = {}
    if "s3" in request.param:
        sections = request.getfixturevalue("s3_media_settings")
    if "sealed" in request.param:
        sections.setdefault("media", {})["encryption_key"] = KEY
    return request.param, make_config(tmp_path, **sections)


@pytest.fixture
async def app_client(backend):
    async with AsyncTestClient(create_app(backend[1])) as c:
        yield c


def _bucket(config) -> list[bytes]:
    from chatd.storage.blobs.choose import parse_s3_url

    loc = parse_s3_url(config.storage.media)
    client = Minio(loc.endpoint, loc.access_key, loc.secret_key, secure=False, region="us-east-1")
    if not client.bucket_exists(loc.bucket):
        return []
    return [client.get_object(loc.bucket, o.object_name).read()
            for o in client.list_objects(loc.bucket, recursive=True)]


def _stored(kind: str, config) -> list[bytes]:
    if "s3" in kind:
        return _bucket(config)
    return [p.read_bytes() for p in (config.data_dir / "media").rglob("*") if p.is_file()]


async def test_flows(backend, app_client):
    kind, config = backend
    c = app_client
    alice, bob = await register(c, "alice"), await register(c, "bob")
    conv = await direct(c, alice, bob)
    data = os.urandom(300_000) + b"PLAINTEXT-MARKER" + os.urandom(300_000)
    att = await upload(c, conv, alice, data, filename="blob.bin")
    assert att["sha256"] == hashlib.sha256(data).hexdigest()
    photo = await upload(c, conv, alice, samples.jpeg_with_gps(), filename="p.jpg")
    await send(c, conv, alice, attachments=[att["id"], photo["id"]])

    assert (await fetch(c, att["id"], bob)).content == data
    r = await fetch(c, att["id"], bob, 206, range="bytes=299990-300029")
    assert r.content == data[299990:300030] and b"PLAINTEXT-MARKER" in r.content
    assert (await fetch(c, att["id"], bob, 206, range="bytes=-5")).content == data[-5:]
    await fetch(c, att["id"], bob, 416, range=f"bytes={len(data)}-")
    assert samples.gps_of((await fetch(c, photo["id"], bob)).content) == {}
    assert (await fetch(c, photo["id"], bob, suffix="/thumbnail")).headers["content-type"] == "image/webp"

    stored = _stored(kind, config)
    assert len(stored) == 3  # the file, the photo and its thumbnail
    if "sealed" in kind:
        assert not any(b"PLAINTEXT-MARKER" in blob for blob in stored)
    else:
        assert any(b"PLAINTEXT-MARKER" in blob for blob in stored)
    if "s3" in kind:
        assert not (config.data_dir / "media").exists() or not any((config.data_dir / "media").rglob("*"))

    # Deleting the message, then the janitor: the bytes leave the store too.
    sent = (await c.get(f"/api/v1/conversations/{conv}/messages", headers=alice.headers)).json()["items"][-1]
    await c.delete(f"{MSG}/{sent['id']}", headers=alice.headers)
    janitor = c.app.state.runtime.services.media_janitor
    swept = await in_app(c, janitor.run_once, clock.now() + timedelta(hours=2))
    assert swept.attachments == 2
    assert _stored(kind, config) == []


async def test_oversize_leaves_nothing_in_the_store(backend, app_client):
    kind, config = backend
    config.limits.max_upload_mb = 1
    c = app_client
    alice, bob = await register(c, "alice"), await register(c, "bob")
    conv = await direct(c, alice, bob)
    r = await c.post(f"/api/v1/conversations/{conv}/attachments", headers=alice.headers,
                     files={"file": ("big.bin", os.urandom(3 * 1024 * 1024), "application/octet-stream")})
    assert r.status_code == 413
    assert _stored(kind, config) == []


async def test_presigned_downloads(s3_media_settings, tmp_path, sqlite_template):
    shutil.copy(sqlite_template, tmp_path / "chatd.db")
    settings = {**s3_media_settings, "media": {**s3_media_settings["media"], "s3_presign_seconds": 60}}
    async with AsyncTestClient(create_app(make_config(tmp_path, **settings))) as c:
        alice, bob = await register(c, "alice"), await register(c, "bob")
        conv = await direct(c, alice, bob)
        att = await upload(c, conv, alice, b"%PDF-1.4 presigned", filename="doc.pdf")
        await send(c, conv, alice, attachments=[att["id"]])
        r = await c.get(f"/api/v1/attachments/{att['id']}", headers=bob.headers, follow_redirects=False)
        assert r.status_code == 302 and r.headers["cache-control"] == "no-store"
        direct_get = httpx.get(r.headers["location"])
        assert direct_get.status_code == 200 and direct_get.content == b"%PDF-1.4 presigned"
        assert direct_get.headers["content-type"] == "application/pdf"
        assert direct_get.headers["content-disposition"] == "inline; filename=\"doc.pdf\"; filename*=UTF-8''doc.pdf"
        outsider = await register(c, "eve")
        await fetch(c, att["id"], outsider, 404)  # access is checked before any URL is made


async def test_a_sealed_file_without_the_key_is_a_clear_503(tmp_path, sqlite_template):
    """The admin removed media.encryption_key: the file cannot be read, and
    the user gets 503 problem details saying why (not a 500)."""
    shutil.copy(sqlite_template, tmp_path / "chatd.db")
    async with AsyncTestClient(create_app(make_config(tmp_path, media={"encryption_key": KEY}))) as c:
        alice, bob = await register(c, "alice"), await register(c, "bob")
        conv = await direct(c, alice, bob)
        att = await upload(c, conv, alice, b"sealed words")
        await send(c, conv, alice, attachments=[att["id"]])
    async with AsyncTestClient(create_app(make_config(tmp_path))) as c:
        r = await c.post("/api/v1/auth/login", json={"username": "bob", "password": "correct horse battery"})
        token = r.json()["token"]
        r = await c.get(f"/api/v1/attachments/{att['id']}", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 503 and r.json()["code"] == "media_key_missing"
        assert "sealed words" not in r.text
