"""A deleted account's leaving of its groups is recorded when it has
finished (groups_left_at, ms since the epoch): until then it is pending
work that every start and a periodic pass resume (services/account_deletion.py),
so a deletion interrupted between erasing the account and leaving the last
group is finished. Accounts deleted before this migration count as pending
once: leaving is idempotent, and any left half-done are finished too.
"""

from chatd.storage.sql.ddl_migration import ddl_steps

ID = "2026-12-07T05:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "users.groups_left_at"

STATEMENTS = [
    "ALTER TABLE users ADD COLUMN groups_left_at BIGINT",
]


async def forwards():
    return ddl_steps(ID, DESCRIPTION, STATEMENTS)
