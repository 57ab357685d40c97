"""`E2ee`: one account's end-to-end encryption on one device, on top of a
`chatd.client.Client`: publish this device, seal what is sent in encrypted
conversations for every device of every current member, open what arrives
(or say why not), encrypted files, safety numbers, key backup and restore.

    e2ee = await E2ee.start(client)             # keys in ~/.config/chatd/e2ee
    await e2ee.send(conversation_id, "hi")      # sealed for all members' devices
    shown = await e2ee.read(message)            # .text, or .error ("bad signature", ...)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from chatd.client.api import Client
from chatd.client.e2ee.backup import WrongPassphrase, make_backup, open_backup
from chatd.client.e2ee.codec import Undecryptable, address, split_address
from chatd.client.e2ee.device import Device, PeerDevice, checked
from chatd.client.e2ee.envelope import open_envelope, payload, seal
from chatd.client.e2ee.files import EncryptedFiles
from chatd.client.e2ee.keyfile import KeyFile
from chatd.client.e2ee.safety import fingerprint, safety_number
from chatd.client.e2ee.trust import TrustFile
from chatd.client.errors import ChatdError
from chatd.domain import Message, PublicUser


@dataclass
class Readable:
    """A message as this device can show it: `text` or, never both, `error`."""

    text: str | None = None
    error: str | None = None
    attachments: list[dict[str, Any]] = field(default_factory=list)
    sent_at: str | None = None

    def shown(self) -> str:
        return self.text if self.error is None else f"could not be decrypted: {self.error}"


class E2ee(EncryptedFiles):
    def __init__(self, client: Client, user_id: str, keys: KeyFile, trust: TrustFile):
        assert keys.device is not None
        self.client, self.me, self.keys, self.trust = client, user_id, keys, trust
        self.device: Device = keys.device
        self._peers: dict[str, dict[str, PeerDevice]] = {}
        # Called with a line to show when a contact's keys change (default: kept in .warnings).
        self.warnings: list[str] = []
        self.on_warning: Callable[[str], None] = self.warnings.append

    @classmethod
    async def start(cls, client: Client, *, folder: Path | None = None) -> "E2ee":
        """Load this device's keys (made and saved on first use) and make sure
        the server publishes them."""
        me = await client.me()
        keys = KeyFile.for_account(client.base_url, me.id, folder)
        if keys.device is None:
            keys.device = Device.generate()
            keys.save()
        published = {k.device_id: k for k in me.keys}
        own = published.get(keys.device.device_id)
        if own is None or own.x25519 != keys.device.x25519 or own.ed25519 != keys.device.ed25519:
            await client.publish_keys(**keys.device.published())
        trust = TrustFile(keys.path.with_name(keys.path.name.replace("keys-", "trust-", 1)))
        return cls(client, me.id, keys, trust)

    @property
    def address(self) -> str:
        return address(self.me, self.device.device_id)

    def _mine(self) -> dict[str, Device]:
        return {address(self.me, d.device_id): d for d in self.keys.all_devices()}

    # --- who has which devices ---
    def learn(self, user: PublicUser) -> list[PeerDevice]:
        """Remember a user's devices whose signatures check out; a contact
        whose set of devices changed since last seen gets a warning."""
        devices = [d for d in (checked(user.id, k) for k in user.keys) if d is not None]
        self._peers[user.id] = {d.device_id: d for d in devices}
        if user.id != self.me and devices:
            fp = fingerprint(user.id, [d.ed25519 for d in devices]).hex()
            if self.trust.observe(user.id, fp):
                self.on_warning(f"{user.display_name}'s keys changed: check the safety number with /safety, "
                                "then /verify")
        return devices

    async def devices_of(self, user_id: str, *, refresh: bool = False) -> dict[str, PeerDevice]:
        if refresh or user_id not in self._peers:
            try:
                self.learn(await self.client.user(user_id))
            except ChatdError:
                self._peers.setdefault(user_id, {})
        return self._peers[user_id]

    async def recipients(self, conversation_id: str) -> list[PeerDevice]:
        """Every checked device of every current member, read fresh (a member
        added or removed, a device published or withdrawn counts at once)."""
        view = await self.client.conversation(conversation_id)
        out: list[PeerDevice] = []
        for member in view.members:
            if member.user is not None:
                out += self.learn(member.user)
        return out

    # --- messages ---
    async def seal(self, conversation_id: str, body: str, attachments: list[dict[str, Any]] | None = None,
                   ) -> dict[str, Any]:
        sent_at = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        plain = payload(body, attachments or [], sent_at)
        return seal(conversation_id, plain, self.me, self.device, await self.recipients(conversation_id))

    async def send(self, conversation_id: str, body: str, *, attachments: list[dict[str, Any]] | None = None,
                   reply_to: str | None = None, conn: Any = None, client_id: str | None = None) -> Message:
        """Seal and send (over `conn`, a Connection, when given; else HTTP)."""
        envelope = await self.seal(conversation_id, body, attachments)
        ids = [a["id"] for a in attachments or []] + [a["thumb"]["id"] for a in attachments or [] if a.get("thumb")]
        if conn is not None:
            return await conn.send_message(conversation_id, None, envelope=envelope, attachments=ids,
                                           reply_to=reply_to, client_id=client_id, timeout=None)
        return await self.client.send(conversation_id, envelope=envelope, attachments=ids, reply_to=reply_to,
                                      client_id=client_id)

    async def edit(self, message: Message, body: str, attachments: list[dict[str, Any]] | None = None) -> Message:
        envelope = await self.seal(message.conversation_id, body, attachments)
        return await self.client.call("PATCH", f"/messages/{message.id}",
                                      json={"envelope": envelope, "version": message.version}, type=Message)

    async def read(self, message: Message | Mapping[str, Any]) -> Readable:
        """What this device can show of a message: plaintext for a text one,
        the opened payload for an encrypted one, or the reason it cannot."""
        m = message if isinstance(message, Mapping) else {
            "conversation_id": message.conversation_id, "sender_id": message.sender_id, "kind": message.kind,
            "body": message.body, "envelope": None if message.envelope is None else {
                f: getattr(message.envelope, f) for f in message.envelope.__struct_fields__}}
        envelope = m.get("envelope")
        if m.get("kind") != "encrypted" and envelope is None:
            return Readable(text=m.get("body") or "")
        if not envelope:
            return Readable(error="no envelope")
        try:
            sender = await self._sender(m["sender_id"], str(envelope.get("sender_device", "")))
            data = open_envelope(m["conversation_id"], m["sender_id"], envelope, self._mine(), sender)
        except Undecryptable as err:
            return Readable(error=err.reason)
        return Readable(text=data.get("body", ""), attachments=data.get("attachments", []),
                        sent_at=data.get("sent_at"))

    async def _sender(self, sender_id: str, sender_device: str) -> PeerDevice | None:
        try:
            user_id, device_id = split_address(sender_device)
        except ValueError:
            return None
        if user_id != sender_id:
            return None
        found = (await self.devices_of(user_id)).get(device_id)
        if found is None:  # a device published since we last looked
            found = (await self.devices_of(user_id, refresh=True)).get(device_id)
        return found

    async def search(self, conversation_id: str, query: str, *, limit: int = 20) -> list[tuple[Message, Readable]]:
        """Messages of an encrypted conversation holding every word of
        `query`, newest first, searched here after decrypting."""
        from chatd.client.e2ee.search import search_decrypted

        return await search_decrypted(self, conversation_id, query, limit=limit)

    # --- trust ---
    async def safety_number(self, user_id: str) -> str:
        theirs = await self.devices_of(user_id, refresh=True)
        mine = await self.devices_of(self.me, refresh=True)
        return safety_number((self.me, [d.ed25519 for d in mine.values()]),
                             (user_id, [d.ed25519 for d in theirs.values()]))

    async def verify(self, user_id: str) -> None:
        """The person compared the safety number: trust the keys seen now."""
        theirs = await self.devices_of(user_id, refresh=True)
        self.trust.verify(user_id, fingerprint(user_id, [d.ed25519 for d in theirs.values()]).hex())

    # --- key backup ---
    async def backup(self, passphrase: str, *, replace: bool = False) -> dict[str, Any]:
        """Store every key this client holds and those already in the stored
        backup, encrypted with the passphrase. A stored backup this passphrase
        does not open raises WrongPassphrase (its keys would be lost) unless
        `replace`."""
        devices = {d.device_id: d for d in self.keys.all_devices()}
        try:
            stored = await self.client.call("GET", "/me/key-backup")
        except ChatdError as err:
            if err.status != 404:
                raise
        else:
            try:
                for d in open_backup(passphrase, stored):
                    devices.setdefault(d.device_id, d)
            except (WrongPassphrase, ValueError, KeyError):
                if not replace:
                    raise WrongPassphrase("a key backup made with another passphrase is stored") from None
        return await self.client.call("PUT", "/me/key-backup", json=make_backup(passphrase, devices.values()))

    async def restore(self, passphrase: str) -> int:
        """Fetch the backup, open it, keep its devices for reading, then back
        up again with this device in it. How many devices were added."""
        devices = open_backup(passphrase, await self.client.call("GET", "/me/key-backup"))
        added = self.keys.add_restored([d for d in devices if d.device_id != self.device.device_id])
        await self.backup(passphrase)
        return added
