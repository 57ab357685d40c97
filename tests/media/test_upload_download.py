"""Upload and download through the API: bytes exact, Range, ETag, safe headers."""

from __future__ import annotations

import hashlib
import os

from tests.api.message_helpers import send
from tests.media.helpers import ATT, fetch, upload


async def test_round_trip_is_byte_exact(client, trio):
    data = os.urandom(3 * 1024 * 1024 + 17)
    att = await upload(client, trio.conv, trio.alice, data, filename="report.bin")
    assert att["size"] == len(data)
    assert att["sha256"] == hashlib.sha256(data).hexdigest()
    assert att["content_type"] == "application/octet-stream"
    assert att["message_id"] is None and att["uploader_id"] == trio.alice.id
    r = await fetch(client, att["id"], trio.alice)
    assert r.content == data
    assert r.headers["etag"] == f'"{att["sha256"]}"'
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in r.headers["content-security-policy"]
    assert r.headers["content-disposition"].startswith("attachment;")


async def test_ranges(client, trio):
    data = bytes(range(256)) * 40  # 10,240 bytes
    att = await upload(client, trio.conv, trio.alice, data)
    first = await fetch(client, att["id"], trio.alice, 206, range="bytes=0-0")
    assert first.content == data[:1] and first.headers["content-range"] == "bytes 0-0/10240"
    middle = await fetch(client, att["id"], trio.alice, 206, range="bytes=1000-1999")
    assert middle.content == data[1000:2000] and middle.headers["content-length"] == "1000"
    suffix = await fetch(client, att["id"], trio.alice, 206, range="bytes=-10")
    assert suffix.content == data[-10:]
    open_end = await fetch(client, att["id"], trio.alice, 206, range="bytes=10000-")
    assert open_end.content == data[10000:]
    past = await fetch(client, att["id"], trio.alice, 416, range="bytes=10240-")
    assert past.headers["content-range"] == "bytes */10240"
    assert past.headers["content-type"] == "application/problem+json"
    # A malformed or multi-range header is ignored: the whole file.
    assert (await fetch(client, att["id"], trio.alice, 200, range="bytes=a-b")).content == data
    assert (await fetch(client, att["id"], trio.alice, 200, range="bytes=0-1,5-6")).content == data
    # If-Range with another validator: the whole file, not a piece of a changed one.
    assert (await fetch(client, att["id"], trio.alice, 200, range="bytes=0-0", **{"if-range": '"old"'})).content == data


async def test_etag_answers_304(client, trio):
    att = await upload(client, trio.conv, trio.alice, b"hello etag")
    r = await fetch(client, att["id"], trio.alice, 304, **{"if-none-match": f'"{att["sha256"]}"'})
    assert r.content == b""
    assert (await fetch(client, att["id"], trio.alice, 200, **{"if-none-match": '"other"'})).content == b"hello etag"


async def test_unbound_upload_is_private_until_sent(client, trio):
    att = await upload(client, trio.conv, trio.alice, b"draft bytes")
    await fetch(client, att["id"], trio.bob, 404)
    await fetch(client, att["id"], trio.bob, 404, suffix="/info")
    await send(client, trio.conv, trio.alice, body="see attached", attachments=[att["id"]])
    assert (await fetch(client, att["id"], trio.bob)).content == b"draft bytes"
    info = (await fetch(client, att["id"], trio.bob, suffix="/info")).json()
    assert info["message_id"] is not None
    listed = await client.get(f"/api/v1/conversations/{trio.conv}/attachments", headers=trio.bob.headers)
    assert [a["id"] for a in listed.json()["items"]] == [att["id"]]
    by_id = await client.get(f"/api/v1/conversations/{trio.conv}/attachments", params={"ids": att["id"]},
                             headers=trio.bob.headers)
    assert [a["filename"] for a in by_id.json()["items"]] == ["file.bin"]


async def test_outsider_gets_404_on_every_route(client, trio):
    att = await upload(client, trio.conv, trio.alice, b"secret", filename="plan.txt")
    await send(client, trio.conv, trio.alice, body="x", attachments=[att["id"]])
    for suffix in ("", "/info", "/thumbnail"):
        r = await fetch(client, att["id"], trio.eve, 404, suffix=suffix)
        assert r.json()["code"] == "attachment_not_found"
    r = await client.get(f"/api/v1/conversations/{trio.conv}/attachments", headers=trio.eve.headers)
    assert r.status_code == 404 and r.json()["code"] == "conversation_not_found"
    r = await client.post(f"/api/v1/conversations/{trio.conv}/attachments", headers=trio.eve.headers,
                          files={"file": ("x.txt", b"intruder", "text/plain")})
    assert r.status_code == 404 and r.json()["code"] == "conversation_not_found"
    await fetch(client, "01NOSUCHATTACHMENT00000000", trio.alice, 404)


async def test_filename_is_cleaned(client, trio):
    att = await upload(client, trio.conv, trio.alice, b"x", filename="../../etc/\u202egpj.exe")
    assert att["filename"] == "gpj.exe"
    r = await fetch(client, att["id"], trio.alice)
    assert "filename*=UTF-8''gpj.exe" in r.headers["content-disposition"]


async def test_bad_forms_are_400(client, trio):
    url = f"/api/v1/conversations/{trio.conv}/attachments"
    r = await client.post(url, headers=trio.alice.headers, json={"file": "nope"})
    assert r.status_code == 400 and r.json()["code"] == "multipart_required"
    r = await client.post(url, headers=trio.alice.headers, files={"other": ("a.txt", b"x", "text/plain")})
    assert r.status_code == 400 and r.json()["code"] == "file_missing"
    r = await client.post(url, headers={**trio.alice.headers, "content-type": "multipart/form-data; boundary=zz"},
                          content=b"--zz\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a\"\r\n\r\nabc")
    assert r.status_code == 400 and r.json()["code"] == "upload_interrupted"
