"""Blobs as objects in an S3-compatible bucket (`storage.media = "s3://..."`).

minio is synchronous, so every call runs in a worker thread. A put streams
through `_Pipe` into minio's multipart upload (10 MiB parts, unknown total
length): nothing touches local disk and memory stays at a few parts. S3 makes
an object visible only once its upload completes, and minio aborts the
multipart upload when reading the stream fails, so an interrupted put leaves
nothing under the key; what a crash leaves behind, `sweep` aborts.
A server that cannot be reached, or whose TLS fails, is a StoreUnavailable
and a log line saying which (s3_errors.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import time
from collections.abc import AsyncIterable, AsyncIterator, Callable
from datetime import timedelta
from typing import Any

from minio import Minio
from minio.credentials import Credentials, Provider
from minio.error import S3Error

from chatd.storage.blobs import s3_errors, s3_http
from chatd.storage.blobs.choose import S3Location, parse_s3_url
from chatd.storage.ports.blobs import CHUNK, BlobInfo, BlobMissing

PART = 10 * 1024 * 1024  # multipart part size (S3's minimum is 5 MiB)
BLOCK = 1024 * 1024  # what the event loop hands the upload thread at a time
AHEAD = PART // BLOCK  # blocks the loop may run ahead of the upload: one part
LIST_BATCH = 500  # listed objects fetched per thread hop
MISSING = {"NoSuchKey", "NoSuchObject", "ResourceNotFound", "NoSuchBucket"}
PROBE_PREFIX = "chatd-probe/"  # no object is ever stored under it


class FileCredentials(Provider):
    """The key and secret of storage.media as its file holds them now
    (live_secret.py): minio asks before signing each request, so a rotated
    secret is used from the next request on. The endpoint and bucket stay
    the ones chatd started with."""

    def __init__(self, url_now: Callable[[], str]):
        self.url_now = url_now

    def retrieve(self) -> Credentials:
        location = parse_s3_url(self.url_now())
        return Credentials(location.access_key, location.secret_key)


class S3BlobStore:
    def __init__(self, location: S3Location, *, secure: bool, region: str,
                 url_now: Callable[[], str] | None = None):
        self.endpoint, self.bucket = location.endpoint, location.bucket
        self.description = f"s3 {location.endpoint}/{location.bucket}"
        keys: dict[str, Any] = {"access_key": location.access_key, "secret_key": location.secret_key}
        if url_now is not None:
            keys = {"credentials": FileCredentials(url_now)}
        # A region given up front: minio never asks the server for it.
        self._client = Minio(location.endpoint, secure=secure, region=region, http_client=s3_http.pool(), **keys)
        self._bucket_ready = False
        self._bucket_lock = asyncio.Lock()

    async def _call(self, fn, *args, **kwargs):
        """`fn` in a worker thread; not reaching the server is a StoreUnavailable."""
        try:
            return await asyncio.to_thread(fn, *args, **kwargs)
        except Exception as err:
            translated = s3_errors.translate(err, self.endpoint)
            if translated is err:
                raise
            raise translated from err

    async def _ready(self) -> None:
        """Create the bucket on first use (a fresh install needs no manual step)."""
        if self._bucket_ready:
            return
        async with self._bucket_lock:
            if not self._bucket_ready:
                await self._call(self._make_bucket)
                self._bucket_ready = True

    def _make_bucket(self) -> None:
        try:
            # A listing of a prefix nothing is under, not bucket_exists: a GET,
            # so a refused key or secret comes back saying so (a HEAD has no body).
            next(iter(self._client.list_objects(self.bucket, prefix=PROBE_PREFIX)), None)
            return
        except S3Error as err:
            if err.code != "NoSuchBucket":
                raise
        try:
            self._client.make_bucket(self.bucket)
        except S3Error as err:  # another process created it in between
            if err.code not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                raise

    async def put(self, key: str, chunks: AsyncIterable[bytes]) -> int:
        await self._ready()
        pipe = _Pipe(asyncio.get_running_loop())
        upload = asyncio.ensure_future(self._call(
            self._client.put_object, self.bucket, key, pipe, -1,
            part_size=PART, num_parallel_uploads=1))  # one part in flight: bounded memory
        feeder = asyncio.ensure_future(pipe.feed(chunks))
        try:
            await asyncio.wait({upload, feeder}, return_when=asyncio.FIRST_EXCEPTION)
        except BaseException:  # cancelled (the client went away)
            feeder.cancel()
            pipe.fail(asyncio.CancelledError())  # even if the feeder never ran: the thread aborts
            upload.add_done_callback(_retrieve)  # its error is expected: not "never retrieved"
            with contextlib.suppress(BaseException):
                await asyncio.shield(upload)  # gone only once nothing is left behind
            raise
        if upload.done() and upload.exception() is not None and not feeder.done():
            feeder.cancel()  # S3 refused: stop reading the source
            await asyncio.gather(feeder, return_exceptions=True)
        if feeder.done() and not feeder.cancelled() and feeder.exception() is not None:
            # The source failed: minio aborts its upload before put_object returns.
            await asyncio.gather(upload, return_exceptions=True)
            raise feeder.exception()
        await upload
        return feeder.result()

    async def open(self, key: str, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        await self._ready()
        if end is not None and end <= start:  # minio reads length 0 as "to the end"
            if await self.stat(key) is None:
                raise BlobMissing(key)
            return _empty()
        length = 0 if end is None else end - start
        try:
            response = await self._call(self._client.get_object, self.bucket, key, start, length)
        except S3Error as err:
            if err.code in MISSING:
                raise BlobMissing(key) from None
            if err.code == "InvalidRange":  # start past the end: nothing, like a file
                return _empty()
            raise
        return _read(response)

    async def stat(self, key: str) -> BlobInfo | None:
        await self._ready()
        try:
            obj = await self._call(self._client.stat_object, self.bucket, key)
        except S3Error as err:
            if err.code in MISSING:
                return None
            raise
        return BlobInfo(key, obj.size or 0, obj.last_modified.timestamp() if obj.last_modified else 0.0)

    async def delete(self, key: str) -> None:
        await self._ready()
        await self._call(self._client.remove_object, self.bucket, key)  # S3: missing is fine

    async def list(self, prefix: str = "") -> AsyncIterator[BlobInfo]:
        await self._ready()
        objects = self._client.list_objects(self.bucket, prefix=prefix, recursive=True)
        while batch := await self._call(_take, objects, LIST_BATCH):
            for obj in batch:
                if not obj.is_dir:
                    modified = obj.last_modified.timestamp() if obj.last_modified else 0.0
                    yield BlobInfo(obj.object_name, obj.size or 0, modified)

    async def link(self, key: str, *, seconds: int, filename: str, content_type: str,
                   disposition: str) -> str | None:
        headers = {"response-content-type": content_type, "response-content-disposition": disposition}
        # Signing is local (the region is known): no request to the server.
        return await asyncio.to_thread(self._client.presigned_get_object, self.bucket, key,
                                       expires=timedelta(seconds=seconds), response_headers=headers)

    async def sweep(self, older_than: float) -> int:
        await self._ready()
        return await self._call(self._abort_stale_uploads, time.time() - older_than)

    def _abort_stale_uploads(self, before: float) -> int:
        # minio has no public call for ListMultipartUploads; its internal
        # helpers sign the request like every other one.
        gone = 0
        key_marker = upload_marker = None
        while True:
            page = self._client._list_multipart_uploads(
                self.bucket, key_marker=key_marker, upload_id_marker=upload_marker)
            for upload in page.uploads:
                started = upload.initiated_time.timestamp() if upload.initiated_time else 0.0
                if started < before and upload.upload_id:
                    self._client._abort_multipart_upload(self.bucket, upload.object_name, upload.upload_id)
                    gone += 1
            if not page.is_truncated or not page.uploads:
                return gone
            # minio 7.2 loses NextUploadIdMarker: the last entry is the same marker.
            key_marker, upload_marker = page.uploads[-1].object_name, page.uploads[-1].upload_id

    async def check(self) -> None:
        self._bucket_ready = False  # a deleted bucket is recreated, an unreachable server raises
        await self._ready()

    async def close(self) -> None:
        self._client._http.clear()  # minio has no close(): drop its pooled connections


class _Pipe:
    """A file-like object minio reads from its thread, fed from the event loop.

    The loop packs the source's chunks into BLOCK-sized blocks; at most AHEAD
    blocks wait in the queue (a semaphore the reader releases), so the source
    is read one part ahead of the upload and never more.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop):
        self._loop = loop
        self._blocks: queue.SimpleQueue[bytes | BaseException | None] = queue.SimpleQueue()
        self._slots = asyncio.Semaphore(AHEAD)
        self._head = b""
        self._done = False

    async def feed(self, chunks: AsyncIterable[bytes]) -> int:
        size = 0
        block: list[bytes] = []
        waiting = 0
        try:
            async for chunk in chunks:
                block.append(chunk)
                waiting += len(chunk)
                size += len(chunk)
                if waiting >= BLOCK:
                    await self._send(b"".join(block))
                    block, waiting = [], 0
            if waiting:
                await self._send(b"".join(block))
            self._blocks.put(None)
        except BaseException as err:
            self.fail(err)
            raise
        return size

    def fail(self, err: BaseException) -> None:
        self._blocks.put(err)  # read() raises it: minio aborts the upload

    async def _send(self, block: bytes) -> None:
        await self._slots.acquire()
        self._blocks.put(block)

    def read(self, size: int = -1) -> bytes:
        """Up to `size` bytes, blocking until that many or the end (one join per part)."""
        parts = [self._head] if self._head else []
        have = len(self._head)
        self._head = b""
        while (size < 0 or have < size) and not self._done:
            item = self._blocks.get()
            if item is None:
                self._done = True
                break
            if isinstance(item, BaseException):
                raise OSError("the source of the upload failed") from item
            self._loop.call_soon_threadsafe(self._slots.release)
            parts.append(item)
            have += len(item)
        data = b"".join(parts)
        if size >= 0 and len(data) > size:
            data, self._head = data[:size], data[size:]
        return data


def _retrieve(future: asyncio.Future) -> None:
    if not future.cancelled():
        future.exception()


async def _empty() -> AsyncIterator[bytes]:
    return
    yield


async def _read(response) -> AsyncIterator[bytes]:
    try:
        while chunk := await asyncio.to_thread(response.read, CHUNK):
            yield chunk
    finally:
        response.close()
        response.release_conn()


def _take(iterator, n: int) -> list:
    out = []
    for item in iterator:
        out.append(item)
        if len(out) >= n:
            break
    return out
