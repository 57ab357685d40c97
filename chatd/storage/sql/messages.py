"""Messages in SQL."""

from __future__ import annotations

from chatd.storage.sql.db import Database


class SqlMessageStore:
    def __init__(self, db: Database):
        self.db = db
