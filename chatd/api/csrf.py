"""The CSRF rule for cookie sessions, the one function both the auth
middleware (security.py) and the fast lane call.

Threat: cross-site request forgery. A page on another site can make the
user's browser send a state-changing request to chatd, and the browser adds
the session cookie by itself. That page cannot read the `csrf_token` cookie,
so a cookie request that changes state must echo the token bound to its
session in `X-CSRF-Token`. Bearer requests carry no ambient credential and
are not asked.
"""

from __future__ import annotations

import hmac

from chatd.services.tokens import csrf_for

CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def csrf_passes(method: str, sent: str, session_token: str) -> bool:
    """May a cookie-session request go on: a safe method, or `sent` (the
    X-CSRF-Token header, "" when absent) is the session's token."""
    if method in SAFE_METHODS:
        return True
    return hmac.compare_digest(sent.encode(), csrf_for(session_token).encode())
