"""Apply the schema migrations with piccolo (`chatd migrate`, and at start-up
when schema_version.pending() says one is due)."""

from __future__ import annotations

import contextlib
import io
import os

os.environ.setdefault("PICCOLO_CONF", "chatd.storage.sql.piccolo_conf")

from piccolo.apps.migrations.commands.forwards import ForwardsMigrationManager  # noqa: E402
from piccolo.apps.migrations.tables import Migration  # noqa: E402
from piccolo.engine.base import Engine  # noqa: E402

from chatd.storage.sql import piccolo_conf  # noqa: E402
from chatd.storage.sql.schema_version import APP, SchemaTooNew, refuse_newer  # noqa: E402

__all__ = ["SchemaTooNew", "migrate"]


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite:///"):
        from pathlib import Path

        from piccolo.engine.sqlite import SQLiteEngine

        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        return SQLiteEngine(path=str(path))
    from piccolo.engine.postgres import PostgresEngine

    return PostgresEngine(config={"dsn": url})


async def _applied(engine: Engine) -> list[str]:
    if not await Migration.table_exists().run():
        return []
    return sorted(await Migration.get_migrations_which_ran(app_name=APP))


async def migrate(url: str, *, quiet: bool = True, upto: str = "all") -> list[str]:
    """Run every migration not yet applied (or those up to and including the
    id `upto`); returns the ids it applied."""
    engine = make_engine(url)
    piccolo_conf.DB = engine
    Migration._meta.db = engine
    # piccolo's engines here run without a pool: one short connection per
    # query, nothing left open afterwards.
    before = await _applied(engine)
    refuse_newer(before)
    out = io.StringIO()
    with contextlib.redirect_stdout(out) if quiet else contextlib.nullcontext():
        result = await ForwardsMigrationManager(app_name=APP, migration_id=upto).run()
    if not result.success:
        raise RuntimeError(f"migration failed: {result.message}\n{out.getvalue()}")
    return sorted(set(await _applied(engine)) - set(before))
