"""The server's log format: one line per record, timestamps in UTC.

An administrator lines chatd's log up with the reverse proxy's, fail2ban's
and other machines' logs; local time (and its daylight-saving jumps) makes
that guesswork, so every line starts with an ISO 8601 UTC time ending in Z.
"""

from __future__ import annotations

import logging
import time

FORMAT = "%(asctime)s.%(msecs)03dZ %(levelname)s %(name)s: %(message)s"
DATE_FORMAT = "%Y-%m-%dT%H:%M:%S"


class UtcFormatter(logging.Formatter):
    converter = time.gmtime


def configure(level: int = logging.INFO) -> None:
    """Root handler on stderr with UTC timestamps (what `chatd serve` logs through)."""
    handler = logging.StreamHandler()
    handler.setFormatter(UtcFormatter(FORMAT, DATE_FORMAT))
    logging.basicConfig(level=level, handlers=[handler])


def granian_config() -> dict:
    """granian's dictConfig overrides: its own lines ("_granian") get the same UTC format on stderr."""
    fmt = {"()": "chatd.logs.UtcFormatter", "fmt": FORMAT, "datefmt": DATE_FORMAT}
    return {
        "formatters": {"generic": fmt, "access": fmt},
        "handlers": {
            "console": {"formatter": "generic", "class": "logging.StreamHandler", "stream": "ext://sys.stderr"},
            "access": {"formatter": "access", "class": "logging.StreamHandler", "stream": "ext://sys.stderr"},
        },
    }


def litestar_config() -> object:
    """Litestar's logging config (it re-configures the root logger when the app
    is built), with this module's UTC format instead of its local-time one."""
    from litestar.logging.config import LoggingConfig

    return LoggingConfig(formatters={"standard": {"()": "chatd.logs.UtcFormatter", "fmt": FORMAT,
                                                  "datefmt": DATE_FORMAT}})
