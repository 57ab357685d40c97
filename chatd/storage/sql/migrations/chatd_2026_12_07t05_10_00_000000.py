"""Security keys and passkeys (WebAuthn) as a second factor: each account's
registered credentials. The credential id is unique across the server (an
authenticator answers with it alone, so it must name one account), and
`last_challenge` lets a challenge sign in once per key even when the key
keeps no signature counter.
"""

from chatd.storage.sql.ddl_migration import ddl_steps

ID = "2026-12-07T05:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "webauthn credentials"

STATEMENTS = [
    "CREATE TABLE webauthn_credentials (id TEXT PRIMARY KEY,"
    " user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE, credential_id TEXT NOT NULL UNIQUE,"
    " public_key TEXT NOT NULL, sign_count BIGINT NOT NULL DEFAULT 0, transports TEXT NOT NULL DEFAULT '[]',"
    " name TEXT NOT NULL, created_at BIGINT NOT NULL, last_used_at BIGINT, last_challenge TEXT)",
    "CREATE INDEX webauthn_credentials_user ON webauthn_credentials (user_id, created_at)",
]


async def forwards():
    return ddl_steps(ID, DESCRIPTION, STATEMENTS)
