"""SQL-only tests reach past the ports to the database the stores hold
(to age rows, inspect tables or pools). Contract suites that every adapter
runs must not: they seed and read through the ports."""

from __future__ import annotations

from typing import Any

from chatd.storage.sql.db import Database


def sql_db(stores: Any) -> Database:
    db = stores.backends["database"]
    assert isinstance(db, Database)
    return db
