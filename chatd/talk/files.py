"""Files in `chatd talk`: /file sends one (encrypted before upload in an
encrypted conversation), each file shown gets a number and a line saying
what it is, /save N keeps it (decrypted and checked when encrypted)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from chatd.client import ChatdError, Client, Connection, ConnectionLost, ConversationView
from chatd.client.e2ee import E2ee, Undecryptable
from chatd.talk.screen import Screen


def human_size(n: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n} bytes"


class FileCommands:
    client: Client
    conversation: ConversationView
    conn: Connection | None
    e2ee: E2ee | None
    screen: Screen
    # Files in the order shown (/save N takes the Nth): attachment ids, or
    # the payload entries (key inside) of files in encrypted messages.
    files: list[str | dict[str, Any]]

    async def _describe(self, numbers: list[int]) -> None:
        """What each file is: a line per file, once its details arrive."""
        for n in numbers:
            entry = self.files[n - 1]
            if isinstance(entry, dict):  # an encrypted file: its details came in the envelope
                self.screen.show(f"  file #{n}: {entry.get('name')} ({human_size(int(entry.get('size', 0)))}, "
                                 f"{entry.get('type')}, encrypted) - /save {n} to keep it")
        ids = [self.files[n - 1] for n in numbers if isinstance(self.files[n - 1], str)]
        if not ids:
            return
        try:
            found = {a.id: a for a in await self.client.attachments(self.conversation.id, ids=ids)}
        except (ChatdError, OSError):
            return
        for n in numbers:
            a = found.get(self.files[n - 1]) if isinstance(self.files[n - 1], str) else None
            if a is not None:
                self.screen.show(f"  file #{n}: {a.filename} ({human_size(a.size)}, {a.content_type})"
                                 f" - /save {n} to keep it")

    async def _send_file(self, raw_path: str) -> None:
        path = Path(raw_path).expanduser()
        if not path.is_file():
            self.screen.show(f"* no such file: {path}")
            return
        try:
            self.screen.show(f"* uploading {path.name} ({human_size(path.stat().st_size)})...")
            if self.conversation.e2ee and self.e2ee is not None:
                entry = await self.e2ee.upload(self.conversation.id, path)  # encrypted while read
                await self.e2ee.send(self.conversation.id, "", attachments=[entry], conn=self.conn)
                return
            attachment = await self.client.upload(self.conversation.id, path)
            await self.conn.send_message(self.conversation.id, None, attachments=[attachment.id], timeout=None)
        except ChatdError as err:
            self.screen.show(f"* not sent ({err.code}): {err.detail}")
        except (ConnectionLost, OSError) as err:
            self.screen.show(f"* not sent ({type(err).__name__}): {path.name}")

    async def _save(self, words: list[str]) -> None:
        if not words or not words[0].isdigit() or not 1 <= int(words[0]) <= len(self.files):
            self.screen.show(f"* /save N [FOLDER], with N from 1 to {len(self.files)}")
            return
        number, file = words[0], self.files[int(words[0]) - 1]
        folder = Path(words[1] if len(words) > 1 else ".").expanduser()
        try:
            if isinstance(file, dict):  # encrypted: name and key came in the envelope
                file_id, name = str(file.get("id")), Path(str(file.get("name") or "file")).name or "file"
            else:  # never a path from the sender either way
                file_id, name = file, (await self.client.attachment(file)).filename
            target = folder / name
            if target.exists():
                target = folder / f"{file_id}-{name}"
            if isinstance(file, dict):
                await self.e2ee.download(file, target)
                self.screen.show(f"* saved {target} (decrypted, checked)")
            else:
                await self.client.download(file, target)
                self.screen.show(f"* saved {target}")
        except Undecryptable as err:
            self.screen.show(f"* cannot save file #{number}: could not be decrypted: {err.reason}")
        except ChatdError as err:
            self.screen.show(f"* cannot save file #{number} ({err.code})")
        except OSError as err:
            self.screen.show(f"* cannot save file #{number}: {err.strerror or err}")
