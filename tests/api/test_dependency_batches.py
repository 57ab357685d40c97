"""A request's dependencies (`services`, `me`) resolve one after the other,
with no anyio task group per request (chatd/app.py: `_me_after_services`)."""

from __future__ import annotations

import litestar._kwargs.kwargs_model as kwargs_model

from tests.conftest import register


async def test_a_send_and_a_history_page_open_no_task_group(client, monkeypatch):
    alice = await register(client, "alice")
    chat = (await client.post("/api/v1/conversations", headers=alice.headers,
                              json={"kind": "group", "title": "t", "member_ids": []})).json()["id"]
    groups = []
    real = kwargs_model.create_task_group

    def counted():
        groups.append(1)
        return real()

    monkeypatch.setattr(kwargs_model, "create_task_group", counted)
    sent = await client.post(f"/api/v1/conversations/{chat}/messages", headers=alice.headers,
                             json={"client_id": "c1", "body": "hello"})
    assert sent.status_code == 201, sent.text
    assert sent.json()["sender_id"] == alice.id  # `me` is still the caller
    page = await client.get(f"/api/v1/conversations/{chat}/messages", headers=alice.headers)
    assert [m["body"] for m in page.json()["items"]] == ["hello"]
    assert (await client.get("/api/v1/me", headers=alice.headers)).json()["id"] == alice.id
    assert groups == []
