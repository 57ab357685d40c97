"""FlagStore on SQLite and PostgreSQL: put replaces, all reads back, delete forgets."""

from __future__ import annotations

from chatd.domain.flags import FlagState
from chatd.storage.ports.flags import StoredFlag


async def test_flag_states_round_trip(stores):
    assert await stores.flags.all() == {}
    first = StoredFlag(name="graphql", state=FlagState(percent=12.5, users=["ann"], roles=["admin"]),
                       updated_by="u1", updated_at=1000)
    await stores.flags.put(first)
    await stores.flags.put(StoredFlag(name="search", state=FlagState(), updated_by="cli", updated_at=1001))
    assert (await stores.flags.all())["graphql"] == first

    replaced = StoredFlag(name="graphql", state=FlagState(percent=100.0), updated_by="u2", updated_at=2000)
    await stores.flags.put(replaced)
    stored = await stores.flags.all()
    assert stored["graphql"] == replaced and stored["search"].state == FlagState()

    assert await stores.flags.delete("graphql") is True
    assert await stores.flags.delete("graphql") is False
    assert list(await stores.flags.all()) == ["search"]
