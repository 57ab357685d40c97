"""A scanner's words for a log line: printable ASCII only, bounded, so a
crafted file (or a file name the scanner echoes) cannot forge log lines."""

from __future__ import annotations

import re

FINDING_MAX = 200
_UNSAFE = re.compile(r"[^A-Za-z0-9 ._:/()\[\]=+-]")


def safe_finding(raw: bytes | str) -> str:
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    return _UNSAFE.sub("?", " ".join(text.split()))[:FINDING_MAX]
