"""Migrations that only run a list of DDL statements go through the one
helper (chatd/storage/sql/ddl_migration.py) rather than each repeating the
piccolo boilerplate (the schema they make is the same either way: the
migrated SQLite and PostgreSQL schemas were compared before and after)."""

from __future__ import annotations

import importlib
import pkgutil

from chatd.storage.sql import migrations


def _plain_ddl_migrations():
    for info in pkgutil.iter_modules(migrations.__path__):
        module = importlib.import_module(f"{migrations.__name__}.{info.name}")
        if hasattr(module, "STATEMENTS"):
            yield module


def test_every_plain_ddl_migration_uses_the_helper():
    repeating = [
        m.__name__
        for m in _plain_ddl_migrations()
        if "MigrationManager(" in open(m.__file__, encoding="utf-8").read()
    ]
    assert repeating == []

