"""Who chatd is to a security key (WebAuthn's relying party): its id is the
host of server.public_url and every answer must come from that origin. A
key registered under one host does not sign for another, so changing
public_url's host makes the keys unusable (re-enrol them)."""

from __future__ import annotations

from urllib.parse import urlsplit

from chatd.config import Config

NAME = "chatd"


def rp_id(config: Config) -> str:
    return (urlsplit(config.server.public_url).hostname or "localhost").lower()


def origin(config: Config) -> str:
    """scheme://host[:port] of public_url, as a browser writes it into clientDataJSON."""
    parts = urlsplit(config.server.public_url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"
