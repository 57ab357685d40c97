"""Upload and download through the API in the media tests."""

from __future__ import annotations

from typing import Any

ATT = "/api/v1/attachments"


async def upload(client, conv_id: str, who, data: bytes, filename: str = "file.bin", expect: int = 201,
                 content_type: str = "application/octet-stream", **params: Any) -> dict:
    r = await client.post(f"/api/v1/conversations/{conv_id}/attachments", headers=who.headers, params=params or None,
                          files={"file": (filename, data, content_type)})
    assert r.status_code == expect, r.text
    return r.json()


async def fetch(client, attachment_id: str, who, expect: int = 200, suffix: str = "", **headers: str):
    r = await client.get(f"{ATT}/{attachment_id}{suffix}", headers={**who.headers, **headers})
    assert r.status_code == expect, r.text
    return r
