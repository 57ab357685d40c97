"""Real sockets against a real server: `python -m chatd serve` in a
subprocess on a free port (chatd.bench.server), spoken to with the
`websockets` library and httpx. Timers are configured short so the
presence grace, typing expiry and idle timeout tests stay quick."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets
from websockets.exceptions import ConnectionClosed

from chatd.bench.server import BENCH_ENV, ServerProcess
from tests.backends import server_storage

PASSWORD = "correct horse battery"
REALTIME = {
    "presence_grace_seconds": 0.6,
    # Roomy: most tests' sockets only listen. The idle test runs its own server.
    "idle_timeout_seconds": 10.0,
    "typing_ttl_seconds": 1.0,
    "auth_timeout_seconds": 1.0,
    "away_after_seconds": 0.0,
    "socket_queue_size": 64,
}
CONFIG = {
    "realtime": REALTIME,
    "limits": {"messages_per_minute": 100_000},
    "auth": {"login_attempts_per_minute": 1000},
}
_names = itertools.count(1)


def start_server(request: pytest.FixtureRequest, data_dir: Path, env: dict[str, str] = BENCH_ENV,
                 **realtime: Any) -> ServerProcess:
    """Started on this pass's backends (tests/backends.py: stores of its own,
    dropped when `request`'s scope ends), with `root` (the first user, so
    the admin) registered."""
    config = {**CONFIG, "realtime": {**REALTIME, **realtime}, "storage": server_storage(request)}
    server = ServerProcess(data_dir, config=config, env=env)
    asyncio.run(server.start())
    r = httpx.post(f"{server.url}/api/v1/auth/register", json={"username": "root", "password": PASSWORD},
                   trust_env=False)
    assert r.status_code == 201, r.text
    server.root = User(r.json())  # type: ignore[attr-defined]
    return server


@pytest.fixture(scope="module")
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    server = start_server(request, tmp_path_factory.mktemp("realtime"))
    try:
        yield server
    finally:
        server.stop()


class User:
    def __init__(self, body: dict[str, Any]):
        self.id: str = body["user"]["id"]
        self.name: str = body["user"]["username"]
        self.token: str = body["token"]
        self.headers = {"Authorization": f"Bearer {self.token}"}


class Api:
    """The REST side, for setting the scene."""

    def __init__(self, url: str):
        self.url = url
        self.http = httpx.AsyncClient(base_url=url, trust_env=False, timeout=10)

    async def user(self, prefix: str = "u") -> User:
        r = await self.http.post("/api/v1/auth/register",
                                 json={"username": f"{prefix}_{next(_names)}", "password": PASSWORD})
        assert r.status_code == 201, r.text
        return User(r.json())

    async def call(self, who: User, method: str, path: str, expect: int | None = None, **kw: Any) -> httpx.Response:
        r = await self.http.request(method, path, headers=who.headers, **kw)
        if expect is not None:
            assert r.status_code == expect, r.text
        return r

    async def group(self, owner: User, *others: User) -> str:
        r = await self.call(owner, "POST", "/api/v1/conversations", 201,
                            json={"kind": "group", "title": "t", "member_ids": [o.id for o in others]})
        return r.json()["id"]

    async def post(self, who: User, conv: str, body: str, client_id: str | None = None) -> dict[str, Any]:
        r = await self.call(who, "POST", f"/api/v1/conversations/{conv}/messages", 201,
                            json={"client_id": client_id or f"c{next(_names)}", "body": body})
        return r.json()

    async def head(self, who: User) -> str:
        return (await self.call(who, "GET", "/api/v1/sync", 200)).json()["next"]


@pytest.fixture
async def api(server: ServerProcess) -> AsyncIterator[Api]:
    a = Api(server.url)
    yield a
    await a.http.aclose()


class Sock:
    """One WebSocket with a backlog: frames skipped while waiting for one
    kind stay available to later waits."""

    def __init__(self, ws: websockets.ClientConnection):
        self.ws = ws
        self.backlog: deque[dict[str, Any]] = deque()
        self._ids = itertools.count(1)

    @classmethod
    async def open(cls, url: str, user: User | None = None, *, since: str | None = None, how: str = "header",
                   **options: Any) -> Sock:
        target = url.replace("http", "ws", 1) + "/api/v1/ws" + (f"?since={since}" if since is not None else "")
        if user is not None and how == "header":
            options.setdefault("additional_headers", {})["Authorization"] = f"Bearer {user.token}"
        elif user is not None and how == "subprotocol":
            options["subprotocols"] = ["chatd", f"token.{user.token}"]
        # close_timeout: granian sometimes leaves a client's close unanswered
        # when a frame was in flight (1 run in ~40 here); waiting websockets'
        # default 10 s for it outlasted the other sockets' 10 s idle timeout.
        options.setdefault("close_timeout", 1.0)
        sock = cls(await websockets.connect(target, compression=None, open_timeout=5, **options))
        if user is not None and how == "frame":
            await sock.send({"type": "auth", "token": user.token})
        return sock

    async def send(self, frame: dict[str, Any] | str) -> None:
        await self.ws.send(frame if isinstance(frame, str) else json.dumps(frame))

    async def frame(self, timeout: float = 3.0) -> dict[str, Any]:
        if self.backlog:
            return self.backlog.popleft()
        return json.loads(await asyncio.wait_for(self.ws.recv(), timeout))

    async def until(self, match: Callable[[dict[str, Any]], bool], timeout: float = 3.0) -> dict[str, Any]:
        """The first frame that matches; the others stay in the backlog."""
        for frame in list(self.backlog):
            if match(frame):
                self.backlog.remove(frame)
                return frame
        async with asyncio.timeout(timeout):
            while True:
                frame = json.loads(await self.ws.recv())
                if match(frame):
                    return frame
                self.backlog.append(frame)

    async def ready(self, timeout: float = 5.0) -> tuple[list[dict[str, Any]], str]:
        """Everything up to `ready`: (replayed events, the cursor)."""
        events = []
        while True:
            frame = await self.frame(timeout)
            if frame["type"] == "ready":
                return events, frame["cursor"]
            if "seq" in frame:
                events.append(frame)

    async def request(self, frame: dict[str, Any], timeout: float = 5.0) -> dict[str, Any]:
        """Send with a fresh id; its ack or error."""
        fid = f"r{next(self._ids)}"
        await self.send({**frame, "id": fid})
        return await self.until(lambda f: f.get("type") in ("ack", "error", "pong") and f.get("id") == fid, timeout)

    async def events(self, kind: str | None = None, quiet: float = 0.5) -> list[dict[str, Any]]:
        """Event frames (with a seq) until none arrives for `quiet` seconds."""
        wanted = [("seq" in f and (kind is None or f["type"] == kind)) for f in self.backlog]
        out = [f for f, w in zip(self.backlog, wanted) if w]
        self.backlog = deque(f for f, w in zip(self.backlog, wanted) if not w)
        while True:
            try:
                frame = json.loads(await asyncio.wait_for(self.ws.recv(), quiet))
            except TimeoutError:
                return out
            if "seq" in frame and (kind is None or frame["type"] == kind):
                out.append(frame)
            else:
                self.backlog.append(frame)

    async def collect(self, kind: str, count: int, timeout: float = 15.0) -> list[dict[str, Any]]:
        """`count` events of `kind` (however slow the machine), plus any extra
        that follow within a short quiet period (so duplicates show)."""
        out: list[dict[str, Any]] = []
        async with asyncio.timeout(timeout):
            while len(out) < count:
                out.append(await self.until(lambda f: f.get("type") == kind and "seq" in f, timeout))
        return out + await self.events(kind, quiet=0.3)

    async def drain(self, quiet: float = 0.4) -> list[dict[str, Any]]:
        """Every frame until none arrives for `quiet` seconds."""
        out, self.backlog = list(self.backlog), deque()
        while True:
            try:
                out.append(json.loads(await asyncio.wait_for(self.ws.recv(), quiet)))
            except TimeoutError:
                return out

    async def closed(self, timeout: float = 5.0) -> tuple[int | None, str, list[dict[str, Any]]]:
        """Read until the server closes: (code, reason, frames seen on the way)."""
        seen = list(self.backlog)
        try:
            async with asyncio.timeout(timeout):
                async for raw in self.ws:
                    seen.append(json.loads(raw))
        except ConnectionClosed:
            pass
        return self.ws.close_code, self.ws.close_reason, seen

    async def close(self) -> None:
        await self.ws.close()


@pytest.fixture
async def sockets() -> AsyncIterator[list[Sock]]:
    """Register sockets here to have them closed after the test."""
    made: list[Sock] = []
    yield made
    for s in made:
        await s.close()


@pytest.fixture
def connect(server: ServerProcess, sockets: list[Sock]) -> Callable[..., Any]:
    async def open_socket(user: User | None = None, **kw: Any) -> Sock:
        s = await Sock.open(server.url, user, **kw)
        sockets.append(s)
        return s

    return open_socket
