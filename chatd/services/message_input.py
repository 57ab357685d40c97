"""What a client may send to create or edit a message, and the text rules.

The Structs are the request bodies of the HTTP API and the `send` frame of
the WebSocket gateway alike: both decode into them, so both get the same
400s for bad shapes. Rules that depend on the config (lengths, E2EE) are
checked by the service after cleaning.
"""

from __future__ import annotations

import unicodedata
from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from chatd.bounds import MAX_INT64
from chatd.config import Config
from chatd.domain import Envelope, MessageKind
from chatd.errors import Invalid, TooLarge
from chatd.text import clean

Id = Annotated[str, Meta(min_length=1, max_length=64)]
ClientId = Annotated[str, Meta(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
MAX_ATTACHMENTS = 20
MAX_MENTIONS = 50
MAX_EMOJI_CHARS = 32
MAX_DISTINCT_REACTIONS = 50
MAX_QUERY_CHARS = 256


class EnvelopeIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """An E2EE envelope (see domain.Envelope); the ciphertext limit follows
    max_message_chars and is checked by the service."""

    alg: Annotated[str, Meta(min_length=1, max_length=64)]
    sender_device: Annotated[str, Meta(min_length=1, max_length=128)]
    nonce: Annotated[str, Meta(min_length=1, max_length=256)]
    ciphertext: Annotated[str, Meta(min_length=1)]
    keys: Annotated[
        dict[Annotated[str, Meta(max_length=128)], Annotated[str, Meta(max_length=1024)]], Meta(max_length=256)
    ] = {}
    sig: Annotated[str, Meta(max_length=128, description="base64 of the sending device's 64-byte Ed25519 "
                                                         "signature (docs/e2ee.md); the server keeps it as is")] = ""

    def to_domain(self) -> Envelope:
        return Envelope(alg=self.alg, sender_device=self.sender_device, nonce=self.nonce,
                        ciphertext=self.ciphertext, keys=dict(self.keys), sig=self.sig)


class SendMessage(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A new message. `kind` defaults to "encrypted" when an envelope is given,
    else "text". `client_id` makes retries safe: the same one again returns
    the first message."""

    client_id: ClientId
    kind: Literal["text", "encrypted"] | None = None
    body: Annotated[str, Meta(description="1 to limits.max_message_chars (8000 by default) characters after "
                                          "cleaning; may be empty or left out when attachments are sent")] | None = None
    envelope: EnvelopeIn | None = None
    reply_to: Id | None = None
    attachments: Annotated[list[Id], Meta(max_length=MAX_ATTACHMENTS, description="ids of your own uploads to this "
                                          "conversation, not yet sent")] = []
    mentions: Annotated[list[Id], Meta(max_length=MAX_MENTIONS)] = []


class EditMessage(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """New body (text message) or envelope (encrypted one), based on `version`
    (or the request's If-Match header)."""

    body: Annotated[str, Meta(description="1 to limits.max_message_chars characters after cleaning")] | None = None
    envelope: EnvelopeIn | None = None
    version: Annotated[int, Meta(ge=1, le=MAX_INT64, description="the version edited; required unless an If-Match "
                                                                "header names it")] | None = None


def message_body(raw: str | None, max_chars: int, *, may_be_empty: bool = False) -> str:
    """Cleaned text: 1..max_chars characters after cleaning, not only blanks
    (empty allowed for a caption-less message with attachments)."""
    if raw is None:
        if may_be_empty:
            return ""
        raise Invalid("A text message needs a body.", code="body_required")
    body = clean(raw)
    if not body.strip() and not (may_be_empty and body == ""):
        raise Invalid("The message is empty.", code="empty_body")
    if len(body) > max_chars:
        raise TooLarge(f"A message is at most {max_chars} characters.", code="message_too_long",
                       extra={"max_chars": max_chars})
    return body


def content(
    data: SendMessage | EditMessage, config: Config, *, kind: MessageKind | None = None,
    attachments: list[str] | None = None, e2ee: bool = True,
) -> tuple[MessageKind, str | None, Envelope | None]:
    """(kind, body, envelope) of a send or an edit: text has a cleaned body,
    encrypted an envelope (only where the e2ee flag is on for the sender). `kind` is the
    edited message's; a send names it or implies it by sending an envelope."""
    if kind is None:
        kind = getattr(data, "kind", None) or ("encrypted" if data.envelope is not None else "text")
    max_chars = config.limits.max_message_chars
    if kind == "text":
        if data.envelope is not None:
            raise Invalid("An envelope belongs to an encrypted message.", code="unexpected_envelope")
        files = attachments if attachments is not None else getattr(data, "attachments", [])
        return kind, message_body(data.body, max_chars, may_be_empty=bool(files)), None
    if not e2ee:  # the e2ee flag, as it is for the sender
        raise Invalid("End-to-end encryption is disabled on this server.", code="e2ee_disabled")
    if data.body is not None:
        raise Invalid("An encrypted message carries no plain body.", code="unexpected_body")
    return kind, None, envelope(data.envelope, max_chars)


def envelope(raw: EnvelopeIn | None, max_chars: int) -> Envelope:
    if raw is None:
        raise Invalid("An encrypted message needs an envelope.", code="envelope_required")
    # base64 of the UTF-8 plaintext (up to 4 bytes a character) plus MAC/padding room.
    limit = (max_chars * 4 + 1024) * 4 // 3
    if len(raw.ciphertext) > limit:
        raise TooLarge(f"The ciphertext is longer than {limit} characters.", code="message_too_long",
                       extra={"max_chars": max_chars})
    return raw.to_domain()


# Format characters emoji sequences use (zero-width joiner) and the one emoji
# Unicode files as a letter (INFORMATION SOURCE). Variation selectors, skin
# tones and keycaps are marks/symbols and pass the category test.
_EMOJI_EXTRAS = {"\u200d", "\u2139"}


def emoji(raw: str) -> str:
    """An emoji-ish reaction: 1..32 characters, no letters, blanks or controls,
    at least one character beyond ASCII (so `+1` or `:)` is not one)."""
    value = unicodedata.normalize("NFC", raw)
    if not 1 <= len(value) <= MAX_EMOJI_CHARS or all(ord(ch) < 128 for ch in value):
        raise Invalid("A reaction is one emoji.", code="invalid_emoji")
    for ch in value:
        cat = unicodedata.category(ch)
        allowed = (
            ch in _EMOJI_EXTRAS
            or 0xE0020 <= ord(ch) <= 0xE007F  # tag characters (subdivision flags)
            or (cat[0] not in "LZC")
        )
        if not allowed:
            raise Invalid("A reaction is one emoji.", code="invalid_emoji")
    return value


def search_query(raw: str) -> str:
    query = clean(raw, single_line=True)
    if not query:
        raise Invalid("Say what to search for (q).", code="empty_query")
    if len(query) > MAX_QUERY_CHARS:
        raise Invalid(f"A search is at most {MAX_QUERY_CHARS} characters.", code="query_too_long")
    return query
