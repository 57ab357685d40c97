"""The log is persistent: a restart between two connections loses nothing,
and a stopping server closes sockets with 1012 so clients come back."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.realtime.conftest import Api, Sock, start_server


@pytest.fixture
def own_server(request: pytest.FixtureRequest, tmp_path: Path):
    server = start_server(request, tmp_path / "srv")
    yield server
    server.stop()


async def test_resume_across_a_restart_is_exact(own_server):
    api = Api(own_server.url)
    try:
        ann, bob = await api.user("ann"), await api.user("bob")
        conv = await api.group(ann, bob)
        b = await Sock.open(own_server.url, bob)
        _, cursor = await b.ready()
        before = [await api.post(ann, conv, f"before {i}") for i in range(50)]
        seen_live = await b.events("message.created")
        assert len(seen_live) == 50
        cursor = str(seen_live[24]["seq"])  # as if the device saw only half before it slept

        own_server.stop()
        code, reason, _ = await b.closed()
        assert code == 1012, (code, reason)  # "service restart": reconnect
        await own_server.start()

        after = [await api.post(ann, conv, f"after {i}") for i in range(50)]
        b2 = await Sock.open(own_server.url, bob, since=cursor)
        replayed, _ = await b2.ready()
        expected = before[25:] + after
        assert [e["payload"]["id"] for e in replayed] == [m["id"] for m in expected]
        await b2.close()
    finally:
        await api.http.aclose()
