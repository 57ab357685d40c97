"""Copy every blob from one store to another (`chatd media migrate`).

The raw stored bytes go across, key by key (a sealed blob stays sealed: the
same key opens it there). Each copy is read back and its sha256 compared with
the source's before the next key; a key the target already holds with the
same size and hash is skipped, so a run that was interrupted simply resumes.
Nothing is ever deleted from the source.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Protocol

import msgspec

from chatd.storage.ports.blobs import BlobInfo, BlobMissing, BlobStore


class CopyFailed(Exception):
    """A copy read back differently from its source (nothing was deleted)."""


class CopyReport(msgspec.Struct):
    copied: int = 0
    skipped: int = 0
    bytes: int = 0  # of the blobs copied now, not the skipped ones


class Progress(Protocol):
    def start(self, count: int, size: int) -> None: ...
    def moved(self, n: int) -> None: ...  # bytes of the current blob went across
    def done(self, info: BlobInfo, skipped: bool) -> None: ...


class _Quiet:
    def start(self, count: int, size: int) -> None: pass
    def moved(self, n: int) -> None: pass
    def done(self, info: BlobInfo, skipped: bool) -> None: pass


def place(store: BlobStore) -> tuple:
    """Where a store's bytes live, credentials aside (to refuse copying onto itself)."""
    root = getattr(store, "root", None)
    if isinstance(root, Path):
        return ("folder", root.resolve())
    endpoint = getattr(store, "endpoint", None)
    if isinstance(endpoint, str):
        return ("s3", endpoint.lower(), store.bucket)
    return ("other", store.description)


def overlapping(a: BlobStore, b: BlobStore) -> bool:
    pa, pb = place(a), place(b)
    if pa[0] == pb[0] == "folder":  # one folder inside the other would list itself
        return pa[1] == pb[1] or pa[1] in pb[1].parents or pb[1] in pa[1].parents
    return pa == pb


async def copy_blobs(source: BlobStore, target: BlobStore, progress: Progress | None = None) -> CopyReport:
    if overlapping(source, target):
        raise ValueError(f"the target ({target.description}) is or overlaps the source ({source.description})")
    progress = progress or _Quiet()
    count = size = 0
    async for info in source.list():  # totals first, for the progress bar
        count += 1
        size += info.size
    progress.start(count, size)
    report = CopyReport()
    async for info in source.list():
        try:
            if await _already_there(source, target, info):
                report.skipped += 1
                progress.moved(info.size)
                progress.done(info, skipped=True)
                continue
            digest = hashlib.sha256()
            await target.put(info.key, _hashed(await source.open(info.key), digest, progress))
        except BlobMissing:
            continue  # deleted from the source since it was listed: nothing to copy
        if await _hash_or_none(target, info.key) != digest.digest():
            raise CopyFailed(f"{info.key}: the copy in {target.description} differs from the source")
        report.copied += 1
        report.bytes += info.size
        progress.done(info, skipped=False)
    return report


async def _already_there(source: BlobStore, target: BlobStore, info: BlobInfo) -> bool:
    have = await target.stat(info.key)
    if have is None or have.size != info.size:
        return False
    return await _hash_or_none(target, info.key) == await _sha256(await source.open(info.key))


async def _sha256(chunks: AsyncIterator[bytes]) -> bytes:
    digest = hashlib.sha256()
    async for chunk in chunks:
        digest.update(chunk)
    return digest.digest()


async def _hash_or_none(store: BlobStore, key: str) -> bytes | None:
    try:
        return await _sha256(await store.open(key))
    except BlobMissing:
        return None


async def _hashed(chunks: AsyncIterator[bytes], digest, progress: Progress) -> AsyncIterator[bytes]:
    async for chunk in chunks:
        digest.update(chunk)
        progress.moved(len(chunk))
        yield chunk
