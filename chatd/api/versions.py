"""The version a PATCH is based on: a `version` field or an If-Match header."""

from __future__ import annotations

from chatd.bounds import MAX_INT64
from chatd.errors import Invalid


def if_match(header: str | None) -> int | None:
    """`If-Match: "3"` (or W/"3", or 3) -> 3; None when absent. A tag that is
    no version in range (past 2^63 overflows the database) is a 400."""
    if header is None:
        return None
    tag = header.strip().removeprefix("W/").strip('"')
    if not tag.isdigit() or len(tag) > 19 or not 1 <= int(tag) <= MAX_INT64:
        raise Invalid('If-Match names a version, e.g. If-Match: "3".', code="invalid_if_match")
    return int(tag)


def required(body: int | None, header: str | None) -> int:
    """The body's version, else If-Match's; one of them is required."""
    version = body if body is not None else if_match(header)
    if version is None:
        raise Invalid("Name the version you edited: a `version` field or an If-Match header.", code="version_required")
    return version
