"""PresenceStore contract (every adapter: memory today), and the users
row's last_seen_at that presence writes, on both SQL engines."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chatd import clock
from chatd.storage.memory.presence import MemoryPresenceStore
from tests.sql_handle import sql_db


@pytest.fixture(params=["memory"])
def presence(request):
    return MemoryPresenceStore()


async def test_state_follows_the_sockets(presence):
    assert await presence.current("ann") == "offline"
    assert await presence.set_socket("ann", "s1", "online") == "online"
    assert await presence.set_socket("ann", "s2", "away") == "online"  # any online socket wins
    assert await presence.set_socket("ann", "s1", "away") == "away"  # all away
    assert await presence.drop_socket("ann", "s1") == "away"
    assert await presence.drop_socket("ann", "s2") == "offline"
    assert await presence.drop_socket("ann", "never") == "offline"
    assert await presence.current("bob") == "offline"


async def test_announced_state_is_kept_apart_and_changes_only_once(presence):
    assert await presence.announced(["ann", "bob"]) == {"ann": "offline", "bob": "offline"}
    assert await presence.announce("ann", "online") is True
    assert await presence.announce("ann", "online") is False
    await presence.set_socket("ann", "s1", "online")
    await presence.drop_socket("ann", "s1")
    # Sockets gone, but nothing announced yet: others still see online (the grace period).
    assert await presence.announced(["ann"]) == {"ann": "online"}
    assert await presence.announce("ann", "offline") is True
    assert await presence.announced(["ann"]) == {"ann": "offline"}
    assert await presence.announce("ann", "offline") is False


async def test_last_seen_is_stored_and_never_moves_back(stores):
    await sql_db(stores).write(lambda c: c.execute(
        "INSERT INTO users (id, username, display_name, password_hash, created_at, updated_at)"
        " VALUES ('ann', 'ann', 'Ann', 'x', 0, 0)"))
    before = await stores.users.get("ann")
    at = clock.now()
    await stores.users.set_last_seen("ann", at)
    await stores.users.set_last_seen("ann", at - timedelta(minutes=5))
    user = await stores.users.get("ann")
    assert user.last_seen_at == at
    assert user.version == before.version and user.updated_at == before.updated_at
    await stores.users.set_last_seen("nobody", at)  # an unknown user is no error
