"""`chatd talk`: one conversation in a terminal, live.

Messages, edits, typing and presence arrive over one `chatd.client`
Connection, which reconnects by itself and resumes from its cursor, so
what was sent while the network was gone is shown once, in order, when it
comes back. Messages are printed in seq order only: anything at or below
the last seq shown is a replay and skipped. When the server can no longer
resume (`resync`, an expired cursor), the gap is read from history.

In an end-to-end encrypted conversation (given an `E2ee`), what is typed is
sealed for every device of every member, what arrives is opened (or shown
as "could not be decrypted: why"), and files are encrypted before upload.
"""

from __future__ import annotations

import asyncio
import time
from datetime import datetime
from typing import Any

import msgspec

from chatd.client import ChatdError, Client, Connection, ConnectionLost, ConversationView, Presence, Typing
from chatd.client.dial import CURSOR_GONE
from chatd.client.e2ee import E2ee
from chatd.domain import Event, Message
from chatd.talk.files import FileCommands
from chatd.talk.screen import Screen
from chatd.talk.search import SearchCommand
from chatd.talk.secure import SecureCommands

TYPING_EVERY = 3.0  # seconds between our typing frames (the server forwards one per 3 s)
HELP = ("/file PATH: send a file; /save N [FOLDER]: save file #N; /search WORDS; /away, /online: your presence; "
        "/quit (or Ctrl-D): leave; /help: this; anything else is sent")
SECURE_HELP = ("/safety: safety numbers; /verify [NAME]: mark checked; /backup [replace]: store your keys under a "
               "recovery passphrase")


def local_clock(at: datetime | str | None) -> str:
    """HH:MM in this machine's time zone (the server speaks UTC)."""
    if isinstance(at, str):
        at = datetime.fromisoformat(at)
    return at.astimezone().strftime("%H:%M") if at is not None else "--:--"


