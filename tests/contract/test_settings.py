"""SettingsStore contract on both SQL engines: values an admin set at run time."""

from __future__ import annotations


async def test_put_get_replace_and_delete(stores):
    settings = stores.settings
    assert await settings.get("registration") is None
    await settings.put("registration", "closed", updated_by="u1")
    assert await settings.get("registration") == "closed"
    await settings.put("registration", "invite", updated_by="cli")  # replaces, one row
    assert await settings.get("registration") == "invite"
    assert await settings.get("other") is None
    assert await settings.delete("registration") is True
    assert await settings.get("registration") is None
    assert await settings.delete("registration") is False


async def test_a_value_outlives_the_process(stores, database_url, tmp_path):
    from chatd.storage.build import open_stores
    from tests.conftest import make_config

    await stores.settings.put("registration", "closed", updated_by="u1")
    again = await open_stores(make_config(tmp_path, database_url), run_migrations=False)
    try:
        assert await again.settings.get("registration") == "closed"
    finally:
        await again.close()
