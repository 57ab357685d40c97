"""Attachments: the indexes their lifecycle and quota need.

Binding looks them up by id (the primary key); the media janitor finds the
uploads never sent (message_id IS NULL, by age), those of deleted messages
(by message_id) and old ones (by created_at); the quota sums per uploader.
"""

from chatd.storage.sql.ddl_migration import ddl_steps

ID = "2026-12-06T01:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "attachment lifecycle indexes"

STATEMENTS = [
    "CREATE INDEX attachments_message ON attachments (message_id)",
    "CREATE INDEX attachments_uploader ON attachments (uploader_id)",
    "CREATE INDEX attachments_created ON attachments (created_at)",
]


async def forwards():
    return ddl_steps(ID, DESCRIPTION, STATEMENTS)
