"""Two real `chatd serve` processes on one deployment (PostgreSQL + Redis,
and once more with messages on MongoDB wire / SecantusDB): a user on A and
one on B chat live, typing and presence agree on both; A is killed with
SIGKILL, and A's client reconnects to B and resumes with `since`, losing
nothing and getting nothing twice."""

from __future__ import annotations

import asyncio
import time

import pytest

from chatd.bench.server import BENCH_ENV, ServerProcess
from tests.conftest import sql_url
from tests.mongo_server import mongo_url
from tests.realtime.conftest import CONFIG, REALTIME, Api, Sock

TTL = 2.0  # realtime.process_ttl_seconds: how soon a killed process's users go offline


@pytest.fixture(params=["postgres", "postgres+mongo"])
def deployment(request, tmp_path, sqlite_template, redis_server):
    storage = {"cache": redis_server.url}
    if request.param.endswith("mongo"):
        storage["messages"] = mongo_url(request.getfixturevalue("mongo_server"))
    database = sql_url("postgres", request, tmp_path, sqlite_template)
    config = {**CONFIG, "realtime": {**REALTIME, "process_ttl_seconds": TTL}, "storage": storage}
    servers = [ServerProcess(tmp_path / name, database=database, config=config, env=BENCH_ENV) for name in "ab"]
    try:
        for server in servers:
            asyncio.run(server.start())
        yield servers
    finally:
        for server in servers:
            server.stop()


def presence(user, state=None):
    return lambda f: f.get("type") == "presence" and f["user_id"] == user.id and state in (None, f["state"])


async def test_live_across_processes_and_failover_with_resume(deployment):
    a, b = deployment
    api_a, api_b = Api(a.url), Api(b.url)
    opened: list[Sock] = []
    try:
        ann, bob = await api_a.user("ann"), await api_b.user("bob")
        conv = await api_a.group(ann, bob)
        on_a = await Sock.open(a.url, ann)
        opened.append(on_a)
        await on_a.ready()
        on_b = await Sock.open(b.url, bob)
        opened.append(on_b)
        await on_b.ready()

        # Presence agrees on both: each sees the other online.
        assert (await on_a.until(presence(bob), timeout=5))["state"] == "online"
        assert (await on_b.until(presence(ann), timeout=5))["state"] == "online"
        assert (await api_b.call(bob, "GET", f"/api/v1/users/{ann.id}", 200)).json()["presence"] == "online"
        assert (await api_a.call(ann, "GET", f"/api/v1/users/{bob.id}", 200)).json()["presence"] == "online"

        # Live chat both ways, each message once on each side.
        latencies, ann_saw = [], []
        for i, (sender, receiver) in enumerate([(on_a, on_b), (on_b, on_a)] * 5):
            began = time.perf_counter()
            ack = await sender.request({"type": "send", "conversation_id": conv, "client_id": f"live{i}",
                                        "body": f"live {i}"})
            assert ack["type"] == "ack", ack
            got = await receiver.until(lambda f: f.get("type") == "message.created"
                                       and f["payload"]["client_id"] == f"live{i}", timeout=5)
            latencies.append(time.perf_counter() - began)
            if receiver is on_a:
                ann_saw.append(got)
            assert got["payload"]["body"] == f"live {i}"
        assert max(latencies) < 2.0, latencies  # generous: a shared 2-core machine; the bench measures it

        # Typing crosses too, and only to the other member.
        assert (await on_b.request({"type": "typing", "conversation_id": conv}))["forwarded"] is True
        typing = await on_a.until(lambda f: f.get("type") == "typing", timeout=5)
        assert typing["user_id"] == bob.id and typing["conversation_id"] == conv
        # ... throttled across processes by the shared claim.
        assert (await on_b.request({"type": "typing", "conversation_id": conv}))["forwarded"] is False

        seen_by_ann = ann_saw + [e for e in await on_a.events() if "seq" in e]
        cursor = max([e["seq"] for e in seen_by_ann] + [0])
        live_ids = {e["payload"]["client_id"] for e in seen_by_ann if e["type"] == "message.created"}
        assert live_ids == {f"live{i}" for i in range(10)}  # her own sends come back as events too

        a.proc.kill()  # SIGKILL: no close frames, no presence goodbye
        a.proc.wait()
        missed = [await api_b.post(bob, conv, f"while A was dead {i}", client_id=f"dead{i}") for i in range(5)]

        # A's lease runs out: B's side announces ann offline (no socket said so).
        assert (await on_b.until(presence(ann, "offline"), timeout=TTL * 4))["state"] == "offline"

        # A's client reconnects to B and resumes from what it had seen.
        again = await Sock.open(b.url, ann, since=str(cursor))
        opened.append(again)
        replayed, _ = await again.ready(timeout=10)
        got = [e["payload"]["client_id"] for e in replayed if e["type"] == "message.created"]
        assert got == [m["client_id"] for m in missed]  # exactly what it missed, in order, once
        assert not live_ids & set(got)
        assert (await on_b.until(presence(ann, "online"), timeout=5))["state"] == "online"
        assert (await again.until(presence(bob), timeout=5))["state"] == "online"
        ack = await again.request({"type": "send", "conversation_id": conv, "client_id": "back",
                                   "body": "back on B"})
        assert ack["type"] == "ack"
        await on_b.until(lambda f: f.get("type") == "message.created" and f["payload"]["client_id"] == "back")
    finally:
        for s in opened:
            await s.close()
        await api_a.http.aclose()
        await api_b.http.aclose()
