"""Times: UTC datetimes in the domain, integer epoch milliseconds in storage."""

from datetime import UTC, datetime


def now() -> datetime:
    # Millisecond precision so a value survives a round trip through storage unchanged.
    t = datetime.now(UTC)
    return t.replace(microsecond=t.microsecond // 1000 * 1000)


def to_ms(t: datetime | None) -> int | None:
    return None if t is None else int(t.timestamp() * 1000)


def from_ms(ms: int | None) -> datetime | None:
    return None if ms is None else datetime.fromtimestamp(ms / 1000, UTC)
