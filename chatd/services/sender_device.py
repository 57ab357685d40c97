"""An envelope names the device that sealed it (`<user id>:<device id>`).

Readers already refuse a message whose device is not on the sender's
account (docs/e2ee.md), but the server checks too, when it stores a send
or an edit: a device the owner removed (a lost phone that still holds a
session) must not be able to post at all, not merely be flagged by every
reader. Plain messages cost nothing here; an encrypted one reads its
sender's account once.
"""

from __future__ import annotations

from chatd.domain import Envelope
from chatd.errors import Invalid
from chatd.storage.ports.users import UserStore


async def check(users: UserStore, user_id: str, envelope: Envelope | None) -> None:
    """Invalid(code="unknown_sender_device") unless the envelope's device is
    one the sender has published now."""
    if envelope is None:
        return
    owner, sep, device_id = envelope.sender_device.partition(":")
    if sep and owner == user_id and device_id:
        user = await users.get(user_id)
        if user is not None and any(k.device_id == device_id for k in user.keys):
            return
    raise Invalid("sender_device must be one of your own devices with published keys (PUT /me/keys): "
                  "a removed device cannot send.", code="unknown_sender_device")
