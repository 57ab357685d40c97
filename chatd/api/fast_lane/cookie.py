"""A cookie session in the lane (the web UI): the session token read as
security.session_cookie reads it, passed through csrf.py's rule, the one the
auth middleware applies. Anything less plain than one well-formed session
cookie under this server's name is declined, for Litestar to judge."""

from __future__ import annotations

import re

from chatd.api.csrf import csrf_passes
from chatd.api.security import SESSION_COOKIE

# What tokens.new_secret makes (urlsafe base64): such a value is the same
# before and after Litestar's unquoting, so the lane reads what it reads.
_PLAIN = re.compile(r"[A-Za-z0-9_-]{1,256}")
_NAME = SESSION_COOKIE.encode()


def names_a_session(cookie: bytes) -> bool:
    """Does a Cookie header (may) carry a session, under either name."""
    return _NAME in cookie


def cookie_session(cookie: bytes, name: str, method: str, csrf: bytes | None) -> str | None:
    """The session token, or None: not exactly one plain session cookie (the
    __Host- one with an https public_url, security.session_cookie_name), or
    the CSRF rule refuses."""
    if not cookie.isascii():
        return None
    token = None
    for part in cookie.decode("ascii").split(";"):
        key, _, value = part.partition("=")
        key = key.strip()
        if SESSION_COOKIE not in key:
            continue
        # Several session cookies, the other name's, an odd value: Litestar's call.
        value = value.strip()
        if token is not None or key != name or not _PLAIN.fullmatch(value):
            return None
        token = value
    # As the middleware reads the header (Litestar decodes headers as latin-1; absent is "").
    if token is None or not csrf_passes(method, csrf.decode("latin-1") if csrf is not None else "", token):
        return None
    return token
