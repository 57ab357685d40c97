"""Blobs as files in a folder (the default: `storage.media = "file:///./data/media"`).

A put writes a temporary file inside the folder's `.partial/` (same file
system), fsyncs it and renames it into place, then fsyncs the directory: a
key shows either nothing or the whole, durable blob, even after a power cut.
Paths come from keys chatd made (checked against KEY), never from a user,
and files are 0600 (never executable, never readable by other users).
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import time
from collections.abc import AsyncIterable, AsyncIterator
from pathlib import Path

from chatd.storage.ports.blobs import CHUNK, BlobInfo, BlobMissing

KEY = re.compile(r"^[a-z]+(/[0-9A-Za-z_-]+)*/[0-9A-Za-z_-]+(\.[a-z0-9]+)*$")
PARTIAL = ".partial"
# Disk writes are batched to this size per thread hop.
WRITE_BATCH = 1024 * 1024


def _checked(key: str) -> str:
    if not KEY.match(key) or ".." in key:
        raise ValueError(f"not a blob key: {key!r}")
    return key


class FolderBlobStore:
    def __init__(self, root: Path):
        self.root = root
        self.description = f"folder {root}"

    def _path(self, key: str) -> Path:
        return self.root / _checked(key)

    async def put(self, key: str, chunks: AsyncIterable[bytes]) -> int:
        path = self._path(key)
        partial = self.root / PARTIAL
        tmp = partial / f"{secrets.token_hex(8)}.part"
        await asyncio.to_thread(_prepare, partial, path.parent)
        fd = await asyncio.to_thread(os.open, tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        size = 0
        try:
            pending: list[bytes] = []
            waiting = 0
            async for chunk in chunks:
                pending.append(chunk)
                waiting += len(chunk)
                if waiting >= WRITE_BATCH:
                    size += await asyncio.to_thread(_write_all, fd, pending)
                    pending, waiting = [], 0
            size += await asyncio.to_thread(_write_all, fd, pending)
            await asyncio.to_thread(_finish, fd, tmp, path)
            fd = -1
        except BaseException:
            if fd >= 0:
                os.close(fd)
            tmp.unlink(missing_ok=True)
            raise
        return size

    async def open(self, key: str, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        path = self._path(key)
        try:
            handle = await asyncio.to_thread(open, path, "rb")
        except FileNotFoundError:
            raise BlobMissing(key) from None
        return _read(handle, start, end)

    async def stat(self, key: str) -> BlobInfo | None:
        try:
            st = await asyncio.to_thread(os.stat, self._path(key))
        except FileNotFoundError:
            return None
        return BlobInfo(key, st.st_size, st.st_mtime)

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self._path(key).unlink, True)

    async def list(self, prefix: str = "") -> AsyncIterator[BlobInfo]:
        for info in await asyncio.to_thread(_walk, self.root, prefix):
            yield info

    async def link(self, key: str, *, seconds: int, filename: str, content_type: str,
                   disposition: str) -> str | None:
        return None  # a folder has no URLs of its own: chatd streams it

    async def sweep(self, older_than: float) -> int:
        return await asyncio.to_thread(_sweep, self.root / PARTIAL, time.time() - older_than)

    async def check(self) -> None:
        await asyncio.to_thread(_writable, self.root)

    async def close(self) -> None:
        pass


def _prepare(partial: Path, parent: Path) -> None:
    partial.mkdir(mode=0o700, parents=True, exist_ok=True)
    parent.mkdir(mode=0o700, parents=True, exist_ok=True)


def _write_all(fd: int, parts: list[bytes]) -> int:
    written = 0
    for part in parts:
        view = memoryview(part)
        while view:
            n = os.write(fd, view)
            view = view[n:]
            written += n
    return written


def _finish(fd: int, tmp: Path, path: Path) -> None:
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


async def _read(handle, start: int, end: int | None) -> AsyncIterator[bytes]:
    try:
        await asyncio.to_thread(handle.seek, start)
        left = None if end is None else end - start
        while left is None or left > 0:
            chunk = await asyncio.to_thread(handle.read, CHUNK if left is None else min(CHUNK, left))
            if not chunk:
                return
            if left is not None:
                left -= len(chunk)
            yield chunk
    finally:
        handle.close()


def _walk(root: Path, prefix: str) -> list[BlobInfo]:
    out: list[BlobInfo] = []
    if not root.is_dir():
        return out
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != PARTIAL)
        for name in sorted(files):
            full = Path(folder) / name
            key = full.relative_to(root).as_posix()
            if key.startswith(prefix) and KEY.match(key):
                try:
                    st = full.stat()
                except FileNotFoundError:
                    continue  # deleted while walking
                out.append(BlobInfo(key, st.st_size, st.st_mtime))
    return out


def _sweep(partial: Path, before: float) -> int:
    gone = 0
    if not partial.is_dir():
        return gone
    for entry in partial.iterdir():
        try:
            if entry.stat().st_mtime < before:
                entry.unlink()
                gone += 1
        except FileNotFoundError:
            continue
    return gone


def _writable(root: Path) -> None:
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not os.access(root, os.W_OK | os.X_OK):
        raise PermissionError(f"cannot write to {root}")
