"""Presence in this process's memory (port: storage/ports/presence.py)."""

from __future__ import annotations

from collections.abc import Collection

from chatd.storage.ports.presence import SocketState, State


class MemoryPresenceStore:
    def __init__(self) -> None:
        self._sockets: dict[str, dict[str, SocketState]] = {}
        self._announced: dict[str, State] = {}

    def _state(self, user_id: str) -> State:
        sockets = self._sockets.get(user_id)
        if not sockets:
            return "offline"
        return "online" if "online" in sockets.values() else "away"

    async def set_socket(self, user_id: str, socket_id: str, state: SocketState) -> State:
        self._sockets.setdefault(user_id, {})[socket_id] = state
        return self._state(user_id)

    async def drop_socket(self, user_id: str, socket_id: str) -> State:
        sockets = self._sockets.get(user_id)
        if sockets is not None:
            sockets.pop(socket_id, None)
            if not sockets:
                del self._sockets[user_id]
        return self._state(user_id)

    async def current(self, user_id: str) -> State:
        return self._state(user_id)

    async def announce(self, user_id: str, state: State) -> bool:
        before = self._announced.get(user_id, "offline")
        if state == "offline":
            self._announced.pop(user_id, None)  # nothing kept for users who left
        else:
            self._announced[user_id] = state
        return before != state

    async def announced(self, user_ids: Collection[str]) -> dict[str, State]:
        return {u: self._announced.get(u, "offline") for u in user_ids}

    async def renew(self) -> None:
        return None  # one process: its sockets live exactly as long as it does

    async def expired(self) -> list[str]:
        return []
