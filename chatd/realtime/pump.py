"""A live socket's three tasks: receive (socket -> inbox), read (inbox ->
frame handlers, timers) and write (outbox -> socket), and how they end.

Receiving has its own task so that the reader's timeouts never cancel a
pending receive on the server's socket (a frame could be lost in between).
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from litestar.connection import WebSocket
from litestar.exceptions import WebSocketDisconnect

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
    inbox: asyncio.Queue[str | bytes | None] = asyncio.Queue(INBOX)
    receiver = asyncio.create_task(receive_into(session.socket, inbox))
    reader = asyncio.create_task(read_frames(session, inbox, outbox))
    writer = asyncio.create_task(outbox.run())
    closing = asyncio.create_task(outbox.close_requested.wait())
    tasks = (receiver, reader, writer, closing)
    try:
        await asyncio.wait((reader, writer, closing), return_when=asyncio.FIRST_COMPLETED)
        if outbox.closing is not None and not writer.done():
            await asyncio.wait((writer,), timeout=CLOSE_WAIT)  # flush, then the final frame
    finally:
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


async def receive_into(socket: WebSocket, inbox: asyncio.Queue[str | bytes | None]) -> None:
    """Frames into the inbox; None once the client is gone."""
    try:
        while True:
            message = await socket.receive()
            if message["type"] == "websocket.disconnect":
                return
            text = message.get("text")
            await inbox.put(text if text is not None else message.get("bytes") or b"")
    except WebSocketDisconnect:
        return
    finally:
        if not inbox.full():
            inbox.put_nowait(None)
        else:
            await inbox.put(None)
