"""Hostile WebSocket clients against a real server: deep JSON, huge frames,
floods, too many sockets, cross-site origins. Each gets an error frame and
a documented close code (never 1011 without one), and other users' sockets
live on."""

from __future__ import annotations

import asyncio
import json
import random

import httpx
import pytest
import websockets

from chatd.bench.server import BENCH_ENV
from tests.realtime.conftest import PASSWORD, Sock, User, start_server

DEEP = "[" * 100_000 + "]" * 100_000
LIMITS = {"max_sockets_per_user": 3, "max_sockets_per_address": 12, "max_frames_per_second": 20.0}


@pytest.fixture(scope="module")
def server(request, tmp_path_factory):
    # Without the load test's lifted socket and frame limits.
    env = {k: v for k, v in BENCH_ENV.items() if "REALTIME" not in k}
    server = start_server(request, tmp_path_factory.mktemp("hostile"), env, **LIMITS)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
async def user(api):
    return await api.user("h")


def error_then_close(code: int, error_code: str, seen: list, closed_with: int | None) -> None:
    errors = [f for f in seen if f.get("type") == "error"]
    assert errors and errors[-1]["code"] == error_code, seen
    assert closed_with == code, (closed_with, seen)


async def live(connect, user: User) -> Sock:
    s = await connect(user)
    await s.ready()
    return s


async def test_deep_json_in_the_auth_frame_gets_an_error_frame_and_4401(connect, server):
    s = await connect(None)
    await s.send('{"type":"auth","token":' + DEEP + "}")
    code, _, seen = await s.closed()
    error_then_close(4401, "auth_required", seen, code)
    assert "Traceback" not in server.log_tail(200)


async def test_deep_json_in_a_ping_is_an_error_frame_and_the_socket_lives(connect, user, server):
    s = await live(connect, user)
    await s.send('{"type":"ping","id":' + DEEP + "}")
    err = await s.until(lambda f: f["type"] == "error")
    assert err["code"] == "too_deep" and err["status"] == 400
    assert (await s.request({"type": "ping"}))["type"] == "pong"
    assert "Traceback" not in server.log_tail(200)


async def test_a_16_mib_frame_gets_an_error_frame_then_4413(connect, user, api):
    other = await live(connect, await api.user("o"))
    s = await live(connect, user)
    await s.ws.send("x" * (16 << 20))
    code, _, seen = await s.closed(timeout=10)
    error_then_close(4413, "frame_too_large", seen, code)
    assert (await other.request({"type": "ping"}))["type"] == "pong"


async def test_a_frame_flood_gets_an_error_frame_then_4429(connect, user, api):
    other = await live(connect, await api.user("o"))
    s = await live(connect, user)
    # A burst past the bucket (2 s worth), then quiet: a client still
    # writing into a closed connection would get a TCP reset instead.
    for i in range(int(LIMITS["max_frames_per_second"] * 3)):  # trips unless the server took > 1 s
        await s.send({"type": "ping", "id": i})
    code, _, seen = await s.closed()
    error_then_close(4429, "frame_rate", seen, code)
    # Bursts below the limit are fine, and other users never noticed.
    for _ in range(5):
        assert (await other.request({"type": "ping"}))["type"] == "pong"


async def test_a_users_socket_past_the_limit_closes_their_oldest_with_4409(connect, user):
    first = await live(connect, user)
    rest = [await live(connect, user) for _ in range(LIMITS["max_sockets_per_user"])]
    code, _, seen = await first.closed()
    error_then_close(4409, "too_many_sockets", seen, code)
    for s in rest:
        assert (await s.request({"type": "ping"}))["type"] == "pong"


async def test_sockets_past_the_address_limit_are_refused_with_4429(connect, api):
    users = [await api.user("a") for _ in range(LIMITS["max_sockets_per_address"])]
    held = []
    for u in users:
        held.append(await connect(u))
        await held[-1].ready()
    extra = await connect(await api.user("x"))
    code, _, seen = await extra.closed()
    error_then_close(4429, "too_many_sockets", seen, code)
    await held[0].close()
    async with asyncio.timeout(5):  # the server frees the slot once it sees the close
        while True:
            again = await connect(users[0])
            try:
                code, _, frames = await again.closed(timeout=0.3)
            except TimeoutError:
                break  # still open: admitted
            assert code == 4429, (code, frames)
    assert (await again.request({"type": "ping"}))["type"] == "pong"


