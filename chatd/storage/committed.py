"""The committed-events feed every adapter fulfils the port with (see
storage/ports/events.py): adapters `publish` after a commit, listeners
`listen`. Plain fan-out; nothing here knows a storage technology."""

from __future__ import annotations

import logging
from collections.abc import Callable

from chatd.storage.ports.events import EventNote, OnCommit

log = logging.getLogger("chatd.storage")


class CommitFeed:
    def __init__(self) -> None:
        self._listeners: list[OnCommit] = []

    def listen(self, listener: OnCommit) -> Callable[[], None]:
        self._listeners.append(listener)

        def stop() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return stop

    def publish(self, notes: list[EventNote]) -> None:
        """Called by an adapter after commit, never before: a listener must
        not hear of what a crash could still take back."""
        if not notes:
            return
        for listener in list(self._listeners):
            try:
                listener(notes)
            except Exception:  # noqa: BLE001 - the write committed; a listener's bug must not undo the answer
                log.exception("committed-events listener failed")
