"""graphql-transport-ws (the `graphql-ws` library's protocol) on one socket.

connection_init (credentials may ride in its payload: {"token"} or
{"Authorization": "Bearer ..."}) -> connection_ack; then subscribe/next/
error/complete per operation id, ping/pong. Close codes are the protocol's:
4400 bad message (not a JSON object with a type, nested deeper than the
JSON limit, over 1 MiB, or binary), 4401 not acknowledged yet, 4403
forbidden, 4408 init timeout, 4409 duplicate id, 4429 second init; 4404
when the graphql flag is off for the user (the endpoint does not exist for
them).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from litestar import WebSocket
from litestar.exceptions import WebSocketDisconnect
from strawberry.types import ExecutionResult

from chatd.bounds import decode_bounded
from chatd.domain import User
from chatd.errors import ChatError
from chatd.gql.context import Context
from chatd.gql.errors import error_json, result_json
from chatd.gql.refusals import log_refusals
from chatd.gql.schema import schema_for
from chatd.realtime.frames import MAX_FRAME_CHARS

PROTOCOL = "graphql-transport-ws"


class Connection:
    def __init__(self, socket: WebSocket, runtime: Any, realtime: Any, handshake_token: str | None):
        self.socket, self.services, self.realtime = socket, runtime.services, realtime
        self.config = runtime.config
        self.token = handshake_token
        self.user: User | None = None
        self.operations: dict[str, asyncio.Task[None]] = {}
        self._send_lock = asyncio.Lock()

    async def send(self, message: dict[str, Any]) -> None:
        async with self._send_lock:
            await self.socket.send_text(json.dumps(message, default=str))

    async def close(self, code: int, reason: str) -> None:
        await self.socket.close(code=code, reason=reason)

    async def receive(self) -> dict[str, Any] | None:
        """The next message, or None for one that is not the protocol's (the
        caller closes 4400, or 4401 before the ack). Bounded like the chatd
        socket's frames (realtime/frames.py): size first, then depth, so a
        hostile message costs a refusal, not a RecursionError and a 1011
        with a stack trace per message. A binary frame reads as "": None."""
        text = await self.socket.receive_text()
        if len(text) > MAX_FRAME_CHARS:
            return None
        try:
            message = decode_bounded(json.loads, text)
        except ValueError:  # TooDeep too
            return None
        return message if isinstance(message, dict) and isinstance(message.get("type"), str) else None

    async def serve(self) -> None:
        await self.socket.accept(subprotocols=PROTOCOL)
        try:
            if await self._init():
                await self._loop()
        except WebSocketDisconnect:
            pass
        finally:
            for task in self.operations.values():
                task.cancel()
            await asyncio.gather(*self.operations.values(), return_exceptions=True)

    async def _init(self) -> bool:
        try:
            first = await asyncio.wait_for(self.receive(), self.config.realtime.auth_timeout_seconds)
        except TimeoutError:
            await self.close(4408, "Connection initialisation timeout")
            return False
        if first is None or first["type"] != "connection_init":
            await self.close(4401, "Unauthorized")
            return False
        payload = first.get("payload") if isinstance(first.get("payload"), dict) else {}
        token = self.token or _payload_token(payload)
        try:
            if not token:
                raise ChatError("no credentials")
            self.user, _ = await self.services.accounts.authenticate(token)
        except ChatError:
            await self.close(4403, "Forbidden")
            return False
        self.token = token
        if not await self.services.features.on("graphql", self.user.id):
            await self.close(4404, "feature_disabled")
            return False
        await self.send({"type": "connection_ack"})
        return True

    async def _loop(self) -> None:
        while True:
            message = await self.receive()
            kind = None if message is None else message["type"]
            if kind == "ping":
                await self.send({"type": "pong"})
            elif kind == "pong":
                continue
            elif kind == "subscribe" and isinstance(message.get("id"), str) and isinstance(message.get("payload"), dict):
                op_id = message["id"]
                if op_id in self.operations:
                    await self.close(4409, f"Subscriber for {op_id[:64]} already exists")
                    return
                task = asyncio.create_task(self._run(op_id, message["payload"]))
                self.operations[op_id] = task
                task.add_done_callback(lambda _, i=op_id: self.operations.pop(i, None))
            elif kind == "complete" and isinstance(message.get("id"), str):
                task = self.operations.pop(message["id"], None)
                if task is not None:
                    task.cancel()
            elif kind == "connection_init":
                await self.close(4429, "Too many initialisation requests")
                return
            else:
                await self.close(4400, "Invalid message")
                return

    async def _run(self, op_id: str, payload: dict[str, Any]) -> None:
        assert self.user is not None
        context = Context(services=self.services, me=self.user, token=self.token or "",
                          wait_for_events=self.realtime.hub.waiter)
        query, variables = payload.get("query"), payload.get("variables")
        name = payload.get("operationName")
        if not isinstance(query, str) or not isinstance(variables, dict | None) or not isinstance(name, str | None):
            await self.send({"id": op_id, "type": "error", "payload": [{"message": "Bad subscribe payload.",
                                                                        "extensions": {"code": "invalid"}}]})
            return
        try:
            stream = await schema_for(self.config.graphql).subscribe(
                query, variable_values=variables, context_value=context, operation_name=name)
        except Exception as err:  # noqa: BLE001 - e.g. a query sent as a subscription
            await self.send({"id": op_id, "type": "error",
                             "payload": [{"message": str(err), "extensions": {"code": "graphql_invalid"}}]})
            return
        if isinstance(stream, ExecutionResult):  # refused before it started (invalid document...)
            log_refusals(stream.errors, self.user, variables)
            await self.send({"id": op_id, "type": "error", "payload": [error_json(e) for e in stream.errors or []]})
            return
        try:
            started = False
            async for result in stream:
                log_refusals(result.errors, self.user, variables)
                if not started and result.errors and result.data is None:
                    # Refused before any result (an invalid document, a query
                    # sent here, a cursor the log cannot serve): `error`, no `complete`.
                    await self.send({"id": op_id, "type": "error", "payload": [error_json(e) for e in result.errors]})
                    return
                started = True
                await self.send({"id": op_id, "type": "next", "payload": result_json(result.data, result.errors)})
            await self.send({"id": op_id, "type": "complete"})
        finally:
            await stream.aclose()


def _payload_token(payload: dict[str, Any]) -> str | None:
    token = payload.get("token")
    if isinstance(token, str):
        return token
    header = payload.get("Authorization") or payload.get("authorization")
    if isinstance(header, str) and header.lower().startswith("bearer "):
        return header[7:].strip()
    return None
