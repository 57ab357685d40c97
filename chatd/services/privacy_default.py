"""The privacy notice a chatd shows when its operator wrote none (ASVS
8.3.3): what this server really keeps, in plain words, with this server's
own retention settings filled in. Checked against the code: the log lines
(services/accounts.py, api/access_log.py), the login limits
(services/login_limit.py), the sync log's pruning (realtime/pruner.py),
deletes (storage/sql/messages.py), the media janitor and the admin API.
"""

from __future__ import annotations

from chatd.config import Config


def _days(n: float, unit: str = "day") -> str:
    shown = f"{n:g}"
    return f"{shown} {unit}" + ("" if shown == "1" else "s")


def default_notice(config: Config) -> str:
    m, lim, auth = config.media, config.limits, config.auth
    kept = ("kept until they are deleted" if not m.retention_days
            else f"deleted {_days(m.retention_days)} after they were uploaded")
    return f"""\
# What this chat server stores

This server runs chatd. It is operated by whoever gave you its address, not by the chatd project. \
This page says what the server keeps about you and for how long.

## Your account
- Your username, display name, status text and profile picture (other signed-in people see these).
- Your password, only as a slow one-way hash (Argon2id): nobody can read it back.
- Your role (user or admin), whether the account is disabled, and when it was created.

## Your messages and files
- Messages you send, their edits (only the latest text is kept), reactions, replies, mentions, \
and how far you have read in each conversation.
- A deleted message loses its text, files and reactions at once. Its files' bytes leave the \
storage {_days(m.deleted_grace_minutes, "minute")} later. Copies of recent changes, kept so that \
your other devices can catch up, are removed after {_days(lim.event_retention_days)}.
- Files and pictures you upload are {kept}. Pictures have their location and camera data (EXIF, XMP) \
{"removed" if m.strip_metadata else "kept (this server does not remove them)"} before they are stored. \
A file you upload but never send is deleted after {_days(m.unbound_hours, "hour")}.
- Your contacts and the conversations you are in.

## Sign-ins, sessions and IP addresses
- Each signed-in browser or app has a session: when it was created and last used. A session ends \
{_days(auth.session_days)} after its last use, and at the latest {_days(auth.session_max_days)} after \
sign-in. Settings can sign out all your other sessions.
- The server's log records sign-ins, failed sign-ins, password changes and refused requests, \
with the username and the IP address they came from. The operator's system decides how long that \
log is kept (for example journald's settings on Linux).
- To slow down password guessing, the server counts failed sign-ins per address for a few minutes, \
and remembers for 30 days which addresses signed in to your account successfully.
- The server sets no tracking or advertising cookies and loads nothing from other sites.

## What an admin can see
- Admins can list every account (username, display name, role, disabled, when created) and change \
roles, disable accounts and manage invites. Those reads are logged.
- The web app shows admins no one else's messages. But whoever runs the server has its database \
and storage: they can read messages and files that are not end-to-end encrypted.

## End-to-end encrypted conversations
- In a conversation marked with a lock, the text, edits and files are encrypted on your devices; \
the server stores only ciphertext and cannot read them, and cannot scan those files for malware.
- The server still knows who is in the conversation, who sent what and when, message sizes, \
reactions and who replied to whom, and stores your devices' public keys and, if you made one, \
your key backup encrypted with your recovery passphrase.

## Leaving
Ask an admin of this server to delete your account and data.
"""
