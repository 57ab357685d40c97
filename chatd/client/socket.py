"""The WebSocket half: one `Connection` that survives disconnects.

It keeps the cursor of the last event it saw (or the `ready` cursor the
server hands out once caught up); when the socket drops it reconnects with
backoff to `/api/v1/ws?since=<cursor>`, so the server replays exactly what
was missed (an event at or below the last seq seen is dropped, should a
replay overlap). Frames sent with `request` carry an `id` and are answered
by `ack`/`error`; those unanswered when the socket drops are sent again on
the new socket (sends are idempotent by client_id).
"""

from __future__ import annotations

import asyncio
import itertools
import random
from collections.abc import Callable
from typing import Any

import websockets
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from chatd.client import frames
from chatd.client.actions import SocketActions
from chatd.client.dial import CURSOR_GONE, FATAL_CLOSE, FATAL_STATUS, closed, dial, ws_url
from chatd.client.errors import ChatdError, ConnectionLost
from chatd.client.models import Frame


class Connection(SocketActions):
    """`async with Connection(url, token) as conn:` then `async for frame in
    conn` (Event | Presence | Typing | dict), `await conn.send_message(...)`.

    `heartbeat`: seconds between pings (None: what the server's hello asks,
    0: none). `on_frame` gets every raw non-reply frame instead of the
    iterator, and `on_reply` the ack/error of frames sent with an own `id`
    through `send_frame`: the cheap path for load generators (no task, no
    future per frame). `ws_options` go to websockets.connect."""

    def __init__(self, base_url: str, token: str, *, since: str | None = None, auth: str = "header",
                 on_frame: Callable[[Frame], None] | None = None,
                 on_reply: Callable[[Frame], None] | None = None, reconnect: bool = True,
                 max_attempts: int = 20, max_delay: float = 10.0, heartbeat: float | None = None,
                 max_queue: int = 10_000, **ws_options: Any):
        if auth not in ("header", "subprotocol", "frame"):
            raise ValueError("auth is one of header, subprotocol, frame")
        self.base_url, self.token, self.auth = base_url, token, auth
        self.on_frame, self.on_reply = on_frame, on_reply
        self.cursor, self.last_seq = since, 0
        self.reconnect, self.max_attempts, self.max_delay = reconnect, max_attempts, max_delay
        self.heartbeat = heartbeat
        self.ws_options = {"compression": None, "open_timeout": 10.0, **ws_options}
        self.reconnects = 0
        self._ws: ClientConnection | None = None
        self._ids = itertools.count(1)
        self._pending: dict[str, tuple[dict[str, Any], asyncio.Future[Frame]]] = {}
        # Bounded: a consumer that stops reading stops the reader too, so the
        # server sees a slow client (and says resync) instead of frames being
        # dropped here unseen.
        self._queue: asyncio.Queue[Frame | None] = asyncio.Queue(max_queue)
        self._end: BaseException | None = None
        self._closing = False
        self._tasks: list[asyncio.Task[None]] = []

    # --- life cycle ---
    async def open(self) -> "Connection":
        """Connect and authenticate; a refusal raises ChatdError (401, ...)."""
        self._ws = await self._connect()
        self._tasks.append(asyncio.create_task(self._read_loop(), name="chatd-client-reader"))
        if self.heartbeat != 0:
            self._tasks.append(asyncio.create_task(self._heartbeat(), name="chatd-client-heartbeat"))
        return self

    async def close(self) -> None:
        self._closing = True
        for task in self._tasks:
            task.cancel()
        if self._ws is not None:
            await self._ws.close()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._fail_pending(ConnectionLost("connection closed"))

    async def __aenter__(self) -> "Connection":
        return await self.open()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @property
    def connected(self) -> bool:
        return self._ws is not None and self._ws.close_code is None and not self._closing

    async def drop(self) -> None:
        """Cut the current socket as a dead network would (no close frame);
        the connection then reconnects and resumes by itself."""
        if self._ws is not None:
            self._ws.transport.abort()

    # --- receiving ---
    def __aiter__(self) -> "Connection":
        return self

    async def __anext__(self) -> Any:
        item = None if self._queue.empty() and self._end is not None else await self._queue.get()
        if item is None:
            if self._end is None or isinstance(self._end, _Closed):
                raise StopAsyncIteration
            raise self._end
        return frames.typed(item)

    async def recv(self, timeout: float | None = None) -> Any:
        """The next frame (typed), waiting at most `timeout` seconds."""
        async with asyncio.timeout(timeout):
            return await self.__anext__()

    # --- sending ---
    async def request(self, frame: dict[str, Any], timeout: float | None = 10.0) -> Frame:
        """Send a frame with a fresh `id`; its `ack`/`pong`, or its `error` raised."""
        frame = {**frame, "id": f"c{next(self._ids)}"}
        future: asyncio.Future[Frame] = asyncio.get_running_loop().create_future()
        self._pending[frame["id"]] = (frame, future)
        try:
            try:
                await self.send_frame(frame)
            except ConnectionClosed:
                pass  # stays pending: sent again once reconnected
            async with asyncio.timeout(timeout):
                return await future
        finally:
            self._pending.pop(frame["id"], None)

    async def send_frame(self, frame: dict[str, Any]) -> None:
        """Send as is; nothing here waits for an answer (see `on_reply`)."""
        if self._ws is None:
            raise ConnectionLost("not connected")
        await self._ws.send(frames.encode(frame), text=True)

    # --- internals ---
    async def _connect(self) -> ClientConnection:
        """One authenticated socket, retried with backoff; refusals that a
        retry cannot change raise at once."""
        delay = 0.05
        for attempt in itertools.count(1):
            try:
                ws, hello = await dial(ws_url(self.base_url, self.cursor), self.token, self.auth, self.ws_options)
            except ChatdError as err:
                if err.status in FATAL_STATUS or attempt >= self.max_attempts:
                    raise
            except (OSError, TimeoutError, websockets.InvalidHandshake, ConnectionClosed, ConnectionLost):
                if attempt >= self.max_attempts:
                    raise ConnectionLost(f"could not connect to {self.base_url} after {attempt} attempts") from None
            else:
                self._server_heartbeat = float(hello.get("heartbeat") or 20.0)
                await self._deliver(hello)
                return ws
            await asyncio.sleep(delay * (0.5 + random.random()))
            delay = min(delay * 2, self.max_delay)
        raise AssertionError("unreachable")

    async def _read_loop(self) -> None:
        error: BaseException = _Closed()
        try:
            while True:
                ws = self._ws
                assert ws is not None
                try:
                    async for raw in ws:
                        frame = self._dispatch(raw)
                        if frame is not None:
                            await self._deliver(frame)
                except ConnectionClosed:
                    pass
                if self._closing or not self.reconnect or ws.close_code in FATAL_CLOSE:
                    if not self._closing:
                        error = closed(ws.close_code, ws.close_reason or "")
                    return
                ws = await self._connect()
                unanswered = [frame for frame, _ in self._pending.values()]
                self._ws = ws  # requests from now on go to the new socket
                self.reconnects += 1
                for frame in unanswered:
                    await ws.send(frames.encode(frame), text=True)
        except asyncio.CancelledError:
            raise
        except BaseException as err:  # noqa: BLE001 - handed to the consumer
            error = err
        finally:
            self._fail_pending(error if not isinstance(error, _Closed) else ConnectionLost("connection closed"))
            self._end = error
            if not self._queue.full():
                self._queue.put_nowait(None)  # wakes a consumer waiting on an empty queue

    def _dispatch(self, raw: str | bytes) -> Frame | None:
        """Resolve replies and track the cursor; the frame to deliver, if any."""
        frame = frames.decode(raw)
        kind = frame.get("type")
        if kind in frames.REPLIES:
            entry = self._pending.get(str(frame.get("id")))
            if entry is not None:
                if not entry[1].done():
                    if kind == "error":
                        entry[1].set_exception(ChatdError.of_problem(int(frame.get("status") or 0), frame))
                    else:
                        entry[1].set_result(frame)
                return None
            if frame.get("id") is not None and self.on_reply is not None:
                self.on_reply(frame)
                return None
            if kind != "error":
                return None  # a heartbeat's pong, or the 2nd ack of a send resent after a reconnect
        seq = frame.get("seq")
        if seq is not None and kind not in frames.EPHEMERAL:
            if seq <= self.last_seq:
                return None  # already delivered before a reconnect
            self.last_seq = seq
            self.cursor = str(seq)
        elif kind == "ready" and frame.get("cursor") is not None:
            self.cursor = str(frame["cursor"])
        elif kind in ("error", "resync") and frame.get("code") in CURSOR_GONE:
            # The log no longer reaches back to our cursor: the application
            # must refetch (it gets this frame); we go on with live events.
            self.cursor, self.last_seq = None, 0
        return frame

    async def _deliver(self, frame: Frame) -> None:
        if self.on_frame is not None:
            self.on_frame(frame)
        else:
            await self._queue.put(frame)

    async def _heartbeat(self) -> None:
        """Pings keep the server from closing a quiet socket as idle."""
        while True:
            await asyncio.sleep(self.heartbeat or self._server_heartbeat)
            if self.connected:
                try:
                    await self.send_frame({"type": "ping"})
                except ConnectionClosed:
                    pass

    def _fail_pending(self, error: BaseException) -> None:
        for _, future in self._pending.values():
            if not future.done():
                future.set_exception(error)

    _server_heartbeat = 20.0


class _Closed(Exception):
    """End of the frame stream after a deliberate close."""
