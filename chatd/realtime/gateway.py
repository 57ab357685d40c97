"""One WebSocket from handshake to close.

Order of a session: accept -> authenticate -> `hello` -> join the hub (live
events park in the outbox) -> replay the log after `since` -> `ready`
{cursor} -> parked events newer than the replay -> live. Subscribing before
replaying and dropping parked events at or below the last replayed seq is
what makes resume exact: nothing missed in the switch, nothing twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

from litestar.connection import WebSocket
from litestar.exceptions import WebSocketDisconnect

from chatd import ids
from chatd.api import access_log
from chatd.api.client_address import client_address
from chatd.api.socket_send import RAW_SEND
from chatd.errors import ChatError, Conflict, Forbidden, RateLimited, StorageFailed, StoreUnavailable, Unauthenticated
from chatd.realtime import frames
from chatd.realtime.auth import answer_subprotocol, forget_handshake, read_handshake
from chatd.realtime.frames import Auth
from chatd.realtime.outbox import Outbox
from chatd.realtime.presence import presence_frame
from chatd.realtime.pump import CLOSE_WAIT, pump
from chatd.services.sync import parse_cursor

if TYPE_CHECKING:
    from chatd.realtime.core import Realtime

log = logging.getLogger("chatd.realtime")

REPLAY_PAGE = 500
SEED_WAIT = 10.0
CLOSE_FOR_STATUS = {401: frames.CLOSE_UNAUTHENTICATED, 403: frames.CLOSE_FORBIDDEN,
                    410: frames.CLOSE_CURSOR_EXPIRED, 503: frames.CLOSE_TRY_AGAIN}


def unavailable() -> StoreUnavailable:
    return StoreUnavailable("redis")


class Session:
    # One per held socket.
    __slots__ = ("socket", "rt", "socket_id", "user_id", "username", "token", "outbox", "stopping", "_send")

    def __init__(self, socket: WebSocket, rt: Realtime):
        self.socket, self.rt = socket, rt
        # Data frames go straight to the server (api/socket_send.py: Litestar's
        # wrappers do nothing for them); Litestar's send where the app was not
        # built by create_app.
        self._send = socket.scope.get(RAW_SEND) or socket.send
        self.socket_id = ids.new_id()
        self.user_id = ""
        self.username = ""  # for chatd.access lines (a refused frame)
        self.token = ""  # kept to re-check the session now and then; never logged
        self.outbox: Outbox | None = None
        self.stopping: tuple[int, str] | None = None

    def stop(self, code: int, reason: str, final: str | None = None) -> None:
        self.stopping = (code, reason)
        if self.outbox is not None:
            self.outbox.close(code, reason, final=final)

    async def send(self, text: str) -> None:
        await self._send({"type": "websocket.send", "text": text})

    async def run(self) -> None:
        await self.socket.accept(subprotocols=answer_subprotocol(self.socket))
        limits, address = self.rt.limits, client_address(self.socket, self.rt.config)
        if not limits.admit(address):
            log.warning("refused a WebSocket: %s holds %d already", address, limits.per_address)
            err = RateLimited("Too many connections from your address.", code="too_many_sockets")
            return await self.close(frames.CLOSE_TOO_MANY, err.code, [frames.error(err)])
        self.rt.sessions.add(self)
        try:
            if not self.rt.accepting:
                self.stop(frames.CLOSE_RESTART, "server restarting")
                return await self.close(*self.stopping)
            if self.rt.degraded:
                return await self._refuse(unavailable())
            try:
                await self._authenticate()
                since = parse_cursor(self.socket.query_params.get("since"))
            except ChatError as err:
                access_log.refusal("WS", self.socket.url.path, err, None, None)  # a disabled account's 403
                return await self._refuse(err)
            forget_handshake(self.socket)
            for old in limits.join(self.user_id, self):
                old.replaced()
            await self._live(since)
        except WebSocketDisconnect:
            pass
        except (StorageFailed, StoreUnavailable) as err:  # e.g. Redis went away while the socket started
            await self._refuse(err)
        except Exception:
            log.exception("WebSocket session failed")
            await self.close(frames.CLOSE_INTERNAL, "internal error")
        finally:
            limits.release(address)
            limits.leave(self.user_id, self)
            self.rt.sessions.discard(self)
            self.outbox = None  # the outbox holds self.send: no cycle left to collect

    def replaced(self) -> None:
        """A newer socket of the same user took this one's place (per-user limit)."""
        err = Conflict("You opened more sockets than allowed; this, your oldest, is closed.",
                       code="too_many_sockets")
        self.stopping = (frames.CLOSE_REPLACED, err.code)
        if self.outbox is not None:
            self.outbox.close(*self.stopping, final=frames.error(err), flush=False)

    async def _authenticate(self) -> None:
        handshake = read_handshake(self.socket, self.rt.config)
        token = handshake.token if handshake.source is not None else await self._auth_frame()
        if not token:
            raise Unauthenticated("Missing or malformed credentials.", code="invalid_token")
        user, _ = await self.rt.services.accounts.authenticate(token)
        self.user_id, self.username, self.token = user.id, user.username, token

    async def _auth_frame(self) -> str:
        wait = self.rt.config.realtime.auth_timeout_seconds
        try:
            message = await asyncio.wait_for(self.socket.receive(), wait)
        except TimeoutError:
            raise Unauthenticated(f"Authenticate within {wait:g} s: send {{\"type\": \"auth\", \"token\": ...}}.",
                                  code="auth_timeout") from None
        if message["type"] == "websocket.disconnect":
            raise WebSocketDisconnect(detail="closed before authenticating")
        try:
            frame = frames.parse(message.get("text") or message.get("bytes") or "")
        except frames.FrameError:
            frame = None
        if not isinstance(frame, Auth):
            raise Unauthenticated('The first frame must be {"type": "auth", "token": ...}.', code="auth_required")
        return frame.token

    async def _refuse(self, err: ChatError) -> None:
        await self.close(CLOSE_FOR_STATUS.get(err.status, frames.CLOSE_BAD_REQUEST), err.code, [frames.error(err)])

    async def close(self, code: int, reason: str, last: Iterable[str] = ()) -> None:
        """Send `last`, then the close. A stalled peer makes both time out,
        and granian then drops the connection (without that close attempt
        it could stay open behind the unsent bytes)."""

        async def send_all() -> None:
            for text in last:
                await self.send(text)

        for step in (send_all, lambda: self.socket.close(code, reason)):
            try:
                await asyncio.wait_for(step(), CLOSE_WAIT)
            except Exception:  # noqa: BLE001 - stalled or gone: the connection is dropped either way
                pass

    async def _live(self, since: int | None) -> None:
        rt, user_id = self.rt, self.user_id
        memberships = rt.hub.memberships
        view, fresh = memberships.attach(user_id)
        outbox = self.outbox = Outbox(self.send, rt.config.realtime.socket_queue_size,
                                      lambda conv: memberships.is_member(user_id, conv))
        if self.stopping is not None:
            outbox.close(*self.stopping)
        rt.hub.add(user_id, outbox)
        online = False
        try:
            idle = rt.config.realtime.idle_timeout_seconds
            await self.send(frames.encode({"type": "hello", "user_id": user_id, "idle_timeout": idle,
                                           "heartbeat": round(idle / 3, 3)}))
            if fresh:
                memberships.seed(user_id, view, await rt.member_conversations(user_id))
            else:
                await asyncio.wait_for(view.ready.wait(), SEED_WAIT)
            # Seeded: from here on the view's own set answers the writer's
            # last-moment check (membership.py), not a Python call per frame.
            outbox.visible = memberships.check_of(view)
            try:
                last = await self._replay(since)
            except ChatError as err:
                return await self._refuse(err)
            if outbox.closing is None:
                await self.send(frames.encode({"type": "ready", "cursor": str(last)}))
                outbox.go_live(last)
                online = True  # from here on, closing must tell presence
                around = await rt.presence.opened(user_id, self.socket_id, set(view.convs or ()))
                for other, state in around.items():
                    outbox.frame(presence_frame(other, state).decode())
            await pump(self, outbox)
        finally:
            rt.hub.remove(user_id, outbox)
            memberships.detach(user_id)
            if online:
                await rt.presence.closed(user_id, self.socket_id)

    async def _replay(self, since: int | None) -> int:
        """Send every event after `since` from the log; the last seq covered."""
        sync = self.rt.services.sync
        if since is None:
            return await sync.head()  # read after joining the hub: newer events are parked
        await sync.check(since)
        cursor = since
        while self.outbox is not None and self.outbox.closing is None:
            page = await sync.read(self.user_id, cursor, REPLAY_PAGE)
            for event in page.events:
                await self.send(frames.encode_event(event))
            cursor = page.next
            if not page.more:
                break
        return cursor

    async def still_valid(self, outbox: Outbox) -> bool:
        """Re-check the session (logout, revoked token, expiry, disabled)."""
        try:
            await self.rt.services.accounts.authenticate(self.token)
        except (Unauthenticated, Forbidden) as err:
            outbox.close(CLOSE_FOR_STATUS[err.status], err.code, final=frames.error(err), flush=False)
            return False
        except Exception:  # noqa: BLE001 - a database hiccup does not end sockets
            log.exception("re-checking a socket's session failed")
        return True
