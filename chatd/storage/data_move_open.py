"""Open the data-move sides a setup names (storage.database, storage.messages):
the one place that picks their adapters, as build.py does for the server."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from chatd.config import redact_url
from chatd.storage.ports.data_move import (ACCOUNT_COLLECTIONS, CONVERSATION_COLLECTIONS, AccountSide, ConversationSide,
                                           NotEmpty)
from chatd.storage.sql.data_move import SqlDataSide


@dataclass
class Setup:
    """The SQL side (accounts, and the conversation side unless `messages`
    is a separate store) and where each collection lives."""

    sql: AccountSide
    messages: ConversationSide

    @property
    def sides(self) -> list[ConversationSide]:
        return [self.sql] if self.messages is self.sql else [self.sql, self.messages]

    def side_of(self, collection: str) -> ConversationSide:
        return self.sql if collection in ACCOUNT_COLLECTIONS else self.messages

    async def close(self) -> None:
        for side in self.sides:
            await side.close()


def describe(url: str) -> str:
    if url.startswith("sqlite:///"):
        return f"SQLite {url.removeprefix('sqlite:///')}"
    return f"PostgreSQL {redact_url(url)}"


def _collections(messages: str) -> tuple[str, ...]:
    return ACCOUNT_COLLECTIONS + (CONVERSATION_COLLECTIONS if messages == "database" else ())


async def _with_messages(sql: SqlDataSide, messages: str) -> Setup:
    if messages == "database":
        return Setup(sql, sql)
    from chatd.storage.mongo.data_move import MongoDataSide

    return Setup(sql, MongoDataSide(messages))


async def open_source(database: str, messages: str) -> Setup:
    """Read-only; refuses (SourceInUse) a store another process is using."""
    from chatd.storage.sql.data_source import PostgresSource, SqliteSource

    source = SqliteSource(Path(database.removeprefix("sqlite:///"))) if database.startswith("sqlite:///") \
        else PostgresSource(database)
    await source.start()
    sql = SqlDataSide(describe(database), _collections(messages), source=source)
    try:
        await sql.check_schema()
        return await _with_messages(sql, messages)
    except BaseException:
        await sql.close()
        raise


async def open_target(database: str, messages: str) -> Setup:
    """Migrated to this chatd's schema (an empty store gets it now)."""
    from chatd.storage.sql.db import open_database
    from chatd.storage.sql.migrate import migrate

    db = open_database(database)
    await db.start()
    sql = SqlDataSide(describe(database), _collections(messages), db=db)
    try:
        # Another program's database is left as it was, not given chatd's tables.
        if foreign := await sql.foreign_tables():
            raise NotEmpty(f"{sql.description} holds tables that are not chatd's ({', '.join(foreign[:5])})")
        await migrate(database)
        await sql.check_schema()
        setup = await _with_messages(sql, messages)
        if setup.messages is not sql:
            await setup.messages.prepare()
        return setup
    except BaseException:
        await sql.close()
        raise
