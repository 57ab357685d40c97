"""A piccolo migration that runs plain DDL statements, the same text on
SQLite and PostgreSQL (migrations/*.py). Loaded only by piccolo, in the
child process that migrates (migrate_apart.py)."""

from __future__ import annotations

from typing import Any


def ddl_steps(migration_id: str, description: str, statements: list[str]) -> Any:
    from piccolo.apps.migrations.auto.migration_manager import MigrationManager
    from piccolo.engine import engine_finder

    manager = MigrationManager(migration_id=migration_id, app_name="chatd", description=description)

    async def change_schema() -> None:
        engine = engine_finder()
        for statement in statements:
            await engine.run_ddl(statement)

    manager.add_raw(change_schema)
    return manager
