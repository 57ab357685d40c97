"""chatd.client's Connection against the real gateway of a served app."""

from __future__ import annotations

import asyncio

import pytest

from chatd.bench.server import BENCH_ENV, ServerProcess
from chatd.client import ChatdError, Client, Connection, Presence, Typing
from chatd.domain import Event, Message


async def events_of(conn: Connection, kind: str = "message.created", *, quiet: float = 0.5,
                    limit: int = 500) -> list[Event]:
    """Frames of `kind` until none arrives for `quiet` seconds (at most `limit`)."""
    out: list[Event] = []
    for _ in range(limit):
        try:
            frame = await conn.recv(quiet)
        except TimeoutError:
            break
        if isinstance(frame, Event) and frame.type == kind:
            out.append(frame)
    return out


async def first_event(conn: Connection, kind: str = "message.created", timeout: float = 5.0) -> Event:
    async with asyncio.timeout(timeout):
        async for frame in conn:
            if isinstance(frame, Event) and frame.type == kind:
                return frame
    raise AssertionError("the stream ended")


async def pair(new_client) -> tuple[Client, Client, str]:
    alice, bob = await new_client("alice"), await new_client("bob")
    chat = await alice.create_direct((await bob.me()).id)
    return alice, bob, chat.id


async def test_two_users_exchange_messages_over_sockets(new_client) -> None:
    alice, bob, chat = await pair(new_client)
    async with alice.connect(proxy=None) as a, bob.connect(proxy=None) as b:
        sent = await a.send_message(chat, "hello bob")
        assert isinstance(sent, Message) and sent.body == "hello bob" and sent.seq == 1
        got = await first_event(b)
        assert got.payload["id"] == sent.id and got.conversation_id == chat
        reply = await b.send_message(chat, "hi alice")
        echoed = [e.payload["id"] for e in await events_of(a)]
        assert reply.id in echoed and reply.seq == 2


async def test_socket_send_is_idempotent_by_client_id(new_client) -> None:
    alice, bob, chat = await pair(new_client)
    async with alice.connect(proxy=None) as a:
        first = await a.send_message(chat, "once", client_id="retry-me-1")
        again = await a.send_message(chat, "once", client_id="retry-me-1")
    assert first.id == again.id
    assert [m.client_id for m in (await bob.messages(chat)).items] == ["retry-me-1"]


async def test_error_frames_raise_with_status_and_code(new_client) -> None:
    alice, bob, chat = await pair(new_client)
    eve = await new_client("eve")
    async with eve.connect(proxy=None) as e:
        with pytest.raises(ChatdError) as err:
            await e.send_message(chat, "not a member")
        assert err.value.status == 404 and err.value.code.endswith("not_found")
        with pytest.raises(ChatdError) as err:
            await e.send_message(chat, "x", client_id="no spaces allowed")
        assert err.value.status == 400
        assert await e.ping()  # the socket survived both


@pytest.mark.parametrize("auth", ["header", "subprotocol", "frame"])
async def test_every_way_to_authenticate(new_client, auth: str) -> None:
    alice, bob, chat = await pair(new_client)
    async with bob.connect(auth=auth, proxy=None) as b:
        await alice.send(chat, f"via {auth}")
        assert (await first_event(b)).payload["body"] == f"via {auth}"
    with pytest.raises(ChatdError) as err:
        await Connection(alice.base_url, "not-a-token", auth=auth, proxy=None).open()
    assert (err.value.status, err.value.code) == (401, "invalid_token")


async def test_http_sync_pages_from_a_cursor(new_client) -> None:
    alice, bob, chat = await pair(new_client)
    head = await bob.sync()
    assert head.events == [] and head.next
    sent = [await alice.send(chat, f"sync {i}") for i in range(3)]
    page = await bob.sync(head.next)
    created = [e for e in page.events if e.type == "message.created"]
    assert [e.payload["id"] for e in created] == [m.id for m in sent] and not page.more
    assert (await bob.sync(page.next)).events == []
    pages = [p async for p in bob.sync_pages(head.next, limit=1)]
    assert [e.seq for p in pages for e in p.events] == [e.seq for e in page.events]
    with pytest.raises(ChatdError) as err:
        await bob.sync("not-a-cursor")
    assert (err.value.status, err.value.code) == (400, "invalid_cursor")