async def test_a_cookie_socket_from_another_site_is_refused(connect, server, user):
    async with httpx.AsyncClient(base_url=server.url, trust_env=False) as http:
        r = await http.post("/api/v1/auth/login", json={"username": user.name, "password": PASSWORD})
    cookie = f"chatd_session={r.cookies['chatd_session']}"
    evil = await connect(None, additional_headers={"Cookie": cookie}, origin="https://evil.example")
    code, _, seen = await evil.closed()
    error_then_close(4403, "bad_origin", seen, code)
    own = await connect(None, additional_headers={"Cookie": cookie}, origin=server.url)
    await own.ready()
    assert (await own.request({"type": "ping"}))["type"] == "pong"


async def test_huge_headers_are_431_from_chatd_or_from_granian_before_it(server):
    async with httpx.AsyncClient(base_url=server.url, trust_env=False) as http:
        r = await http.get("/api/v1/me", headers={"Authorization": "Bearer " + "a" * 40_000})
        assert r.status_code == 431 and r.headers["content-type"] == "application/problem+json"
        assert r.json()["code"] == "headers_too_large"
        # Past granian's HTTP/1 buffer (~400 KiB) granian answers before the
        # app runs: still 431, but with granian's empty body (documented).
        r = await http.get("/api/v1/me", headers={"Authorization": "Bearer " + "a" * 1_000_000})
        assert r.status_code == 431
        assert (await http.get("/healthz")).status_code == 200


def fuzz_frame(rng: random.Random, conv: str) -> str | bytes:
    """A random, mostly malformed client frame (fixed seed: reproducible)."""
    kinds = ["send", "typing", "read", "presence", "ping", "auth", "dance", None, 7]
    junk = [None, True, -1, 2**64, 1e308, "", "x" * 300, "\u202e\u200b", [], {}, [[[]]], {"a": {"b": {}}}, conv]
    pick = rng.random()
    if pick < 0.1:
        return bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 64)))
    if pick < 0.2:
        return "".join(chr(rng.randint(1, 0x2FFF)) for _ in range(rng.randint(0, 64)))
    if pick < 0.25:
        return "[" * rng.randint(30, 5000) + "]" * rng.randint(0, 5000)
    frame: dict = {"type": rng.choice(kinds)}
    for key in rng.sample(["id", "conversation_id", "client_id", "body", "seq", "state", "token", "envelope",
                           "mentions", "reply_to", "extra"], rng.randint(0, 6)):
        frame[key] = rng.choice(junk)
    if rng.random() < 0.3:
        frame.update(conversation_id=conv, client_id=f"f{rng.randint(0, 10**6)}", body="fuzz", id=rng.randint(0, 99))
    return json.dumps(frame)


async def test_a_frame_fuzzer_crashes_no_socket_of_another_user(connect, api, server):
    fuzzer, bystander = await api.user("fz"), await api.user("by")
    conv = await api.group(fuzzer, bystander)
    other = await live(connect, bystander)
    rng = random.Random(13)
    closes: list[int | None] = []
    sent = 0
    while sent < 300:
        s = await live(connect, fuzzer)
        try:
            for _ in range(30):  # below the burst, so most frames are handled
                await s.ws.send(fuzz_frame(rng, conv))
                sent += 1
            assert (await s.request({"type": "ping"}, timeout=10))["type"] == "pong"
        except (websockets.ConnectionClosed, TimeoutError, AssertionError):
            pass
        finally:
            closes.append(s.ws.close_code)  # None: still open after its pong
            await s.close()
        assert (await other.request({"type": "ping"}))["type"] == "pong"
        await asyncio.sleep(1.0)  # the bucket refills
    assert set(closes) <= {None, 4413, 4429}, closes  # never 1011, 1005 or 1006
    ack = await other.request({"type": "send", "conversation_id": conv, "client_id": "after-fuzz", "body": "ok"})
    assert ack["type"] == "ack"
    log = server.log_path.read_text(errors="replace")
    assert "Traceback" not in log and "failed" not in log, log[-3000:]
