"""The privacy notice served at GET /api/v1/privacy (ASVS 8.3.3): the
operator's own file (server.privacy_notice_file; .md is Markdown, anything
else plain text), or the default text (privacy_default.py).

The file is read once at start: a missing or unreadable one stops the
server with one line rather than serving no notice. The text goes out as
data; the web app renders Markdown into elements, never as HTML.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import msgspec

from chatd.config import Config, ConfigError
from chatd.services.privacy_default import default_notice

NOTICE_MAX = 64 * 1024


class PrivacyNotice(msgspec.Struct, frozen=True):
    format: Literal["markdown", "text"]
    text: str
    # True when the operator wrote it (server.privacy_notice_file).
    custom: bool


def load_notice(config: Config) -> PrivacyNotice:
    name = config.server.privacy_notice_file
    if not name:
        return PrivacyNotice("markdown", default_notice(config), custom=False)
    path = Path(name)
    try:
        raw = path.read_bytes()
        if len(raw) > NOTICE_MAX:
            raise ConfigError(f"server.privacy_notice_file = {name!r}: larger than {NOTICE_MAX // 1024} KiB")
        text = raw.decode("utf-8")
    except OSError as err:
        raise ConfigError(f"server.privacy_notice_file = {name!r}: cannot read it ({err.strerror or err})") from None
    except UnicodeDecodeError:
        raise ConfigError(f"server.privacy_notice_file = {name!r}: not UTF-8 text") from None
    kind = "markdown" if path.suffix.lower() in (".md", ".markdown") else "text"
    return PrivacyNotice(kind, text, custom=True)
