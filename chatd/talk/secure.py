"""`chatd talk` in encrypted conversations: the /safety, /verify and /backup
commands, the key-change warning line, and the recovery passphrase asked
for a backup (typed twice, masked on a terminal, after a plain warning)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from chatd.client import ChatdError
from chatd.client.e2ee import E2ee, WrongPassphrase

LOSS_WARNING = ("* Your recovery passphrase encrypts a copy of your keys on the server. Nobody can reset it: "
                "if you forget it AND lose every device you use, your encrypted history is gone for good.")
MIN_PASSPHRASE = 12


class SecureCommands:
    """What the E2EE commands need from the chat: lines out, one hidden line in."""

    def __init__(self, e2ee: E2ee, show: Callable[[str], None], ask_secret: Callable[[str], Awaitable[str | None]],
                 others: Callable[[], dict[str, str]]):
        self.e2ee, self.show, self.ask_secret, self.others = e2ee, show, ask_secret, others
        e2ee.on_warning = lambda line: show(f"* WARNING: {line}")

    async def safety(self) -> None:
        for user_id, name in self.others().items():
            number = await self.e2ee.safety_number(user_id)
            seen = self.e2ee.trust.contacts.get(user_id)
            state = "verified" if seen and seen.verified else "CHANGED, not verified" if seen and seen.changed \
                else "not verified"
            self.show(f"* safety number with {name} ({state}): {number}")
        self.show("* compare it with them in person or on a call; if it matches, type /verify")

    async def verify(self, who: str) -> None:
        others = self.others()
        chosen = {u: n for u, n in others.items() if not who or who.lower() in (n.lower(), u.lower())}
        if not chosen:
            self.show(f"* /verify [NAME]: NAME is one of {', '.join(others.values())}")
            return
        for user_id, name in chosen.items():
            await self.e2ee.verify(user_id)
            self.show(f"* {name} marked verified (their current keys)")

    async def backup(self, words: str = "") -> None:
        replace = words.strip() == "replace"
        self.show(LOSS_WARNING)
        first = await self.ask_secret(f"recovery passphrase (at least {MIN_PASSPHRASE} characters; empty cancels)")
        if not first:
            self.show("* no backup made")
            return
        if len(first) < MIN_PASSPHRASE:
            self.show(f"* too short: at least {MIN_PASSPHRASE} characters; no backup made")
            return
        if await self.ask_secret("the same passphrase again") != first:
            self.show("* the two did not match; no backup made")
            return
        self.show("* encrypting your keys (this takes a second)...")
        try:
            stored = await self.e2ee.backup(first, replace=replace)
        except WrongPassphrase:
            self.show("* your stored key backup was made with another passphrase: nothing changed. Use that one, "
                      "or `/backup replace` to replace it (keys only it holds are then lost)")
            return
        except ChatdError as err:
            self.show(f"* backup failed ({err.code}): {err.detail}")
            return
        self.show(f"* key backup stored ({stored['kdf']['name']}); restore with: chatd talk ... --restore")


async def restore(e2ee: E2ee, passphrase: str, show: Callable[[str], Any]) -> bool:
    """--restore: bring back the keys of earlier devices from the backup."""
    try:
        added = await e2ee.restore(passphrase)
    except WrongPassphrase:
        show("* that passphrase does not open your key backup: nothing restored")
        return False
    except ChatdError as err:
        show("* there is no key backup for this account" if err.status == 404 else f"* restore failed ({err.code})")
        return False
    show(f"* restored the keys of {added} earlier device(s) from your key backup")
    return True
