"""Counts and checksums of canonical rows, computed the same way on every
side: the rows in key order, each as JSON with sorted keys."""

from __future__ import annotations

import hashlib

import msgspec

from chatd.storage.ports.data_move import DataSide


class Tally(msgspec.Struct):
    count: int
    sha256: str


async def tally(side: DataSide, collection: str, batch: int = 1000) -> Tally:
    digest = hashlib.sha256()
    count = 0
    async for rows in side.rows(collection, None, batch):
        for row in rows:
            digest.update(msgspec.json.encode(row, order="sorted"))
            digest.update(b"\n")
        count += len(rows)
    return Tally(count, digest.hexdigest())
