"""Which locally connected users are members of which conversations, now.

The threat: a user removed from a group (kicked for harassment, or a leaver
whose access should end) keeps an open socket. A check made only when the
socket connected would keep streaming the group's messages to them until
they reconnect. So every conversation-wide frame is checked against this
view when it is routed AND again right before it is written to a socket.

Asking the database per event per socket would cost a query for each of a
1,000-member group's recipients. Instead the view is seeded from the store
when a user's first socket connects and then kept current from the
member.joined / member.left events of the same ordered stream that carries
the messages: a removal takes effect exactly at its place in that order,
before the next event is routed. Membership changes made while the seed
query runs are recorded and replayed over the seed, so nothing is lost
between the snapshot and the stream.

The seed may also come from the shared membership cache (Redis), whose
entry can predate a change this hub heard a moment ago, before the user
attached (its invalidation lands a Redis round trip after the commit). So
the member changes of the last RECENT_SECONDS are kept for users not
connected too, and replayed over every seed in stream order: the last
change for a conversation decides, which is the stream's own state.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable, Iterable

RECENT_SECONDS = 10.0


class UserView:
    __slots__ = ("convs", "pending", "ready", "sockets")

    def __init__(self) -> None:
        self.convs: set[str] | None = None  # None while seeding
        self.pending: list[tuple[bool, str]] = []  # (joined?, conversation) heard while seeding
        self.ready = asyncio.Event()
        self.sockets = 0


class Memberships:
    def __init__(self) -> None:
        self.users: dict[str, UserView] = {}
        self.by_conv: dict[str, set[str]] = {}
        # (heard at, user, joined?, conversation) of the last RECENT_SECONDS, oldest first
        self.recent: deque[tuple[float, str, bool, str]] = deque()

    def attach(self, user_id: str) -> tuple[UserView, bool]:
        """Count one more socket of `user_id`; (view, whether the caller must seed it)."""
        view = self.users.get(user_id)
        fresh = view is None
        if view is None:
            view = self.users[user_id] = UserView()
        view.sockets += 1
        return view, fresh

    def seed(self, user_id: str, view: UserView, conversation_ids: Iterable[str]) -> None:
        if self.users.get(user_id) is not view or view.convs is not None:
            return  # every socket left meanwhile (a later socket seeds its own view)
        view.convs = set(conversation_ids)
        self._forget_old()
        changes = [(joined, conv) for _, user, joined, conv in self.recent if user == user_id]
        for joined, conv in changes + view.pending:  # changes heard while the seed query ran, in order
            (view.convs.add if joined else view.convs.discard)(conv)
        view.pending = []
        for conv in view.convs:
            self.by_conv.setdefault(conv, set()).add(user_id)
        view.ready.set()

    def detach(self, user_id: str) -> None:
        view = self.users.get(user_id)
        if view is None:
            return
        view.sockets -= 1
        if view.sockets > 0:
            return
        del self.users[user_id]
        for conv in view.convs or ():
            self._unindex(conv, user_id)
        view.ready.set()  # wake anyone still waiting on an abandoned seed

    def changed(self, conversation_id: str, user_id: str, joined: bool) -> None:
        """Apply a member.joined / member.left from the ordered stream."""
        self.recent.append((time.monotonic(), user_id, joined, conversation_id))
        self._forget_old()
        view = self.users.get(user_id)
        if view is None:
            return
        if view.convs is None:
            view.pending.append((joined, conversation_id))
        elif joined:
            view.convs.add(conversation_id)
            self.by_conv.setdefault(conversation_id, set()).add(user_id)
        else:
            view.convs.discard(conversation_id)
            self._unindex(conversation_id, user_id)

    def _forget_old(self) -> None:
        horizon = time.monotonic() - RECENT_SECONDS
        recent = self.recent
        while recent and recent[0][0] < horizon:
            recent.popleft()

    def audience(self, conversation_id: str) -> set[str]:
        """Local users who are members now (users still seeding are not:
        their replay from the log covers this event)."""
        return self.by_conv.get(conversation_id, set())

    def check_of(self, view: UserView) -> Callable[[str], bool]:
        """`is_member` for the user of a seeded `view` while they hold a
        socket (their view stays theirs until the last socket detaches), as
        the set's own lookup: no Python call per frame a socket writes. A
        seeded set is only ever changed in place (changed() above), so a
        removal heard after a frame was queued still stops it."""
        if view.convs is None:
            raise RuntimeError("membership view not seeded")
        return view.convs.__contains__

    def is_member(self, user_id: str, conversation_id: str) -> bool:
        view = self.users.get(user_id)
        return view is not None and view.convs is not None and conversation_id in view.convs

    def _unindex(self, conv: str, user_id: str) -> None:
        users = self.by_conv.get(conv)
        if users is not None:
            users.discard(user_id)
            if not users:
                del self.by_conv[conv]
