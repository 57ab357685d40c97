"""BoundedRequest.body() reads the body without Litestar's stream() generator
(issue 14) and must keep its rules: every chunk in order, 413 for a size past
the route's limit (announced or received), a client gone mid-body refused."""

from __future__ import annotations

import msgspec
import pytest
from litestar import Litestar, Request, post

from chatd.api.bounded_request import BoundedRequest


@post("/echo")
async def echo(request: Request) -> bytes:
    first = await request.body()
    assert await request.body() is first  # read once, kept
    return first


APP = Litestar([echo], request_class=BoundedRequest, request_max_body_size=10)


async def call(events: list[dict], headers: list[tuple[bytes, bytes]] = ()) -> tuple[int, bytes]:
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
             "path": "/echo", "raw_path": b"/echo", "query_string": b"", "root_path": "", "headers": list(headers),
             "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80), "state": {}, "extensions": {}}
    queue = list(events)
    out: dict = {"body": b""}

    async def receive() -> dict:
        return queue.pop(0) if queue else {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        if message["type"] == "http.response.start":
            out["status"] = message["status"]
        else:
            out["body"] += message.get("body", b"")

    await APP(scope, receive, send)
    return out["status"], out["body"]


def chunk(body: bytes, more: bool) -> dict:
    return {"type": "http.request", "body": body, "more_body": more}


async def test_one_chunk_and_several_chunks_give_the_whole_body():
    assert await call([chunk(b"hello", False)]) == (201, b"hello")
    assert await call([chunk(b"he", True), chunk(b"", True), chunk(b"llo", False)]) == (201, b"hello")
    assert await call([chunk(b"", False)]) == (201, b"")


async def test_a_body_past_the_limit_is_413_announced_or_received():
    status, _ = await call([chunk(b"x", False)], [(b"content-length", b"11")])
    assert status == 413
    status, _ = await call([chunk(b"123456", True), chunk(b"78901", False)])
    assert status == 413
    assert (await call([chunk(b"12345", True), chunk(b"67890", False)]))[0] == 201


async def test_a_client_gone_mid_body_is_refused():
    status, body = await call([chunk(b"half", True)])
    assert status == 500 and msgspec.json.decode(body)["detail"] == "Internal Server Error"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
