"""Helpers for the message and search API tests."""

from __future__ import annotations

import uuid

CONV = "/api/v1/conversations"
MSG = "/api/v1/messages"


async def direct(client, a, b) -> str:
    r = await client.post(CONV, json={"kind": "direct", "user_id": b.id}, headers=a.headers)
    assert r.status_code in (200, 201), r.text
    return r.json()["id"]


async def group(client, owner, *members, **extra) -> str:
    r = await client.post(CONV, json={"kind": "group", "title": "Team", "member_ids": [m.id for m in members], **extra},
                          headers=owner.headers)
    assert r.status_code == 201, r.text
    return r.json()["id"]


async def send(client, conv_id, who, body="hello", client_id=None, expect=201, **extra) -> dict:
    payload = {"client_id": client_id or uuid.uuid4().hex, "body": body, **extra}
    r = await client.post(f"{CONV}/{conv_id}/messages", json=payload, headers=who.headers)
    assert r.status_code == expect, r.text
    return r.json()
