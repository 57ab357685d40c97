"""The S3 key rotated under a running chatd (ASVS 2.10.1, 6.4.1):
storage.media comes from a file and minio asks it for the key and secret
before signing each request, so the next request uses a rotated one. A
secret S3 refuses is a clean 503 naming the media store and /readyz says
CredentialsRefused. The test SeaweedFS knows two keys of one identity
(tests/s3_server.py), as a rotation does while both are valid."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient

from chatd.app import create_app
from chatd.storage.blobs.choose import S3Location
from tests.api.message_helpers import group
from tests.conftest import register
from tests.media.helpers import fetch, upload
from tests.rotation.conftest import file_config, write_secret
from tests.s3_server import NEXT_ACCESS, NEXT_SECRET
from tests.store_tls.conftest import chatd_log
from tests.stores_away.helpers import assert_away


def media_url(loc: S3Location, access: str, secret: str) -> str:
    return f"s3://{access}:{secret}@{loc.endpoint}/{loc.bucket}"


async def test_a_rotated_s3_key_is_used_from_the_next_request(s3_location: S3Location, tmp_path: Path,
                                                              caplog: pytest.LogCaptureFixture) -> None:
    if os.environ.get("CHATD_TEST_S3"):
        pytest.skip("needs the test SeaweedFS with a second key (tests/s3_server.py), not CHATD_TEST_S3")
    secret = tmp_path / "media-url"
    write_secret(secret, media_url(s3_location, s3_location.access_key, s3_location.secret_key))
    config = file_config(tmp_path, "media", secret, media=f"file:///{tmp_path}/unused")
    config.media.s3_tls = False
    async with AsyncTestClient(create_app(config)) as c:
        ann, bob = await register(c, "ann"), await register(c, "bob")
        conv = await group(c, ann, bob)
        first = await upload(c, conv, ann, b"first file")

        write_secret(secret, media_url(s3_location, NEXT_ACCESS, NEXT_SECRET))
        second = await upload(c, conv, ann, b"second file")
        assert (await fetch(c, first["id"], ann)).content == b"first file"

        write_secret(secret, media_url(s3_location, NEXT_ACCESS, "not-the-secret"))
        with chatd_log(caplog) as records:
            await assert_away(c, "media", "GET", f"/api/v1/attachments/{second['id']}", within=8,
                              headers=ann.headers)
            ready = await c.get("/readyz")
        assert (ready.status_code, ready.json()["failed"]) == (503, {"media": "CredentialsRefused"})
        said = [rec.getMessage() for rec in records if rec.name.startswith("chatd") and "credentials" in rec.getMessage()]
        assert len(said) == 1 and "SignatureDoesNotMatch" in said[0] and "not-the-secret" not in said[0], said

        write_secret(secret, media_url(s3_location, NEXT_ACCESS, NEXT_SECRET))
        assert (await fetch(c, second["id"], ann)).content == b"second file"
        assert (await c.get("/readyz")).json() == {"status": "ready"}
