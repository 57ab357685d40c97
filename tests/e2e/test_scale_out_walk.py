"""Issue 10's "done when", walked as the README's "Moving to PostgreSQL,
MongoDB, Redis and S3" tells an admin: a served SQLite deployment with a
media folder and real data (accounts, a direct chat and a group, an edit, a
deletion, reactions, files) is stopped; `chatd migrate-data` copies it to
PostgreSQL + MongoDB wire (SecantusDB) + S3 (SeaweedFS); the printed
`[storage]` lines plus Redis go into the config; two `chatd serve` processes
start on it. Every account signs in with its old password, old sessions
still work, every history and file reads as before on both processes, new
sends continue each conversation's seq, and people on the two processes
chat live."""

from __future__ import annotations

import asyncio
import hashlib
import io
import re
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from chatd.bench.server import BENCH_ENV, ServerProcess
from tests.data_move.helpers import migrate_data, pg_database
from tests.mongo_server import mongo_url
from tests.realtime.conftest import CONFIG, PASSWORD, Api, Sock, User



def png() -> bytes:
    """A real image, so the image path (metadata, thumbnail) is part of the move."""
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 80, 20)).save(out, "PNG")
    return out.getvalue()


async def upload(api: Api, who: User, conv: str, name: str, data: bytes, kind: str) -> str:
    r = await api.call(who, "POST", f"/api/v1/conversations/{conv}/attachments", 201,
                       files={"file": (name, data, kind)})
    return r.json()["id"]


async def seed(api: Api) -> dict[str, Any]:
    """What a small team had on its Pi."""
    root, ann, bob, cy = [await api.user(p) for p in ("root", "ann", "bob", "cy")]
    direct = (await api.call(ann, "POST", "/api/v1/conversations", 201,
                             json={"kind": "direct", "user_id": bob.id})).json()["id"]
    group = await api.group(ann, bob, cy)
    files = {"notes.txt": b"minutes of the meeting \x00\x01" * 300, "dot.png": png()}
    for i in range(30):
        await api.post([ann, bob][i % 2], direct, f"direct {i} \N{SNOWMAN}")
        await api.post([ann, bob, cy][i % 3], group, f"group {i}")
    ids = [await upload(api, ann, group, "notes.txt", files["notes.txt"], "text/plain"),
           await upload(api, ann, group, "dot.png", files["dot.png"], "image/png")]
    with_files = (await api.call(ann, "POST", f"/api/v1/conversations/{group}/messages", 201,
                                 json={"client_id": "files", "body": "the files", "attachments": ids})).json()
    edited = await api.post(bob, direct, "typo")
    await api.call(bob, "PATCH", f"/api/v1/messages/{edited['id']}", 200,
                   json={"body": "fixed", "version": edited["version"]})
    gone = await api.post(cy, group, "oops")
    await api.call(cy, "DELETE", f"/api/v1/messages/{gone['id']}", 204)
    await api.call(bob, "PUT", f"/api/v1/messages/{with_files['id']}/reactions/%F0%9F%91%8D", 200)
    return {"users": [root, ann, bob, cy], "direct": direct, "group": group, "files": dict(zip(ids, files.values()))}


async def snapshot(api: Api, scene: dict[str, Any]) -> dict[str, Any]:
    """Everything each user can read: profile, conversation list, histories, files."""
    seen: dict[str, Any] = {}
    for user in scene["users"]:
        me = (await api.call(user, "GET", "/api/v1/me", 200)).json()
        convs = (await api.call(user, "GET", "/api/v1/conversations", 200)).json()["items"]
        histories = {}
        for conv in sorted(c["id"] for c in convs):
            page = (await api.call(user, "GET", f"/api/v1/conversations/{conv}/messages",
                                   200, params={"limit": 200})).json()
            assert not page["has_more"]
            histories[conv] = page["items"]
        ids = sorted({c["id"] for c in convs})
        seen[user.name] = {"me": me, "conversations": ids, "histories": histories}
    ann = scene["users"][1]
    seen["files"] = {}
    for file_id in scene["files"]:
        r = await api.call(ann, "GET", f"/api/v1/attachments/{file_id}", 200)
        seen["files"][file_id] = hashlib.sha256(r.content).hexdigest()
    return seen


