"""A live socket's incoming side: frames in order, heartbeats and timers.

Three clocks run per socket: idle (no frame at all, pings included, for
idle_timeout_seconds closes it: the peer is gone or not speaking the
protocol), away (no send/typing/read for away_after_seconds shows the user
away until their next activity) and a periodic re-check of the session (a
logout or revoked token ends live sockets too, not only new requests).
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from chatd.api import access_log
from chatd.errors import ChatError, RateLimited, StoreUnavailable
from chatd.realtime import frames
from chatd.realtime.frames import Presence
from chatd.realtime.handlers import ACTIVITY, handle
from chatd.realtime.inbox import RANG, Inbox
from chatd.realtime.outbox import Outbox
from chatd.realtime.socket_limits import FrameRate

if TYPE_CHECKING:
    from chatd.realtime.gateway import Session

log = logging.getLogger("chatd.realtime")

REAUTH_EVERY = 120.0
INTERNAL = frames.Internal("Something went wrong on the server.")


async def read_frames(session: Session, inbox: Inbox, outbox: Outbox) -> None:
    rt, cfg = session.rt, session.rt.config.realtime
    loop = asyncio.get_running_loop()
    last_frame = last_active = loop.time()
    next_check = last_frame + REAUTH_EVERY
    auto_away = False
    rate = FrameRate(cfg.max_frames_per_second, last_frame)
    while True:
        deadline = min(last_frame + cfg.idle_timeout_seconds, next_check)
        if cfg.away_after_seconds and not auto_away:
            deadline = min(deadline, last_active + cfg.away_after_seconds)
        if inbox.empty():  # (the alarm matters only when there is something to wait for)
            inbox.alarm(deadline)
            data = await inbox.get()
        else:
            data = inbox.get_nowait()
        if data is RANG:  # a deadline passed, or one that has moved since (then the alarm is set again)
            now = loop.time()
            if now >= last_frame + cfg.idle_timeout_seconds:
                outbox.close(frames.CLOSE_IDLE, f"idle: no frame for {cfg.idle_timeout_seconds:g} s")
                return
            if now >= next_check:
                next_check = now + REAUTH_EVERY
                if not await session.still_valid(outbox):
                    return
            if cfg.away_after_seconds and not auto_away and now >= last_active + cfg.away_after_seconds:
                auto_away = True
                await rt.presence.set_state(session.user_id, session.socket_id, "away")
            continue
        if data is None:
            return  # the client went away
        last_frame = loop.time()
        if not rate.take(last_frame):
            # A flood: one error frame, then the socket goes (the client may come back later).
            err = RateLimited(f"At most {cfg.max_frames_per_second:g} frames a second.", code="frame_rate")
            outbox.close(frames.CLOSE_TOO_MANY, "frame_rate", final=frames.error(err), flush=False)
            return
        try:
            frame = frames.parse(data)
        except frames.FrameError as err:
            if err.code == "frame_too_large":
                outbox.close(frames.CLOSE_FRAME_TOO_LARGE, err.code, final=frames.error(err), flush=False)
                return
            outbox.frame(frames.error(err, err.frame_id))
            continue
        if isinstance(frame, Presence):
            # The client's word wins over the clock: its idle timer restarts
            # too, or an explicit "online" would turn "away" again at once.
            auto_away = False
            last_active = last_frame
        elif isinstance(frame, ACTIVITY):
            last_active = last_frame
            if auto_away:
                auto_away = False
                await rt.presence.set_state(session.user_id, session.socket_id, "online")
        try:
            reply = await handle(rt, session.user_id, session.socket_id, frame)
        except ChatError as err:
            reply = frames.error(err, frame.id)
            access_log.refusal("WS", f"{session.socket.url.path} {type(frame).__name__.lower()}", err,
                               session.user_id, session.username, getattr(frame, "conversation_id", "(in the frame)"))
        except Exception as err:  # noqa: BLE001 - one failing frame must not end the socket
            if (store := rt.stores.unreachable(err)) is not None:  # away for now: the client retries
                log.warning("a %s frame: the %s store does not answer", type(frame).__name__, store)
                reply = frames.error(StoreUnavailable(store), frame.id)
            else:
                log.exception("handling a %s frame failed", type(frame).__name__)
                reply = frames.error(INTERNAL, frame.id)
        if reply is not None:
            outbox.frame(reply)
