"""Messages' JSON kept from one history page for the next that shows them.

The members of a conversation read the same pages, and each of them scrolls
back and forth over them; building a message's JSON from its row is most of
a page's cost (reading its columns, its times, the encoding). A message's
JSON is kept under its conversation, seq and version. Every change to a
message (an edit, a tombstone, a reaction) raises its version in the same
statement, so a page asks the database for each message's version and takes
the kept JSON only when that is still the version stored: another process's
edit is seen at once, and nothing is ever invalidated by hand.

Bounded by bytes, the first kept the first dropped (the newest pages are
the most read, and the last kept), so a Pi's memory stays flat whatever is
read.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Sequence

# ~7,000 messages of ordinary length (~300 bytes of JSON): the last pages of every conversation a
# small team has open, about a 250th of a 1 GB Pi's memory when full.
KEPT_BYTES = 4 * 1024 * 1024
# A kept entry's own cost beside its JSON: the key, its tuple, the bytes
# object's header, the seq and the OrderedDict's link (tracemalloc: ~265 bytes).
_ENTRY_BYTES = 270


class KeptMessageJson:
    def __init__(self, limit: int = KEPT_BYTES):
        self.limit = limit
        self.size = 0
        # (conversation id, seq) -> (version, JSON)
        self._kept: OrderedDict[tuple[str, int], tuple[int, bytes]] = OrderedDict()

    def found(self, conversation_id: str, seqs_versions: Iterable[Sequence[int]]) -> list[bytes | None]:
        """Each message's kept JSON, None where it is not kept at that version."""
        got = self._kept.get
        return [entry[1] if (entry := got((conversation_id, seq))) is not None and entry[0] == version else None
                for seq, version in seqs_versions]

    def holds(self, conversation_id: str, seq: int) -> bool:
        """Whether some version of the message is kept."""
        return (conversation_id, seq) in self._kept

    def keep(self, conversation_id: str, messages: Iterable[tuple[int, int, bytes]]) -> None:
        """Keep each (seq, version, JSON) of the conversation."""
        kept = self._kept
        size = self.size
        for seq, version, json in messages:
            old = kept.pop((conversation_id, seq), None)
            if old is not None:  # an older version
                size -= len(old[1]) + _ENTRY_BYTES
            kept[conversation_id, seq] = (version, json)
            size += len(json) + _ENTRY_BYTES
        while size > self.limit:
            size -= len(kept.popitem(last=False)[1][1]) + _ENTRY_BYTES
        self.size = size

    def __len__(self) -> int:
        return len(self._kept)
