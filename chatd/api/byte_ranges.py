"""HTTP Range for downloads (RFC 9110 14): one range per request, as video
players and download managers send. Several ranges at once are answered
with the whole body (allowed, and simpler than multipart/byteranges)."""

from __future__ import annotations

from chatd.errors import ChatError


class Unsatisfiable(ChatError):
    status, code, title = 416, "range_not_satisfiable", "Range not satisfiable"


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """[start, end) to send, or None for the whole body. Raises Unsatisfiable."""
    if not header:
        return None
    unit, _, spec = header.partition("=")
    if unit.strip().lower() != "bytes" or "," in spec:
        return None
    first, dash, last = spec.strip().partition("-")
    if not dash or not (first.isdigit() or last.isdigit()) or (first and not first.isdigit()) or (
            last and not last.isdigit()):
        return None  # malformed: ignore it, as RFC 9110 allows
    if not first:  # suffix: the last N bytes
        n = int(last)
        if n == 0 or size == 0:
            raise _unsatisfiable(size)
        return max(size - n, 0), size
    start = int(first)
    end = size if not last else min(int(last) + 1, size)
    if start >= size or (last and int(last) < start):
        raise _unsatisfiable(size)
    return start, end


def _unsatisfiable(size: int) -> Unsatisfiable:
    return Unsatisfiable(f"The file has {size} bytes.", extra={"size": size})
