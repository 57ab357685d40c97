"""A history page's JSON (`GET /conversations/{id}/messages`), the messages
already shown taken from memory (message_json_kept.py).

Two statements: the page's seqs and versions (two integers a row, the
reader's membership inside the same statement), then the rows of only the
messages not kept at that version. Python 3.11's sqlite3 drops and retakes
the GIL around every column it reads, and building a message's JSON from
its nine columns is most of a page's cost. A page most likely read for the
first time is read whole, in one statement. Between the two statements a
message may change (its newer row is taken, and kept at its own version)
or go with its conversation (left out of the page).
"""

from __future__ import annotations

from collections.abc import Sequence

from chatd.storage.sql.db import Conn, Row
from chatd.storage.sql.message_json import SEQ_VERSION, messages_json, page_columns, page_of
from chatd.storage.sql.message_json_kept import KeptMessageJson

# Above any seq a conversation will reach: "before the end" for the newest page.
NO_BOUND = 2**62
# The reader's membership, asked inside the page's own statement ($4 = reader).
_MEMBER = "EXISTS (SELECT 1 FROM members WHERE conversation_id = $1 AND user_id = $4)"


def _page_sql(columns: str, newer: bool) -> str:
    order = "AND seq > $2 ORDER BY seq" if newer else "AND seq < $2 ORDER BY seq DESC"
    return f"SELECT {columns} FROM messages WHERE conversation_id = $1 AND {_MEMBER} {order} LIMIT $3"


_DIALECTS = ("sqlite", "postgres")
_VERSIONS = {newer: _page_sql("seq, version", newer) for newer in (False, True)}
# A page read whole, in one statement, as before anything was kept.
_PAGES = {(d, newer): _page_sql(page_columns(d), newer) for d in _DIALECTS for newer in (False, True)}
# The rows of the messages not kept: the seqs from the first to the last of
# them (one range of the conversation's seq index; an IN list of seqs cost
# SQLite twice as much), the kept ones among them passed over.
_ROWS = {d: f"SELECT {page_columns(d)} FROM messages WHERE conversation_id = $1 AND seq BETWEEN $2 AND $3"
         for d in _DIALECTS}


async def history_json(conn: Conn, kept: KeptMessageJson, reader_id: str, conversation_id: str, *,
                       before_seq: int | None, after_seq: int | None, limit: int) -> bytes | None:
    newer = after_seq is not None
    bound = after_seq if newer else NO_BOUND if before_seq is None else before_seq
    # A page whose message next to the cursor was never kept is most likely
    # read for the first time: read whole, a statement fewer than asking the
    # versions first (the newest page, without a cursor, is the most read).
    if (newer or before_seq is not None) and not kept.holds(conversation_id, bound + 1 if newer else bound - 1):
        return await _whole(conn, kept, reader_id, conversation_id, newer, bound, limit)
    versions = await conn.fetch_values(_VERSIONS[newer], conversation_id, bound, limit + 1, reader_id)
    if not versions:
        return await _empty_or_none(conn, reader_id, conversation_id)
    page = versions[:limit] if newer else versions[:limit][::-1]
    items = kept.found(conversation_id, page)
    missing = {seq: i for i, ((seq, _), json) in enumerate(zip(page, items)) if json is None}
    if missing:
        dialect = conn.dialect
        at_seq, _ = SEQ_VERSION[dialect]
        rows = await conn.fetch_values(_ROWS[dialect], conversation_id, min(missing), max(missing))
        if len(missing) < len(rows):  # kept ones among them: passed over
            rows = [row for row in rows if row[at_seq] in missing]
        for row, json in zip(rows, _kept_json(dialect, kept, conversation_id, rows)):
            items[missing[row[at_seq]]] = json
    return page_of([json for json in items if json is not None], len(versions) > limit)


async def _whole(conn: Conn, kept: KeptMessageJson, reader_id: str, conversation_id: str, newer: bool, bound: int,
                 limit: int) -> bytes | None:
    rows = await conn.fetch_values(_PAGES[conn.dialect, newer], conversation_id, bound, limit + 1, reader_id)
    if not rows:
        return await _empty_or_none(conn, reader_id, conversation_id)
    page = rows[:limit] if newer else rows[:limit][::-1]
    return page_of(_kept_json(conn.dialect, kept, conversation_id, page), len(rows) > limit)


def _kept_json(dialect: str, kept: KeptMessageJson, conversation_id: str, rows: Sequence[Row]) -> list[bytes]:
    """Rows of page_columns(dialect): their JSON, kept for the next page."""
    at_seq, at_version = SEQ_VERSION[dialect]
    jsons = messages_json(dialect, conversation_id, rows)
    kept.keep(conversation_id, zip([row[at_seq] for row in rows], [row[at_version] for row in rows], jsons))
    return jsons


async def _empty_or_none(conn: Conn, reader_id: str, conversation_id: str) -> bytes | None:
    """No rows: an empty page, or not a member: only then is membership asked alone."""
    if await conn.fetchrow(
        "SELECT 1 FROM members WHERE conversation_id = $1 AND user_id = $2", conversation_id, reader_id
    ) is None:
        return None
    return page_of([], False)
