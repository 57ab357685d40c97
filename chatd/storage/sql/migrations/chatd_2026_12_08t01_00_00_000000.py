"""The event log's index on (conversation_id, seq) goes: no query reads it.

The sync query (events.py, VISIBLE) walks a window of seqs through
events_user on both of its branches (an event addressed to the reader, and
a conversation-wide one, user_id NULL, whose membership it checks per row);
pruning and the relay go by seq alone. Yet every event paid for the index:
one more B-tree page in each send's commit (10 pages in the WAL for a
commit of one send, 9 without it) and an entry per event on disk.
"""

from chatd.storage.sql.ddl_migration import ddl_steps

ID = "2026-12-08T01:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "drop events_conversation"

STATEMENTS = [
    "DROP INDEX IF EXISTS events_conversation",
]


async def forwards():
    return ddl_steps(ID, DESCRIPTION, STATEMENTS)
