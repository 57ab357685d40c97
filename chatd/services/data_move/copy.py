"""Copy every collection from one setup to another, then verify it.

Resuming needs no bookkeeping of its own: each batch commits whole on the
target and rows go in key order, so the target's last key says where an
interrupted run stopped. A marker in the target names the source while the
copy is unfinished: a second run from that source resumes, anything else
finding data there is refused unless the admin asks to overwrite it.
The source is only read.
"""

from __future__ import annotations

from typing import Protocol

from chatd.services.data_move.checksum import Tally, tally
from chatd.storage.data_move_open import Setup
from chatd.storage.ports.data_move import ACCOUNT_COLLECTIONS, CONVERSATION_COLLECTIONS, REWRITTEN, NotEmpty

COLLECTIONS = ACCOUNT_COLLECTIONS + CONVERSATION_COLLECTIONS


class NotReady(Exception):
    """The source cannot be copied as it is (the admin can fix it)."""


class VerifyFailed(Exception):
    def __init__(self, differences: dict[str, tuple[Tally, Tally]]):
        self.differences = differences
        names = ", ".join(f"{c} ({s.count} rows there, {t.count} here)" for c, (s, t) in differences.items())
        super().__init__(f"the copy differs from the source in: {names}")


class Progress(Protocol):
    def start(self, collection: str, total: int, done: int) -> None: ...
    def advance(self, n: int) -> None: ...
    def finish(self) -> None: ...
    def verifying(self, collection: str) -> None: ...


async def check_ready(source: Setup, target: Setup) -> None:
    upto = await source.messages.relayed_upto()
    if upto is not None and await source.sql.outbox_after(upto):
        raise NotReady("some account events have not moved into the MongoDB log yet: start chatd on the source"
                       " once, stop it, and run this again")
    have = {(r["app_name"], r["name"]) async for rows in source.sql.rows("migrations") for r in rows}
    want = {(r["app_name"], r["name"]) async for rows in target.sql.rows("migrations") for r in rows}
    if have != want:
        raise NotReady("the source's schema is not this chatd's: run `chatd migrate` with this chatd on the"
                       " source first (or use the chatd that wrote it)")


async def claim(target: Setup, source_id: str, *, overwrite: bool) -> bool:
    """Mark the target as this copy's; True when it resumes an earlier run."""
    marker = await target.sql.marker()
    if overwrite:
        for side in target.sides:
            await side.wipe()
        await target.sql.set_marker(source_id)
        return False
    if marker is not None and marker != source_id:
        raise NotEmpty(f"{target.sql.description} holds an unfinished copy from {marker}")
    if marker is None:
        for side in target.sides:
            if await side.holds_data():
                raise NotEmpty(f"{side.description} already holds chatd data")
        await target.sql.set_marker(source_id)
        return False
    return True


async def copy_all(source: Setup, target: Setup, progress: Progress, *, batch: int = 1000) -> None:
    for collection in COLLECTIONS:
        src, dst = source.side_of(collection), target.side_of(collection)
        total = await src.count(collection)
        after = None if collection in REWRITTEN else await dst.last_key(collection)
        done = 0 if after is None else await dst.count(collection)
        progress.start(collection, total, done)
        async for rows in src.rows(collection, after, batch):
            await dst.load(collection, rows)
            progress.advance(len(rows))
        progress.finish()


async def verify(source: Setup, target: Setup, progress: Progress, *, batch: int = 1000) -> dict[str, Tally]:
    """Counts and checksums of every collection on both sides; raises
    VerifyFailed naming each one that differs."""
    tallies: dict[str, Tally] = {}
    differences: dict[str, tuple[Tally, Tally]] = {}
    for collection in COLLECTIONS:
        progress.verifying(collection)
        there = await tally(source.side_of(collection), collection, batch)
        here = await tally(target.side_of(collection), collection, batch)
        tallies[collection] = there
        if there != here:
            differences[collection] = (there, here)
    if differences:
        raise VerifyFailed(differences)
    return tallies


async def move_data(source: Setup, target: Setup, progress: Progress, *, source_id: str, overwrite: bool = False,
                    batch: int = 1000) -> tuple[dict[str, Tally], bool]:
    """The whole copy; returns the verified tallies and whether it resumed."""
    await check_ready(source, target)
    resumed = await claim(target, source_id, overwrite=overwrite)
    await copy_all(source, target, progress, batch=batch)
    tallies = await verify(source, target, progress, batch=batch)
    await target.sql.clear_marker()
    return tallies, resumed
