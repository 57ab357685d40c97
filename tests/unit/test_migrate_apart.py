"""Start-up migrations run in a child process (chatd/storage/sql/migrate_apart.py)."""

from __future__ import annotations

import pytest

from chatd.storage.sql import migrate_apart
from chatd.storage.sql.db import open_database
from chatd.storage.sql.schema_version import pending


async def test_the_child_applies_every_migration(tmp_path):
    url = f"sqlite:///{tmp_path}/chatd.db"
    await migrate_apart.migrate_apart(url)
    db = open_database(url)
    await db.start()
    try:
        assert not await pending(db)
    finally:
        await db.close()


async def test_a_failing_child_raises_with_what_it_said(monkeypatch, tmp_path):
    monkeypatch.setattr(migrate_apart, "CHILD", "import sys; sys.stderr.write('no disk left\\n'); sys.exit(3)")
    with pytest.raises(RuntimeError, match=r"(?s)migration failed \(exit 3\).*no disk left"):
        await migrate_apart.migrate_apart(f"sqlite:///{tmp_path}/chatd.db")
