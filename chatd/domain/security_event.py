"""A security event on an account: something its owner should hear about
at once (ASVS 2.2.3, 2.5.5), shown on every signed-in device and listed
under /me/security-activity. Never a secret: no password, token or key,
only what happened, when, from which device and address, and by whom."""

from datetime import datetime
from typing import Literal

from chatd.domain.base import Entity

# Who did it: the account's owner, an admin over the API, or the operator
# at the server's console (`chatd user ...`).
ActedBy = Literal["self", "admin", "operator"]


class SecurityEvent(Entity, kw_only=True):
    id: str
    kind: str  # one of services/security_activity.py KINDS
    at: datetime
    device: str = ""  # e.g. "Firefox on Linux", from the User-Agent; "" when unknown
    address: str | None = None  # the client address, as the sign-in log keeps it
    detail: str = ""  # a token's name, a device id, a role, a count: never a secret
    by: ActedBy = "self"
