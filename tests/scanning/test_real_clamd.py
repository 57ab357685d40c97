"""The same rules with a real ClamAV (tests/clamd_server.py): through
`clamdscan` as media.scan_command, and through clamd's own socket
(media.scan_clamd, the INSTREAM protocol), on the folder and on S3."""

from __future__ import annotations

import os

import pytest

from tests.clamd_server import clamd  # noqa: F401 - the fixture
from tests.conftest import register
from tests.api.message_helpers import direct
from tests.media.helpers import upload
from tests.scanning.conftest import EICAR, stored_blobs

UPLOADS = "/api/v1/conversations/{}/attachments"


def _settings(how: str, clamd) -> dict:  # noqa: F811
    if how == "clamdscan":
        return {"scan_command": f"clamdscan -c {clamd.conf} --no-summary --fdpass -"}
    return {"scan_clamd": f"unix://{clamd.socket}"}


@pytest.mark.parametrize("how", ["clamdscan", "socket"])
async def test_clamav_keeps_clean_files_and_refuses_eicar(scanned_app, clamd, how):  # noqa: F811
    async with scanned_app(**_settings(how, clamd)) as (c, config):
        alice, bob = await register(c, "alice"), await register(c, "bob")
        conv = await direct(c, alice, bob)
        kept = await upload(c, conv, alice, os.urandom(300_000))
        r = await c.post(UPLOADS.format(conv), headers=alice.headers,
                         files={"file": ("eicar.com", os.urandom(100_000) + EICAR, "application/octet-stream")})
        assert r.status_code == 422 and r.json()["code"] == "attachment_rejected", r.text
        listed = (await c.get(UPLOADS.format(conv), headers=alice.headers)).json()["items"]
        assert [a["id"] for a in listed] == [] and len(stored_blobs(config)) == 1
        assert kept["size"] == 300_000


async def test_a_stream_over_clamds_limit_is_503_not_clean(scanned_app, clamd):  # noqa: F811
    """clamd cuts INSTREAM off past StreamMaxLength (2 MB here): that is no
    verdict, so the upload is refused as scanner_unavailable."""
    async with scanned_app(**_settings("socket", clamd)) as (c, config):
        alice, bob = await register(c, "alice"), await register(c, "bob")
        conv = await direct(c, alice, bob)
        r = await c.post(UPLOADS.format(conv), headers=alice.headers,
                         files={"file": ("big.bin", os.urandom(3 * 1024 * 1024), "application/octet-stream")})
        assert r.status_code == 503 and r.json()["code"] == "scanner_unavailable", r.text
        assert stored_blobs(config) == []


async def test_no_clamd_listening_is_503(scanned_app, tmp_path):
    async with scanned_app(scan_clamd=f"unix://{tmp_path}/nothing.sock") as (c, config):
        alice, bob = await register(c, "alice"), await register(c, "bob")
        conv = await direct(c, alice, bob)
        r = await c.post(UPLOADS.format(conv), headers=alice.headers,
                         files={"file": ("a.txt", b"words", "text/plain")})
        assert r.status_code == 503 and r.json()["code"] == "scanner_unavailable", r.text
        assert stored_blobs(config) == []
