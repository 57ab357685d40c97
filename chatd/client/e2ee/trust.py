"""What this client knows about its contacts' keys: the safety number seen
last per contact and whether the person verified it. A number that differs
from the one seen is a key change: shown as a warning until verified again."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from chatd.client.e2ee.keyfile import write_private


@dataclass
class Seen:
    number: str
    verified: bool = False
    changed: bool = False  # the number changed since the person last looked


class TrustFile:
    def __init__(self, path: Path):
        self.path = path
        self.contacts: dict[str, Seen] = {}
        if path.exists():
            raw = json.loads(path.read_text(encoding="utf-8"))
            self.contacts = {u: Seen(**s) for u, s in raw.get("contacts", {}).items()}

    def save(self) -> None:
        write_private(self.path, {"v": 1, "contacts": {u: vars(s) for u, s in self.contacts.items()}})

    def observe(self, user_id: str, number: str) -> bool:
        """Record the number now seen; True when it differs from the one seen
        before (the first number seen is trusted on first use)."""
        seen = self.contacts.get(user_id)
        if seen is not None and seen.number == number:
            return False
        changed = seen is not None
        self.contacts[user_id] = Seen(number, verified=False, changed=changed or bool(seen and seen.changed))
        self.save()
        return changed

    def verify(self, user_id: str, number: str) -> None:
        self.contacts[user_id] = Seen(number, verified=True, changed=False)
        self.save()