def printed(stdout: str, key: str) -> str:
    found = re.search(rf'^{key} = "([^"]+)"$', stdout, re.MULTILINE)
    assert found, stdout
    return found.group(1)


async def test_sqlite_pi_moves_to_shared_stores_and_two_processes(tmp_path: Path, mongo_server: str,
                                                                 s3_media_url: str, redis_server) -> None:
    pi = ServerProcess(tmp_path / "pi", config=CONFIG, env=BENCH_ENV)  # SQLite + media folder
    await pi.start()
    api = Api(pi.url)
    try:
        scene = await seed(api)
        before = await snapshot(api, scene)
    finally:
        await api.http.aclose()
        assert pi.stop() == 0

    ann = scene["users"][1]
    assert [len(before[ann.name]["histories"][scene[c]]) for c in ("direct", "group")] == [31, 32]
    assert {h for h in before["files"].values()} == {hashlib.sha256(b).hexdigest() for b in scene["files"].values()}
    messages_url = mongo_url(mongo_server)
    # README step 4: the copy reads [media] from the config; the test's SeaweedFS speaks plain http.
    with pi.config_path.open("a", encoding="utf-8") as config_file:
        config_file.write("\n[media]\ns3_tls = false\n")
    made = pg_database()  # a sync context manager that runs its own event loop: kept off this one
    database = await asyncio.to_thread(made.__enter__)
    try:
        moved = await asyncio.to_thread(migrate_data, pi.config_path, "--to", database,
                                        "--messages-to", messages_url, "--media-to", s3_media_url)
        assert moved.returncode == 0, moved.stdout + moved.stderr
        assert "verified (sha256)" in moved.stdout
        # The lines the command prints are the ones to put in the config.
        storage = {"database": printed(moved.stdout, "database"), "messages": printed(moved.stdout, "messages"),
                   "media": printed(moved.stdout, "media"), "cache": redis_server.url}
        assert (storage["database"], storage["messages"], storage["media"]) == (database, messages_url, s3_media_url)
        config = {**CONFIG, "storage": storage, "media": {"s3_tls": False}}
        servers = [ServerProcess(tmp_path / name, database=database, config=config, env=BENCH_ENV) for name in "ab"]
        apis: list[Api] = []
        socks: list[Sock] = []
        try:
            for server in servers:
                await server.start()
            apis = [Api(s.url) for s in servers]
            root, ann, bob, cy = scene["users"]
            for one in apis:  # the same deployment behind each process, old sessions included
                assert await snapshot(one, scene) == before
                for user in scene["users"]:
                    r = await one.http.post("/api/v1/auth/login", json={"username": user.name, "password": PASSWORD})
                    assert r.status_code == 200, r.text
                wrong = await one.http.post("/api/v1/auth/login", json={"username": ann.name, "password": "nope" * 4})
                assert wrong.status_code == 401

            # Ann on A and Bob on B chat live; the group's seq goes on from where the Pi left it.
            last = before[ann.name]["histories"][scene["group"]][-1]["seq"]
            on_a, on_b = await Sock.open(servers[0].url, ann), await Sock.open(servers[1].url, bob)
            socks += [on_a, on_b]
            await on_a.ready()
            await on_b.ready()
            ack = await on_a.request({"type": "send", "conversation_id": scene["group"], "client_id": "after",
                                      "body": "on the new stores"})
            assert ack["type"] == "ack" and ack["message"]["seq"] == last + 1, ack
            got = await on_b.until(lambda f: f.get("type") == "message.created"
                                   and f["payload"]["client_id"] == "after", timeout=5)
            assert got["payload"]["body"] == "on the new stores"
            reply = await on_b.request({"type": "send", "conversation_id": scene["direct"], "client_id": "reply",
                                        "body": "seen it"})
            assert reply["type"] == "ack"
            await on_a.until(lambda f: f.get("type") == "message.created" and f["payload"]["client_id"] == "reply",
                             timeout=5)
        finally:
            for sock in socks:
                await sock.close()
            for one in apis:
                await one.http.aclose()
            for server in servers:
                server.stop()

    finally:
        await asyncio.to_thread(made.__exit__, None, None, None)

    # The source is left as it was: the Pi could start again on it.
    assert (tmp_path / "pi" / "chatd.db").exists()
    assert any(p.is_file() for p in (tmp_path / "pi" / "media").rglob("*"))