class Talk(FileCommands, SearchCommand):
    def __init__(self, client: Client, conversation: ConversationView, me: str, e2ee: E2ee | None = None):
        self.client, self.conversation, self.me, self.e2ee = client, conversation, me, e2ee
        self.names = {m.user_id: (m.user.display_name if m.user else m.user_id) for m in conversation.members}
        self.last_seq = 0
        self.presence: dict[str, str] = {}
        self.typing_until: dict[str, float] = {}
        self.screen = Screen(self._line, self._key)
        self.conn: Connection | None = None
        self.done: asyncio.Future[int] | None = None
        self._typing_sent = 0.0
        self._tasks: set[asyncio.Task[Any]] = set()
        self._sends: set[asyncio.Task[Any]] = set()
        self._read_upto = 0  # the newest seq to mark read; one `read` frame in flight at a time
        self._reading: asyncio.Task[Any] | None = None
        # Files in the order shown (/save N takes the Nth): attachment ids, or
        # the payload entries (key inside) of files in encrypted messages.
        self.files: list[str | dict[str, Any]] = []
        self._secret: asyncio.Future[str | None] | None = None
        self.secure = None if e2ee is None else SecureCommands(e2ee, self.screen.show, self._ask_secret, self._others)

    async def run(self, history: int) -> int:
        self.done = asyncio.get_running_loop().create_future()
        # A chat stays open through any outage: keep trying to reconnect.
        self.conn = conn = self.client.connect(max_attempts=1_000_000, max_delay=5.0)
        await conn.open()
        try:
            lock = " (end-to-end encrypted)" if self.conversation.e2ee else ""
            self.screen.show(f"* talking with {self._title()}{lock}. {self._help()}")
            if self.e2ee is not None and self.conversation.e2ee:
                await self.e2ee.recipients(self.conversation.id)  # learn (and check) the members' keys now
            for message in (await self.client.messages(self.conversation.id, limit=history)).items:
                await self._arrived(message)
            for user_id in self.names:
                if user_id != self.me:
                    state = (await self.client.call("GET", f"/users/{user_id}")).get("presence")
                    self._presence(user_id, state)
            self.screen.start()
            for job in (self._frames(), self._watch_connection(), self._expire_typing()):
                self._spawn(job)
            code = await self.done
            return await self._flush() or code
        finally:
            self.screen.stop()
            for task in self._tasks:
                task.cancel()
            await conn.close()

    def _help(self) -> str:
        return f"{HELP}; {SECURE_HELP}" if self.secure is not None else HELP

    def _others(self) -> dict[str, str]:
        return {u: n for u, n in self.names.items() if u != self.me}

    async def _content(self, m: dict[str, Any]) -> tuple[str, list[str | dict[str, Any]]]:
        """What to show of a message: its text and files, opened when encrypted."""
        if m.get("kind") != "encrypted" and not m.get("envelope"):
            return m.get("body") or "", list(m.get("attachments") or [])
        if self.e2ee is None:
            return "[could not be decrypted: this terminal has no keys]", []
        readable = await self.e2ee.read(m)
        if readable.error is not None:
            return f"[{readable.shown()}]", []
        return readable.text or "", list(readable.attachments)

    async def _arrived(self, message: Message) -> None:
        m = msgspec.to_builtins(message)
        text, files = await self._content(m)
        self._message(message.seq, message.sender_id, message.created_at, text, edited=False, files=files)

    def _title(self) -> str:
        if self.conversation.title:
            return self.conversation.title
        return ", ".join(n for u, n in self.names.items() if u != self.me) or "notes to self"

    # --- what arrives ---
    async def _frames(self) -> None:
        assert self.conn is not None
        try:
            async for frame in self.conn:
                if isinstance(frame, Event):
                    await self._event(frame)
                elif isinstance(frame, Presence):
                    self._presence(frame.user_id, frame.state)
                elif isinstance(frame, Typing):
                    self._typing(frame)
                elif frame.get("type") == "resync" or frame.get("code") in CURSOR_GONE:
                    await self._fill_gap()
        except (ChatdError, ConnectionLost) as err:
            self._finish(1, f"* the session ended: {err}")
            return
        self._finish(1, "* connection closed")

    async def _event(self, event: Event) -> None:
        p = event.payload
        if p.get("conversation_id") != self.conversation.id:
            return
        if event.type == "message.created":
            if p["seq"] <= self.last_seq:
                return  # a replay: not opened again
            text, files = await self._content(p)
            self._message(p["seq"], p["sender_id"], p.get("created_at"), text, edited=False, files=files)
            if p["sender_id"] != self.me:
                self.typing_until.pop(p["sender_id"], None)
                self._show_typing()
                self._mark_read(p["seq"])
        elif event.type == "message.updated":
            text, _ = await self._content(p)
            self._message(p["seq"], p["sender_id"], p.get("edited_at"), text, edited=True)
        elif event.type == "message.deleted":
            self.screen.show(f"* {self._name(p['sender_id'])} deleted a message")

    def _message(self, seq: int, sender: str, at: Any, body: str, edited: bool,
                 files: list[str | dict[str, Any]] | None = None) -> None:
        if not edited:
            if seq <= self.last_seq:
                return  # a replay after a reconnect: shown already
            self.last_seq = seq
        clock = local_clock(at)
        mark = " (edited)" if edited else ""
        text = body
        numbers = []
        for attachment_id in files or []:
            self.files.append(attachment_id)
            numbers.append(len(self.files))
        if numbers:
            text = (text + " " if text else "") + " ".join(f"[file #{n}]" for n in numbers)
            self._spawn(self._describe(numbers))
        self.screen.show(f"[{clock}] {self._name(sender)}{mark}: {text}")

    async def _fill_gap(self) -> None:
        has_more = True
        while has_more:
            page = await self.client.messages(self.conversation.id, after_seq=self.last_seq, limit=200)
            for m in page.items:
                await self._arrived(m)
            has_more = page.has_more and bool(page.items)

    def _presence(self, user_id: str, state: str | None) -> None:
        if user_id == self.me or user_id not in self.names or state is None:
            return
        if self.presence.get(user_id) != state:  # frames may repeat a state
            self.presence[user_id] = state
            self.screen.show(f"* {self._name(user_id)} is {state}")

    def _typing(self, frame: Typing) -> None:
        if frame.conversation_id == self.conversation.id and frame.user_id != self.me:
            self.typing_until[frame.user_id] = time.monotonic() + frame.expires_in
            self._show_typing()

    def _show_typing(self) -> None:
        names = [self._name(u) for u in self.typing_until]
        self.screen.set_typing(f"{', '.join(names)} {'is' if len(names) == 1 else 'are'} typing" if names else "")

    async def _expire_typing(self) -> None:
        while True:
            await asyncio.sleep(0.5)
            now = time.monotonic()
            gone = [u for u, until in self.typing_until.items() if until <= now]
            for user_id in gone:
                del self.typing_until[user_id]
            if gone and self.screen.tty:
                self._show_typing()

    async def _watch_connection(self) -> None:
        assert self.conn is not None
        up = True
        while True:
            await asyncio.sleep(0.25)
            if self.conn.connected != up:
                up = self.conn.connected
                self.screen.show("* connected again" if up else "* connection lost; reconnecting...")

    def _name(self, user_id: str) -> str:
        return self.names.get(user_id, user_id)

    # --- what the user types ---
    def _line(self, line: str | None) -> None:
        if self._secret is not None and not self._secret.done():
            self._secret.set_result(line)  # a passphrase being asked for: not a chat line
            return
        word = (line or "").strip().split(" ", 1)
        if self.secure is not None and word[0] in ("/safety", "/verify", "/backup"):
            rest, secure = word[1] if len(word) > 1 else "", self.secure
            job = {"/safety": secure.safety, "/backup": lambda: secure.backup(rest),
                   "/verify": lambda: secure.verify(rest)}[word[0]]
            self._spawn(self._guarded(job()))
            return
        if line is None or line.strip() == "/quit":
            self._finish(0, None)
        elif line.strip() in ("/away", "/online"):
            self._spawn(self._quietly(self.conn.presence(line.strip()[1:])))
        elif line.strip() == "/help":
            self.screen.show(f"* {self._help()}")
        elif line.startswith("/file "):
            self._track(self._send_file(line[len("/file "):].strip()))
        elif line.startswith("/search"):
            self._spawn(self._search(line[len("/search"):].strip()))
        elif line.startswith("/save"):
            self._spawn(self._save(line.split()[1:]))
        elif line.strip():
            self._track(self._send(line))

    def _track(self, job: Any) -> None:
        """A send the chat waits for before it exits."""
        task = self._spawn(job)
        self._sends.add(task)
        task.add_done_callback(self._sends.discard)

    async def _ask_secret(self, prompt: str) -> str | None:
        """One line typed without showing it (stars on a terminal)."""
        self._secret = asyncio.get_running_loop().create_future()
        self.screen.mask = True
        self.screen.show(f"* {prompt}:")
        try:
            return await self._secret
        finally:
            self.screen.mask = False
            self._secret = None

    async def _guarded(self, job: Any) -> None:
        try:
            await job
        except (ChatdError, ConnectionLost, OSError) as err:
            self.screen.show(f"* failed: {err}")

    def _key(self) -> None:
        if self._secret is not None:
            return  # typing a passphrase is not "typing" anyone should see
        now = time.monotonic()
        if now - self._typing_sent >= TYPING_EVERY and self.conn is not None and self.conn.connected:
            self._typing_sent = now
            self._spawn(self._quietly(self.conn.typing(self.conversation.id)))

    async def _send(self, text: str) -> None:
        # Shown when its message.created arrives, in seq order. Unanswered
        # while the network is gone, it is sent again on the next socket.
        try:
            if self.conversation.e2ee and self.e2ee is not None:
                await self.e2ee.send(self.conversation.id, text, conn=self.conn)
            else:
                await self.conn.send_message(self.conversation.id, text, timeout=None)
        except ChatdError as err:
            self.screen.show(f"* not sent ({err.code}): {text}")
        except ConnectionLost:
            self.screen.show(f"* not sent (connection lost): {text}")

    def _mark_read(self, seq: int) -> None:
        """Catching up on 50 messages sends one or two `read` frames, not 50."""
        self._read_upto = max(self._read_upto, seq)
        if self._reading is None or self._reading.done():
            self._reading = self._spawn(self._send_reads())

    async def _send_reads(self) -> None:
        sent = 0
        while sent < self._read_upto:
            sent = self._read_upto
            await self._quietly(self.conn.read(self.conversation.id, sent))

    async def _quietly(self, request: Any) -> None:
        try:
            await request
        except (ChatdError, ConnectionLost, ConnectionError, TimeoutError):
            pass  # read receipts, typing and presence are best effort

    def _spawn(self, job: Any) -> asyncio.Task[Any]:
        task = asyncio.ensure_future(job)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _flush(self) -> int:
        """Leaving right after typing (or piping) lines: let their sends
        finish first. 1 if some could not be sent in time."""
        pending = [t for t in self._sends if not t.done()]
        if pending:
            _, late = await asyncio.wait(pending, timeout=10.0)
            if late:
                self.screen.show(f"* {len(late)} message(s) not sent: the server did not answer")
                return 1
        return 0

    def _finish(self, code: int, why: str | None) -> None:
        if why:
            self.screen.show(why)
        if self.done is not None and not self.done.done():
            self.done.set_result(code)
