"""Security activity: each account's recent security events (bounded by the
service, newest kept) and the places it has signed in from, so the owner
hears of a password change or a sign-in from somewhere new (ASVS 2.2.3, 2.5.5).
"""

from chatd.storage.sql.ddl_migration import ddl_steps

ID = "2026-12-07T02:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "security events, sign-in places"

STATEMENTS = [
    "CREATE TABLE security_events (id TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    " kind TEXT NOT NULL, at BIGINT NOT NULL, device TEXT NOT NULL DEFAULT '', address TEXT,"
    " detail TEXT NOT NULL DEFAULT '', by_whom TEXT NOT NULL DEFAULT 'self')",
    "CREATE INDEX security_events_user ON security_events (user_id, id)",
    "CREATE TABLE sign_in_places (user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    " place TEXT NOT NULL, last_seen BIGINT NOT NULL, PRIMARY KEY (user_id, place))",
]


async def forwards():
    return ddl_steps(ID, DESCRIPTION, STATEMENTS)
