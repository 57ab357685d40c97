"""The data-move port (ports/data_move.py) on SQLite and PostgreSQL.

As a source it reads through data_source.py (read-only, one snapshot); as a
target it writes through the Database every adapter uses, one transaction
per batch, so an interrupted copy leaves whole batches and resumes after the
last key. SQLite's search index fills itself at each commit (sqlite_fts.py);
PostgreSQL's is a generated column.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from chatd.storage.ports.data_move import Key, Row
from chatd.storage.sql.data_load import MARKER_TABLE, empty, load_migrations, mark, set_head
from chatd.storage.sql.data_tables import DERIVED_COLUMNS, NOT_DATA, TABLES, Table, ran_on
from chatd.storage.sql.db import Database



class SqlDataSide:
    def __init__(self, description: str, collections: tuple[str, ...], *, source: Any = None,
                 db: Database | None = None):
        self.description, self.collections = description, collections
        self._source, self.db = source, db
        self.dialect = (source or db).dialect

    async def fetch(self, sql: str, *args: Any) -> list[Any]:
        if self._source is not None:
            return await self._source.fetch(sql, *args)
        assert self.db is not None
        return list(await self.db.read(lambda c: c.fetch(sql, *args)))

    async def _val(self, sql: str, *args: Any) -> Any:
        rows = await self.fetch(sql, *args)
        return rows[0][0] if rows else None

    def _order(self, t: Table, desc: bool = False) -> str:
        text = "" if t.key == ("seq",) or self.dialect == "sqlite" else ' COLLATE "C"'
        return ", ".join(f"{k}{text}{' DESC' if desc else ''}" for k in t.key)

    def key(self, collection: str, row: Row) -> Key:
        if collection == "migrations":
            return (row["app_name"], row["name"])
        if collection == "event_head":
            return ()
        return tuple(row[k] for k in TABLES[collection].key)

    async def count(self, collection: str) -> int:
        if collection == "event_head":
            return 1
        table = "migration" if collection == "migrations" else collection
        return int(await self._val(f"SELECT count(*) FROM {table}"))

    async def event_head(self) -> int:
        if self.dialect == "sqlite":
            return int(await self._val("SELECT seq FROM sqlite_sequence WHERE name = 'events'") or 0)
        return int(await self._val("SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM events_seq_seq"))

    async def rows(self, collection: str, after: Key | None = None, batch: int = 1000) -> AsyncIterator[list[Row]]:
        if collection == "event_head":
            yield [{"seq": await self.event_head()}]
            return
        if collection == "migrations":
            found = await self.fetch("SELECT app_name, name, ran_on FROM migration")
            yield sorted(({"app_name": a, "name": n, "ran_on": ran_on(r)} for a, n, r in found),
                         key=lambda r: (r["app_name"], r["name"]))
            return
        t = TABLES[collection]
        head = f"SELECT {', '.join(t.columns)} FROM {t.name}"
        while True:
            if after is None:
                found = await self.fetch(f"{head} ORDER BY {self._order(t)} LIMIT {batch}")
            else:
                cols = self._order(t)
                marks = ", ".join(f"${i + 1}" for i in range(len(t.key)))
                found = await self.fetch(f"{head} WHERE ({cols}) > ({marks}) ORDER BY {self._order(t)} LIMIT {batch}",
                                         *after)
            if not found:
                return
            out = [t.canonical(r) for r in found]
            yield out
            after = self.key(collection, out[-1])
            if len(found) < batch:
                return

    async def last_key(self, collection: str) -> Key | None:
        if collection in ("migrations", "event_head"):
            return None
        t = TABLES[collection]
        found = await self.fetch(f"SELECT {', '.join(t.key)} FROM {t.name} ORDER BY {self._order(t, desc=True)} LIMIT 1")
        return tuple(found[0]) if found else None

    async def holds_data(self) -> bool:
        for name in TABLES:
            if await self.fetch(f"SELECT 1 FROM {name} LIMIT 1"):
                return True
        return False

    async def _columns(self) -> dict[str, set[str]]:
        if self.dialect == "sqlite":
            names = [r[0] for r in await self.fetch("SELECT name FROM sqlite_master WHERE type = 'table'")]
            return {n: {r[1] for r in await self.fetch(f"PRAGMA table_info({n})")} for n in names}
        columns: dict[str, set[str]] = {}
        for table, column in await self.fetch("SELECT table_name, column_name FROM information_schema.columns"
                                              " WHERE table_schema = current_schema()"):
            columns.setdefault(table, set()).add(column)
        return columns

    async def foreign_tables(self) -> list[str]:
        """Tables that are not chatd's: this is some other program's database."""
        columns = await self._columns()
        return sorted(n for n in columns if n not in TABLES and n not in NOT_DATA and not n.startswith("messages_fts"))

    async def check_schema(self) -> None:
        """Refuse a schema this chatd does not know all of: a column or table
        it would not copy would be lost on the way."""
        unknown = await self.foreign_tables()
        if unknown:
            raise ValueError(f"{self.description} has tables this chatd does not copy: {', '.join(unknown)}")
        columns = await self._columns()
        for name, t in TABLES.items():
            have = columns.get(name, set()) - {c for tb, c in DERIVED_COLUMNS if tb == name}
            if have != set(t.columns):
                raise ValueError(f"{self.description}: table {name} has columns {sorted(have)}, expected"
                                 f" {sorted(t.columns)} (run `chatd migrate` with this chatd first?)")

    # --- target only -------------------------------------------------------

    async def _write(self, fn: Any) -> Any:
        assert self.db is not None, "a source is read-only"
        return await self.db.write(fn)

    async def load(self, collection: str, rows: list[Row]) -> None:
        if collection == "migrations":
            await self._write(lambda c: load_migrations(c, rows))
        elif collection == "event_head":
            await self._write(lambda c: set_head(c, rows[0]["seq"]))
        else:
            t = TABLES[collection]
            marks = ", ".join(f"${i + 1}" for i in range(len(t.columns)))
            sql = f"INSERT INTO {t.name} ({', '.join(t.columns)}) VALUES ({marks})"
            await self._write(lambda c: c.executemany(sql, [t.values(r) for r in rows]))

    async def prepare(self) -> None:
        pass  # open_target migrated it before opening

    async def wipe(self) -> None:
        await self._write(empty)

    async def marker(self) -> str | None:
        await self._write(lambda c: c.execute(MARKER_TABLE))
        return await self._val("SELECT source FROM chatd_data_move WHERE id = 1")

    async def set_marker(self, source: str) -> None:
        await self._write(lambda c: mark(c, source))

    async def clear_marker(self) -> None:
        await self._write(lambda c: c.execute("DROP TABLE IF EXISTS chatd_data_move"))

    # --- the relay's outbox (accounts' events while messages are on MongoDB) --

    async def relayed_upto(self) -> int | None:
        return None  # SQL keeps its own log

    async def outbox_after(self, seq: int) -> int:
        return int(await self._val("SELECT count(*) FROM events WHERE seq > $1", seq))

    async def close(self) -> None:
        if self._source is not None:
            await self._source.close()
        if self.db is not None:
            await self.db.close()
