"""Message: plain text (never HTML), a system note, or an E2EE envelope."""

from datetime import datetime
from typing import Literal

from chatd.domain.base import Entity

MessageKind = Literal["text", "system", "encrypted"]


class Envelope(Entity, kw_only=True):
    """Ciphertext the server stores and relays but cannot read."""

    alg: str
    sender_device: str
    nonce: str
    ciphertext: str
    keys: dict[str, str] = {}
    sig: str = ""  # the sending device's Ed25519 signature (docs/e2ee.md); clients check it


class Message(Entity, kw_only=True):
    id: str
    conversation_id: str
    sender_id: str
    seq: int
    client_id: str
    kind: MessageKind = "text"
    body: str | None = None
    envelope: Envelope | None = None
    reply_to: str | None = None
    attachments: list[str] = []
    mentions: list[str] = []
    reactions: dict[str, list[str]] = {}
    created_at: datetime
    edited_at: datetime | None = None
    deleted_at: datetime | None = None
    version: int = 1
