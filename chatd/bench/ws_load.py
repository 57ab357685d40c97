"""The closed-loop load of chatd/bench/rest_load.py over WebSockets: one
socket per sender, each slot a `send` frame whose `ack` (given after the
commit) is the durable answer. Every sender's socket also receives every
message of the conversation (a group of N gets N frames per send), so the
generator parses N times more than over REST: its CPU is reported."""

from __future__ import annotations

import asyncio

from websockets.exceptions import ConnectionClosed

from chatd.bench.population import Bot, close_all, open_sockets
from chatd.bench.probe import Probe
from chatd.bench.rest_load import BODY, LoadResult, closed_loop
from chatd.client.errors import ChatdError, ConnectionLost


async def ws_send_load(url: str, senders: list[Bot], conversation: str, *, in_flight: int, warmup: float,
                       duration: float, probe: Probe, label: str = "ws",
                       acked: dict[str, tuple[str, int]] | None = None) -> LoadResult:
    owners = [senders[i % len(senders)] for i in range(in_flight)]
    conns = await open_sockets(owners, url, lambda i: lambda frame: None)

    async def send_one(slot: int, client_id: str) -> tuple[str, int] | str:
        try:
            message = await conns[slot].send_message(conversation, BODY, client_id=client_id, timeout=30)
        except (ChatdError, ConnectionLost, ConnectionClosed, TimeoutError, asyncio.TimeoutError) as err:
            return getattr(err, "code", None) or type(err).__name__
        return message.id, message.seq

    try:
        return await closed_loop(send_one, in_flight=in_flight, warmup=warmup, duration=duration, probe=probe,
                                 label=label, what="durable WebSocket send", acked=acked)
    finally:
        await close_all(conns)
