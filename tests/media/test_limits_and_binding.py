"""Size limit and quota (413 naming the limit, nothing left behind), and the
rules of binding uploads to a message (REST and WebSocket)."""

from __future__ import annotations

import os

from tests.api.message_helpers import MSG, group, send
from tests.conftest import register
from tests.media.helpers import fetch, upload


def _files(config) -> list:
    return [p for p in (config.data_dir / "media").rglob("*") if p.is_file()]


async def test_oversize_is_413_and_leaves_nothing(client, trio, config):
    config.limits.max_upload_mb = 1
    r = await client.post(f"/api/v1/conversations/{trio.conv}/attachments", headers=trio.alice.headers,
                          files={"file": ("big.bin", os.urandom(1024 * 1024 + 1), "application/octet-stream")})
    assert r.status_code == 413, r.text
    body = r.json()
    assert body["code"] == "upload_too_large" and "1 MB" in body["detail"] and body["max_bytes"] == 1024 * 1024
    assert _files(config) == []
    assert (await client.get(f"/api/v1/conversations/{trio.conv}/attachments", headers=trio.alice.headers)
            ).json()["items"] == []
    # Exactly at the limit is fine.
    await upload(client, trio.conv, trio.alice, os.urandom(1024 * 1024))


async def test_announced_oversize_refused_before_reading(client, trio, config):
    config.limits.max_upload_mb = 1
    r = await client.post(f"/api/v1/conversations/{trio.conv}/attachments",
                          headers={**trio.alice.headers, "content-type": "multipart/form-data; boundary=x",
                                   "content-length": str(50 * 1024 * 1024)}, content=b"--x")
    assert r.status_code == 413 and r.json()["code"] == "upload_too_large"


async def test_quota(client, trio, config):
    config.media.quota_mb_per_user = 1
    await upload(client, trio.conv, trio.alice, os.urandom(600 * 1024))
    r = await client.post(f"/api/v1/conversations/{trio.conv}/attachments", headers=trio.alice.headers,
                          files={"file": ("more.bin", os.urandom(600 * 1024), "application/octet-stream")})
    assert r.status_code == 413 and r.json()["code"] == "quota_exceeded", r.text
    assert len(_files(config)) == 1
    await upload(client, trio.conv, trio.bob, os.urandom(600 * 1024))  # bob has his own quota


async def test_binding_rules(client, trio):
    mine = await upload(client, trio.conv, trio.alice, b"mine")
    bobs = await upload(client, trio.conv, trio.bob, b"bob's")
    other_conv = await group(client, trio.alice, trio.eve)
    elsewhere = await upload(client, other_conv, trio.alice, b"other conversation")
    for ids in ([bobs["id"]], [elsewhere["id"]], [mine["id"], "01NOSUCHATTACHMENT00000000"]):
        r = await send(client, trio.conv, trio.alice, expect=400, attachments=ids)
        assert r["code"] == "invalid_attachments"
    # Refusals changed nothing: the upload is still unbound and can be sent once.
    sent = await send(client, trio.conv, trio.alice, body="here", attachments=[mine["id"], mine["id"]])
    assert sent["attachments"] == [mine["id"]]
    again = await send(client, trio.conv, trio.alice, expect=400, attachments=[mine["id"]])
    assert again["code"] == "invalid_attachments"
    # A retry of the same send (same client_id) is still the first message, not a refusal.
    retry = await client.post(f"/api/v1/conversations/{trio.conv}/messages", headers=trio.alice.headers,
                              json={"client_id": sent["client_id"], "body": "here", "attachments": [mine["id"]]})
    assert retry.status_code == 200 and retry.json()["id"] == sent["id"]


async def test_a_message_may_be_only_attachments(client, trio):
    att = await upload(client, trio.conv, trio.alice, b"just the file")
    r = await client.post(f"/api/v1/conversations/{trio.conv}/messages", headers=trio.alice.headers,
                          json={"client_id": "only-file", "attachments": [att["id"]]})
    assert r.status_code == 201, r.text


async def test_deleting_the_message_hides_its_attachments_at_once(client, trio):
    att = await upload(client, trio.conv, trio.alice, b"regret")
    sent = await send(client, trio.conv, trio.alice, body="oops", attachments=[att["id"]])
    assert (await fetch(client, att["id"], trio.bob)).content == b"regret"
    assert (await client.delete(f"{MSG}/{sent['id']}", headers=trio.alice.headers)).status_code == 204
    for who in (trio.alice, trio.bob):
        await fetch(client, att["id"], who, 404)
        await fetch(client, att["id"], who, 404, suffix="/info")
    listed = await client.get(f"/api/v1/conversations/{trio.conv}/attachments", headers=trio.bob.headers)
    assert listed.json()["items"] == []


async def test_a_member_who_left_loses_access(client, trio):
    carol = await register(client, "carol")
    conv = await group(client, trio.alice, trio.bob, carol)
    att = await upload(client, conv, trio.alice, b"team file")
    await send(client, conv, trio.alice, attachments=[att["id"]])
    assert (await fetch(client, att["id"], carol)).content == b"team file"
    r = await client.delete(f"/api/v1/conversations/{conv}/members/{carol.id}", headers=carol.headers)
    assert r.status_code in (200, 204), r.text
    await fetch(client, att["id"], carol, 404)