async def test_resume_after_a_closed_connection_gets_exactly_the_missed_messages(new_client) -> None:
    alice, bob, chat = await pair(new_client)
    b = await bob.connect(proxy=None).open()
    await alice.send(chat, "before")
    assert (await first_event(b)).payload["body"] == "before"
    cursor = b.cursor
    assert cursor is not None
    await b.close()  # "the network of bob is gone"
    sent = [await alice.send(chat, f"missed {i}") for i in range(50)]
    async with bob.connect(since=cursor, proxy=None) as again:
        got = await events_of(again)
    assert [e.payload["id"] for e in got] == [m.id for m in sent]  # all 50, once, in order


async def test_dropped_connection_reconnects_and_resumes_by_itself(new_client) -> None:
    alice, bob, chat = await pair(new_client)
    async with bob.connect(proxy=None) as b:
        await alice.send(chat, "before")
        await first_event(b)
        await b.drop()
        sent = [await alice.send(chat, f"while away {i}") for i in range(50)]
        got = await events_of(b, quiet=1.0)
        assert b.reconnects >= 1
    assert [e.payload["id"] for e in got] == [m.id for m in sent]


async def test_unanswered_send_is_sent_again_after_reconnect(new_client) -> None:
    alice, bob, chat = await pair(new_client)
    async with alice.connect(proxy=None) as a:
        await a.ping()
        await a.drop()
        message = await a.send_message(chat, "through the reconnect")
    assert [m.id for m in (await bob.messages(chat)).items] == [message.id]


async def test_presence_typing_and_read_frames_are_typed(new_client) -> None:
    alice, bob, chat = await pair(new_client)
    alice_id = (await alice.me()).id
    async with bob.connect(proxy=None) as b:
        async with alice.connect(proxy=None) as a:
            online = await next_of(b, Presence)
            assert (online.user_id, online.state) == (alice_id, "online")
            await a.typing(chat)
            typing = await next_of(b, Typing)
            assert (typing.conversation_id, typing.user_id) == (chat, alice_id)
            message = await b.send_message(chat, "read me")
            assert (await a.read(chat, message.seq))["last_read_seq"] == message.seq
            assert (await a.presence("away"))["state"] == "away"
            assert (await next_of(b, Presence)).state == "away"
            assert (await a.ping())["type"] == "pong"


async def next_of(conn: Connection, kind: type, timeout: float = 5.0):
    async with asyncio.timeout(timeout):
        async for frame in conn:
            if isinstance(frame, kind):
                return frame
    raise AssertionError("the stream ended")


async def test_heartbeats_keep_a_quiet_socket_open(tmp_path) -> None:
    server = ServerProcess(tmp_path, config={"realtime": {"idle_timeout_seconds": 1.5}}, env=BENCH_ENV)
    await server.start()
    try:
        async with Client(server.url, trust_env=False) as alice:
            await alice.register("alice", "correct horse battery")
            # The hello asks for a ping every idle/3 s: the client follows it.
            async with alice.connect(proxy=None) as kept, alice.connect(proxy=None, heartbeat=0) as silent:
                await asyncio.sleep(2.5)
                assert kept.reconnects == 0 and kept.connected
                assert silent.reconnects >= 1  # closed as idle (4408), came back by itself
    finally:
        server.stop()


async def test_a_cursor_the_server_cannot_resume_is_dropped_and_live_events_follow(new_client) -> None:
    """The gateway answers an unknown/expired cursor with an error frame and
    close 4410; the client hands the error to the application (it must
    refetch), forgets the cursor and goes on live, instead of redialling the
    same dead cursor forever."""
    alice, bob, chat = await pair(new_client)
    async with bob.connect(since="999999999", proxy=None) as b:
        kinds = []
        async with asyncio.timeout(5):
            async for frame in b:
                if isinstance(frame, dict):
                    kinds.append(frame.get("type"))
                    if frame.get("type") == "error":
                        assert frame["code"] == "cursor_unknown"
                    if frame.get("type") == "ready" and "error" in kinds:
                        break  # reconnected without a cursor: live from here
        assert b.reconnects == 1
        await alice.send(chat, "after the reset")
        event = await first_event(b)
        assert event.payload["body"] == "after the reset"
        assert b.cursor == str(event.seq)
