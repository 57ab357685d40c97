"""Build the stores a config asks for; the one place that picks adapters."""

from __future__ import annotations

from dataclasses import dataclass

from chatd.config import Config
from chatd.storage.sql.auth import SqlAuthStore
from chatd.storage.sql.contacts import SqlContactStore
from chatd.storage.sql.conversations import SqlConversationStore
from chatd.storage.sql.db import Database, open_database
from chatd.storage.sql.events import SqlEventStore
from chatd.storage.sql.messages import SqlMessageStore
from chatd.storage.sql.migrate import migrate
from chatd.storage.sql.users import SqlUserStore


@dataclass
class Stores:
    db: Database
    users: SqlUserStore
    auth: SqlAuthStore
    contacts: SqlContactStore
    conversations: SqlConversationStore
    messages: SqlMessageStore
    events: SqlEventStore

    async def check(self) -> dict[str, str]:
        """Which configured stores do not answer (empty when all do)."""
        failed: dict[str, str] = {}
        try:
            await self.db.ping()
        except Exception as err:  # noqa: BLE001 - reported, not raised
            failed["database"] = type(err).__name__
        return failed

    async def close(self) -> None:
        await self.db.close()


async def open_stores(config: Config, *, run_migrations: bool = True) -> Stores:
    url = config.storage.database
    if run_migrations:
        await migrate(url)
    db = open_database(url)
    await db.start()
    return Stores(
        db=db,
        users=SqlUserStore(db),
        auth=SqlAuthStore(db),
        contacts=SqlContactStore(db),
        conversations=SqlConversationStore(db),
        messages=SqlMessageStore(db),
        events=SqlEventStore(db),
    )
