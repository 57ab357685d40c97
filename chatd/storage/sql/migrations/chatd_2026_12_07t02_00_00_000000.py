"""Account self-deletion (ASVS 8.3.2): a deleted account keeps its row, so
its messages still name a sender ("Deleted user") and its username stays
reserved, but everything else of it is erased; deleted_at (ms since the
epoch) marks it, and nothing ever undoes it.
"""

from chatd.storage.sql.ddl_migration import ddl_steps

ID = "2026-12-07T02:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "deleted accounts"

STATEMENTS = [
    "ALTER TABLE users ADD COLUMN deleted_at BIGINT",
]


async def forwards():
    return ddl_steps(ID, DESCRIPTION, STATEMENTS)
