"""Typing indicators: ephemeral (never stored, never replayed), throttled,
and self-expiring: each frame says how long it lasts (`expires_in`), so a
client that stops typing, or vanishes, needs no "stopped" message."""

from __future__ import annotations

import time

import msgspec

from chatd.realtime.bus import Bus, TypingMsg

MAX_TRACKED = 10_000


class TypingService:
    def __init__(self, bus: Bus, ttl: float):
        self.bus = bus
        self.ttl = ttl
        # Forwarded at most twice per ttl: the indicator stays lit while the
        # user keeps typing, and a flood of keystrokes costs nobody anything.
        self.every = ttl / 2
        self._last: dict[tuple[str, str], float] = {}

    def typing(self, user_id: str, conversation_id: str) -> bool:
        """Tell the other members `user_id` is typing; False when throttled.
        The caller has checked that the user is a member."""
        now = time.monotonic()
        key = (user_id, conversation_id)
        last = self._last.get(key)
        if last is not None and now - last < self.every:
            return False
        if len(self._last) >= MAX_TRACKED:
            self._last = {k: t for k, t in self._last.items() if now - t < self.every}
        self._last[key] = now
        frame = {"type": "typing", "conversation_id": conversation_id, "user_id": user_id, "expires_in": self.ttl}
        self.bus.publish(TypingMsg(conversation_id=conversation_id, user_id=user_id,
                                   frame=msgspec.Raw(msgspec.json.encode(frame))))
        return True
