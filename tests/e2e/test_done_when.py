"""The core issue's "done when", as a newcomer does it: a real `chatd serve`
(SQLite, then PostgreSQL by changing one config line), plain HTTP calls."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
import httpx
import pytest

from chatd.bench.server import BENCH_ENV, ServerProcess
from tests.conftest import PG_ADMIN_URL, need_server

PASSWORD = "correct horse battery"


@pytest.fixture(params=["sqlite", "postgres"])
def server(request, tmp_path):
    database = None
    name = f"chatd_e2e_{uuid.uuid4().hex[:8]}"
    if request.param == "postgres":
        try:
            asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
        except (OSError, asyncpg.PostgresError, asyncio.TimeoutError) as err:
            need_server(f"PostgreSQL at {PG_ADMIN_URL}", err)
        database = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    proc = ServerProcess(tmp_path, database=database, env=BENCH_ENV)
    asyncio.run(proc.start())
    try:
        yield proc
    finally:
        assert proc.stop() == 0, proc.log_tail()
        if database:
            asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _admin(statement: str) -> None:
    conn = await asyncpg.connect(PG_ADMIN_URL, timeout=5)
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


def test_two_people_talk_a_stale_edit_conflicts_and_a_third_sees_nothing(server):
    api = f"{server.url}/api/v1"
    with httpx.Client(trust_env=False, timeout=10) as http:

        def register(name: str) -> dict:
            r = http.post(f"{api}/auth/register", json={"username": name, "password": PASSWORD})
            assert r.status_code == 201, r.text
            return {"Authorization": f"Bearer {r.json()['token']}", "id": r.json()["user"]["id"]}

        alice, bob, carol = register("alice"), register("bob"), register("carol")
        auth = lambda who: {"Authorization": who["Authorization"]}  # noqa: E731

        r = http.post(f"{api}/conversations", json={"kind": "direct", "user_id": bob["id"]}, headers=auth(alice))
        assert r.status_code == 201, r.text
        conversation = r.json()["id"]
        again = http.post(f"{api}/conversations", json={"kind": "direct", "user_id": alice["id"]}, headers=auth(bob))
        assert again.status_code == 200 and again.json()["id"] == conversation

        sent = http.post(f"{api}/conversations/{conversation}/messages", headers=auth(alice),
                         json={"client_id": "a-1", "body": "hi bob"})
        assert sent.status_code == 201, sent.text
        reply = http.post(f"{api}/conversations/{conversation}/messages", headers=auth(bob),
                          json={"client_id": "b-1", "body": "hi alice", "reply_to": sent.json()["id"]})
        assert reply.status_code == 201
        history = http.get(f"{api}/conversations/{conversation}/messages", headers=auth(bob)).json()["items"]
        assert [(m["seq"], m["body"]) for m in history] == [(1, "hi bob"), (2, "hi alice")]

        message = sent.json()
        edited = http.patch(f"{api}/messages/{message['id']}", headers=auth(alice),
                            json={"body": "hi bob!", "version": message["version"]})
        assert edited.status_code == 200 and edited.json()["version"] == message["version"] + 1
        stale = http.patch(f"{api}/messages/{message['id']}", headers=auth(alice),
                           json={"body": "too late", "version": message["version"]})
        assert stale.status_code == 409
        assert stale.headers["content-type"] == "application/problem+json"
        assert stale.json()["current"]["body"] == "hi bob!"

        for path in (f"conversations/{conversation}", f"conversations/{conversation}/messages",
                     f"messages/{message['id']}"):
            outsider = http.get(f"{api}/{path}", headers=auth(carol))
            assert outsider.status_code == 404, (path, outsider.text)
        assert http.get(f"{api}/search", params={"q": "bob"}, headers=auth(carol)).json()["items"] == []
