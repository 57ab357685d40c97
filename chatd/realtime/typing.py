"""Typing indicators: ephemeral (never stored, never replayed), throttled,
and self-expiring: each frame says how long it lasts (`expires_in`), so a
client that stops typing, or vanishes, needs no "stopped" message.

The throttle is a claim with a TTL in the counters store (memory, or Redis
shared by every process), so a user typing in two tabs on two processes is
still forwarded at most twice per ttl."""

from __future__ import annotations

import msgspec

from chatd.realtime.bus import Bus, TypingMsg
from chatd.storage.ports.counters import CounterStore


class TypingService:
    def __init__(self, bus: Bus, counters: CounterStore, ttl: float):
        self.bus, self.counters = bus, counters
        self.ttl = ttl
        # Forwarded at most twice per ttl: the indicator stays lit while the
        # user keeps typing, and a flood of keystrokes costs nobody anything.
        self.every = ttl / 2

    async def typing(self, user_id: str, conversation_id: str) -> bool:
        """Tell the other members `user_id` is typing; False when throttled.
        The caller has checked that the user is a member."""
        if not await self.counters.claim(f"typing:{conversation_id}:{user_id}", self.every):
            return False
        frame = {"type": "typing", "conversation_id": conversation_id, "user_id": user_id, "expires_in": self.ttl}
        self.bus.publish(TypingMsg(conversation_id=conversation_id, user_id=user_id,
                                   frame=msgspec.Raw(msgspec.json.encode(frame))))
        return True
