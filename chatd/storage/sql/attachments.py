"""Attachment metadata in SQL (port: storage/ports/attachments.py). Sends
bind uploads in message_append.py, inside the send's own write."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from chatd.clock import from_ms, to_ms
from chatd.domain import Attachment
from chatd.storage.ports.attachments import Expired, MediaStats, StoredAttachment
from chatd.storage.sql.db import Conn, Database, Row
from chatd.storage.sql.message_rows import placeholders

COLUMNS = (
    "a.id, a.uploader_id, a.conversation_id, a.message_id, a.filename, a.content_type, a.size, a.sha256,"
    " a.width, a.height, a.duration, a.thumbnail, a.encrypted, a.created_at, a.storage_key"
)
_CHUNK = 500

# Why a row may go: never sent and old; its message deleted a while ago; or
# older than the retention. Checked again by the DELETE itself, so a send
# binding the upload at that moment keeps it (the row lock orders the two).
_EXPIRED = (
    "({t}.message_id IS NULL AND {t}.created_at < $1)"
    " OR {t}.message_id IN (SELECT m.id FROM messages m WHERE m.deleted_at IS NOT NULL AND m.deleted_at < $2)"
    " OR {t}.created_at < $3"
)


def attachment_of(row: Row) -> Attachment:
    (id_, uploader_id, conversation_id, message_id, filename, content_type, size, sha256,
     width, height, duration, thumbnail, encrypted, created_at, _key) = tuple(row)[:15]
    return Attachment(
        id=id_, uploader_id=uploader_id, conversation_id=conversation_id, message_id=message_id,
        filename=filename, content_type=content_type, size=size, sha256=sha256, width=width, height=height,
        duration=duration, thumbnail=bool(thumbnail), encrypted=bool(encrypted), created_at=from_ms(created_at),
    )


class SqlAttachmentStore:
    def __init__(self, db: Database):
        self.db = db

    async def add(self, attachment: Attachment, storage_key: str) -> None:
        a = attachment
        await self.db.write(lambda c: c.execute(
            "INSERT INTO attachments (id, uploader_id, conversation_id, message_id, filename, content_type, size,"
            " sha256, width, height, duration, thumbnail, encrypted, created_at, storage_key)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
            a.id, a.uploader_id, a.conversation_id, a.message_id, a.filename, a.content_type, a.size, a.sha256,
            a.width, a.height, a.duration, a.thumbnail, a.encrypted, to_ms(a.created_at), storage_key,
        ))

    async def get(self, attachment_id: str) -> StoredAttachment | None:
        row = await self.db.read(lambda c: c.fetchrow(
            f"SELECT {COLUMNS}, m.deleted_at FROM attachments a LEFT JOIN messages m ON m.id = a.message_id"
            " WHERE a.id = $1",
            attachment_id,
        ))
        if row is None:
            return None
        return StoredAttachment(attachment=attachment_of(row), storage_key=row[14], message_deleted_at=from_ms(row[15]))

    async def of_conversation(self, conversation_id: str, *, ids: Collection[str] | None = None,
                              before: str | None = None, limit: int = 50) -> list[Attachment]:
        live = (f"SELECT {COLUMNS} FROM attachments a JOIN messages m ON m.id = a.message_id"
                " WHERE a.conversation_id = $1 AND m.deleted_at IS NULL")

        async def run(conn: Conn) -> list[Attachment]:
            if ids is not None:
                wanted = list(dict.fromkeys(ids))[:_CHUNK]
                if not wanted:
                    return []
                rows = await conn.fetch(
                    f"{live} AND a.id IN ({placeholders(2, len(wanted))}) ORDER BY a.id DESC", conversation_id, *wanted
                )
            else:
                rows = await conn.fetch(
                    f"{live} AND a.id < $2 ORDER BY a.id DESC LIMIT $3", conversation_id, before or "~", limit
                )
            return [attachment_of(r) for r in rows]

        return await self.db.read(run)

    async def usage(self, uploader_id: str) -> int:
        total = await self.db.read(lambda c: c.fetchval(
            "SELECT coalesce(sum(size), 0) FROM attachments WHERE uploader_id = $1", uploader_id
        ))
        return int(total)

    async def take_expired(self, *, unbound_before: datetime, deleted_before: datetime,
                           created_before: datetime | None, limit: int) -> list[Expired]:
        bounds = (to_ms(unbound_before), to_ms(deleted_before), -1 if created_before is None else to_ms(created_before))

        async def run(conn: Conn) -> list[Expired]:
            rows = await conn.fetch(
                "DELETE FROM attachments WHERE id IN"
                f" (SELECT a.id FROM attachments a WHERE {_EXPIRED.format(t='a')} LIMIT $4)"
                f" AND ({_EXPIRED.format(t='attachments')})"
                " RETURNING id, storage_key, size, thumbnail",
                *bounds, limit,
            )
            return [Expired(id=r[0], storage_key=r[1], size=r[2], thumbnail=bool(r[3])) for r in rows]

        return await self.db.write(run)

    async def known(self, ids: Collection[str]) -> set[str]:
        return await self._present(ids, lambda marks: f"SELECT id FROM attachments WHERE id IN ({marks})")

    async def avatars_in_use(self, ids: Collection[str]) -> set[str]:
        return await self._present(ids, lambda marks: f"SELECT avatar FROM users WHERE avatar IN ({marks})"
                                                       f" UNION SELECT avatar FROM conversations WHERE avatar IN ({marks})")

    async def _present(self, ids: Collection[str], query) -> set[str]:
        """Which of `ids` the query (given an IN list of placeholders) finds."""
        wanted = list(dict.fromkeys(ids))

        async def run(conn: Conn) -> set[str]:
            found: set[str] = set()
            for start in range(0, len(wanted), _CHUNK):
                chunk = wanted[start : start + _CHUNK]
                found.update(r[0] for r in await conn.fetch(query(placeholders(1, len(chunk))), *chunk))
            return found

        return await self.db.read(run) if wanted else set()

    async def stats(self) -> MediaStats:
        async def run(conn: Conn) -> MediaStats:
            out = MediaStats()
            for content_type, bound, count, size in await conn.fetch(
                "SELECT content_type, message_id IS NOT NULL, count(*), coalesce(sum(size), 0)"
                " FROM attachments GROUP BY content_type, message_id IS NOT NULL"
            ):
                out.count += count
                out.bytes += int(size)
                out.by_type[content_type] = out.by_type.get(content_type, 0) + int(size)
                if not bound:
                    out.unbound_count += count
                    out.unbound_bytes += int(size)
            return out

        return await self.db.read(run)
