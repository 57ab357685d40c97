"""KeyBackupStore contract on both SQL engines: one opaque backup per
account, replaced whole, removed, gone with its account's rows."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chatd import clock
from chatd.errors import NotFound
from tests.contract.test_users import make


async def test_put_get_replace_delete(stores):
    alice, bob = await make(stores, "alice"), await make(stores, "bob")
    backups = stores.key_backups
    assert await backups.get(alice.id) is None
    at = clock.now()
    stored = await backups.put(alice.id, '{"v":1,"x":"first"}', at)
    assert stored.body == '{"v":1,"x":"first"}' and abs(stored.updated_at - at) < timedelta(milliseconds=1)
    got = await backups.get(alice.id)
    assert got is not None and got.body == stored.body and got.updated_at == stored.updated_at
    assert await backups.get(bob.id) is None
    await backups.put(alice.id, '{"v":1,"x":"second"}', at + timedelta(seconds=5))
    got = await backups.get(alice.id)
    assert got.body == '{"v":1,"x":"second"}' and got.updated_at > stored.updated_at
    assert await backups.delete(bob.id) is False
    assert await backups.delete(alice.id) is True
    assert await backups.get(alice.id) is None
    assert await backups.delete(alice.id) is False


async def test_an_unknown_user_has_no_backup_written(stores):
    with pytest.raises(NotFound):
        await stores.key_backups.put("nobody", "{}", clock.now())
    assert await stores.key_backups.get("nobody") is None


async def test_a_backup_outlives_the_process(stores, database_url, tmp_path):
    from chatd.storage.build import open_stores
    from tests.conftest import make_config

    alice = await make(stores, "alice")
    await stores.key_backups.put(alice.id, '{"v":1}', clock.now())
    again = await open_stores(make_config(tmp_path, database_url), run_migrations=False)
    try:
        assert (await again.key_backups.get(alice.id)).body == '{"v":1}'
    finally:
        await again.close()
