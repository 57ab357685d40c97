"""A live socket's three tasks: receive (socket -> inbox), read (inbox ->
frame handlers, timers) and write (outbox -> socket), and how they end.

Receiving has its own task so that the reader's timeouts never cancel a
pending receive on the server's socket (a frame could be lost in between).
The session's own task waits for the first of: the reader ends, the writer
ends, a close is asked; a future that all three set, not a task of its own
and an asyncio.wait (~2 KB less per held socket).
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from litestar.connection import WebSocket
from litestar.exceptions import WebSocketDisconnect

from chatd.realtime.inbox import Inbox
from chatd.realtime.outbox import Outbox
from chatd.realtime.reader import read_frames

if TYPE_CHECKING:
    from chatd.realtime.gateway import Session

log = logging.getLogger("chatd.realtime")

CLOSE_WAIT = 1.0  # for the last frames and the close to reach a client that may be stalled
INBOX = 64  # frames read ahead of handling; beyond, TCP pushes back on the client


async def pump(session: Session, outbox: Outbox) -> None:
    """Run until the client leaves (reader ends), the writer fails, or a
    close is asked (idle, too slow, disabled, shutdown)."""
    inbox = Inbox(INBOX)
    ended: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def end(_: object = None) -> None:
        if not ended.done():
            ended.set_result(None)

    receiver = asyncio.create_task(receive_into(session.socket, inbox))
    reader = asyncio.create_task(read_frames(session, inbox, outbox))
    writer = asyncio.create_task(outbox.run())
    tasks = (receiver, reader, writer)
    reader.add_done_callback(end)
    writer.add_done_callback(end)
    outbox.on_close = end
    if outbox.closing is not None:
        end()
    try:
        await ended
        if outbox.closing is not None and not writer.done():
            await asyncio.wait((writer,), timeout=CLOSE_WAIT)  # flush, then the final frame
    finally:
        outbox.on_close = None
        inbox.close()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    if reader.done() and not reader.cancelled() and reader.exception() is not None:
        log.error("socket reader failed", exc_info=reader.exception())
    if outbox.closing is not None:
        # The writer may have been cut off in the middle of a stalled send:
        # then only frames outside the log go out (a resync, an error), never
        # an event after one that may not have arrived: what the client holds
        # stays a gap-free prefix it can resume from.
        finished = writer.done() and not writer.cancelled() and writer.exception() is None
        await session.close(*outbox.closing, [] if finished else outbox.leftovers())


async def receive_into(socket: WebSocket, inbox: Inbox) -> None:
    """Frames into the inbox; None once the client is gone."""
    try:
        while True:
            message = await socket.receive()
            if message["type"] == "websocket.disconnect":
                return
            text = message.get("text")
            item = text if text is not None else message.get("bytes") or b""
            if inbox.full():  # (a coroutine per frame only when it has to wait)
                await inbox.put(item)
            else:
                inbox.put_nowait(item)
    except WebSocketDisconnect:
        return
    finally:
        if not inbox.full():
            inbox.put_nowait(None)
        else:
            await inbox.put(None)
