"""Two-step sign-in: each account's TOTP factor (its secret sealed by the
service), its one-time recovery codes (hashed), and on every session the
time its user last proved a factor (step-up before high-value actions).
"""

from chatd.storage.sql.ddl_migration import ddl_steps

ID = "2026-12-07T02:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "totp factors, recovery codes, session verified_at"

STATEMENTS = [
    "CREATE TABLE totp_factors (user_id TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,"
    " secret TEXT NOT NULL, created_at BIGINT NOT NULL, confirmed_at BIGINT, last_step BIGINT NOT NULL DEFAULT 0)",
    "CREATE TABLE recovery_codes (user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    " code_hash TEXT NOT NULL, used_at BIGINT, PRIMARY KEY (user_id, code_hash))",
    "ALTER TABLE sessions ADD COLUMN verified_at BIGINT",
]


async def forwards():
    return ddl_steps(ID, DESCRIPTION, STATEMENTS)
