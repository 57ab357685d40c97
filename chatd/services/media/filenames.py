"""A filename a person can recognise and nothing can abuse: no folders, no
control or bidi characters (a name that reads "gpj.exe" backwards), no
leading dots, at most MAX_CHARS characters with the extension kept."""

from __future__ import annotations

import unicodedata

MAX_CHARS = 120
FALLBACK = "file"
_BIDI = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C)}
_FORBIDDEN = set('/\\:*?"<>|') | _BIDI


def clean_filename(raw: str | None) -> str:
    name = unicodedata.normalize("NFC", raw or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]  # C:\\Users\\x\\a.png and ../../a.png alike
    name = "".join(
        "_" if ch in _FORBIDDEN else ch
        for ch in name
        if unicodedata.category(ch)[0] != "C" or ch in "\t"  # drop control/format/unassigned
    )
    name = " ".join(name.split()).strip(" .")
    if not name:
        return FALLBACK
    if len(name) > MAX_CHARS:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 16 and stem:
            name = stem[: MAX_CHARS - len(ext) - 1].rstrip(" .") + "." + ext
        else:
            name = name[:MAX_CHARS].rstrip(" .")
    return name or FALLBACK
