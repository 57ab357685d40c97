"""Attachments over the socket: a `send` frame binds uploads like the POST
does, members get them with the event, and a foreign upload is refused."""

from __future__ import annotations


async def upload(api, who, conv: str, data: bytes) -> dict:
    r = await api.call(who, "POST", f"/api/v1/conversations/{conv}/attachments", 201,
                       files={"file": ("note.txt", data, "text/plain")})
    return r.json()


async def test_send_frame_binds_attachments(api, connect):
    ann, bob = await api.user("ann"), await api.user("bob")
    conv = await api.group(ann, bob)
    a, b = await connect(ann), await connect(bob)
    await a.ready()
    await b.ready()
    mine, bobs = await upload(api, ann, conv, b"ann's notes"), await upload(api, bob, conv, b"bob's notes")
    refused = await a.request({"type": "send", "conversation_id": conv, "client_id": "x1", "body": "steal",
                               "attachments": [bobs["id"]]})
    assert refused["type"] == "error" and refused["code"] == "invalid_attachments"
    ack = await a.request({"type": "send", "conversation_id": conv, "client_id": "x2", "attachments": [mine["id"]]})
    assert ack["type"] == "ack" and ack["message"]["attachments"] == [mine["id"]]
    got = await b.until(lambda f: f.get("type") == "message.created")
    assert got["payload"]["attachments"] == [mine["id"]]
    r = await api.call(bob, "GET", f"/api/v1/attachments/{mine['id']}", 200)
    assert r.content == b"ann's notes"
    # Bob's own upload stayed unbound through ann's refused send: he can still send it.
    ack = await b.request({"type": "send", "conversation_id": conv, "client_id": "y1", "attachments": [bobs["id"]]})
    assert ack["type"] == "ack"
