"""The blob store contract, one suite for every store: a folder, S3 (a real
SeaweedFS that checks signatures), and both again behind encryption at rest."""

from __future__ import annotations

import asyncio
import hashlib
import os
import random
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from chatd.storage.blobs.folder import PARTIAL, FolderBlobStore
from chatd.storage.blobs.s3 import AHEAD, BLOCK, PART, S3BlobStore, _Pipe
from chatd.keys.local import LocalKeyRing
from chatd.storage.blobs.sealed import HEADER, KEY_ID, PLAIN, SEALED, SealedBlobStore, key_id
from chatd.storage.ports.blobs import CHUNK, BlobCorrupt, BlobMissing
from tests.legacy_sealed import put_legacy
from tests.s3_server import SECRET

KEY = bytes(range(32))
KINDS = ["folder", "s3", "sealed-folder", "sealed-s3"]


def ring(*keys: bytes) -> LocalKeyRing:
    """The media keys, the current one first (as the key process would hold them)."""
    return LocalKeyRing(media_keys=list(keys))


class Boom(Exception):
    pass


def data(n: int, seed: int = 1) -> bytes:
    return random.Random(seed).randbytes(n)


async def pieces(blob: bytes, size: int = 100_000, fail_after: int | None = None) -> AsyncIterator[bytes]:
    """`blob` in odd-sized pieces (no store may assume aligned input)."""
    for at in range(0, len(blob), size):
        if fail_after is not None and at >= fail_after:
            raise Boom("the source failed mid-stream")
        yield blob[at:at + size]


async def read(store, key: str, start: int = 0, end: int | None = None) -> bytes:
    out = []
    async for chunk in await store.open(key, start, end):
        assert 0 < len(chunk) <= CHUNK
        out.append(chunk)
    return b"".join(out)


def _inner(kind: str, tmp_path: Path, request: pytest.FixtureRequest):
    if kind.endswith("folder"):
        return FolderBlobStore(tmp_path / "media")
    return S3BlobStore(request.getfixturevalue("s3_location"), secure=False, region="us-east-1")


@pytest.fixture(params=KINDS)
async def store(request: pytest.FixtureRequest, tmp_path: Path):
    kind = request.param
    inner = _inner(kind, tmp_path, request)
    s = SealedBlobStore(inner, ring(KEY)) if kind.startswith("sealed") else inner
    s.kind = kind
    try:
        yield s
    finally:
        await s.close()


@pytest.fixture(params=["sealed-folder", "sealed-s3"])
async def sealed(request: pytest.FixtureRequest, tmp_path: Path):
    s = SealedBlobStore(_inner(request.param, tmp_path, request), ring(KEY))
    try:
        yield s
    finally:
        await s.close()


def _raw(store):
    """The store that holds the bytes as they are (the ciphertext, when sealed)."""
    return store.inner if isinstance(store, SealedBlobStore) else store


@pytest.mark.parametrize("size", [0, 1, PLAIN, CHUNK, 25 * 1024 * 1024 + 7])
async def test_round_trip_is_byte_exact(store, size):
    blob = data(size)
    assert await store.put("media/ab/round", pieces(blob)) == size
    got = await read(store, "media/ab/round")
    assert len(got) == size and hashlib.sha256(got).digest() == hashlib.sha256(blob).digest()
    info = await store.stat("media/ab/round")
    assert info.size == size and abs(info.modified - time.time()) < 120


async def test_ranges(store):
    size = 3 * PLAIN + 123
    blob = data(size, seed=2)
    await store.put("media/ab/range", pieces(blob, 7777))
    cases = [(0, 1), (1000, 150_000), (size - 500, None), (size - 5, size + 100), (size + 10, None),
             (size, None), (10, 10), (0, PLAIN), (PLAIN, 2 * PLAIN), (PLAIN - 1, PLAIN + 1),
             (2 * PLAIN, None), (3 * PLAIN, size), (0, None), (5, size)]
    for start, end in cases:
        assert await read(store, "media/ab/range", start, end) == blob[start:end], (start, end)


async def test_put_replaces(store):
    await store.put("media/ab/x", pieces(data(300_000, seed=3)))
    await store.put("media/ab/x", pieces(b"short"))
    assert await read(store, "media/ab/x") == b"short"
    assert (await store.stat("media/ab/x")).size == 5


async def _multipart_uploads(store) -> list:
    raw = _raw(store)
    if not isinstance(raw, S3BlobStore):
        return [p.name for p in (raw.root / PARTIAL).glob("*")] if (raw.root / PARTIAL).is_dir() else []
    return raw._client._list_multipart_uploads(raw.bucket).uploads


async def test_a_source_failing_mid_stream_leaves_nothing(store):
    blob = data(PART + PART // 2, seed=4)  # past one S3 part: a multipart upload was under way
    with pytest.raises(Boom):
        await store.put("media/ab/new", pieces(blob, fail_after=PART + 1))
    assert await store.stat("media/ab/new") is None
    with pytest.raises(BlobMissing):
        await store.open("media/ab/new")
    assert [i async for i in store.list("media/")] == []
    assert await _multipart_uploads(store) == []

    await store.put("media/ab/old", pieces(b"the old bytes"))
    with pytest.raises(Boom):
        await store.put("media/ab/old", pieces(blob, fail_after=PART + 1))
    assert await read(store, "media/ab/old") == b"the old bytes"
    assert await _multipart_uploads(store) == []


async def _leave_crash_leftover(store) -> None:
    """What a process killed in the middle of a put leaves behind."""
    raw = _raw(store)
    if isinstance(raw, S3BlobStore):
        await raw.check()
        upload = raw._client._create_multipart_upload(raw.bucket, "media/ab/crashed", {})
        raw._client._upload_part(raw.bucket, "media/ab/crashed", data(PART, seed=5), None, upload, 1)
        return
    (raw.root / PARTIAL).mkdir(parents=True, exist_ok=True)
    leftover = raw.root / PARTIAL / "dead.part"
    leftover.write_bytes(b"half a file")
    os.utime(leftover, (time.time() - 7200, time.time() - 7200))


async def test_sweep_removes_what_a_crash_left_and_nothing_else(store):
    await store.put("media/ab/kept", pieces(b"complete"))
    await _leave_crash_leftover(store)
    assert await store.stat("media/ab/crashed") is None  # never visible
    if isinstance(_raw(store), S3BlobStore):
        assert await store.sweep(3600) == 0  # too young: it may still be running
        assert len(await _multipart_uploads(store)) == 1
        time.sleep(2)
        assert await store.sweep(1) == 1
    else:
        assert await store.sweep(3600) == 1
    assert await _multipart_uploads(store) == []
    assert await store.sweep(0) == 0
    assert await read(store, "media/ab/kept") == b"complete"


async def test_missing_and_delete(store):
    with pytest.raises(BlobMissing):
        await store.open("media/ab/never")
    with pytest.raises(BlobMissing):
        await store.open("media/ab/never", 5, 10)
    assert await store.stat("media/ab/never") is None
    await store.delete("media/ab/never")
    await store.put("media/ab/gone", pieces(b"bytes"))
    await store.delete("media/ab/gone")
    await store.delete("media/ab/gone")
    assert await store.stat("media/ab/gone") is None
    with pytest.raises(BlobMissing):
        await store.open("media/ab/gone")
    with pytest.raises(BlobMissing):
        await store.open("media/ab/gone", 0, 0)


async def test_list_with_prefixes_and_sizes(store):
    blobs = {"media/aa/one": 1, "media/aa/two": 70_000, "media/ab/three": 0, "thumbs/aa/four": 4}
    for key, size in blobs.items():
        await store.put(key, pieces(data(size)))

    async def listed(prefix: str) -> dict[str, int]:
        return {i.key: i.size async for i in store.list(prefix)}

    assert await listed("") == blobs
    assert await listed("media/") == {k: v for k, v in blobs.items() if k.startswith("media/")}
    assert await listed("media/aa/") == {"media/aa/one": 1, "media/aa/two": 70_000}
    assert await listed("nothing/") == {}
    assert all([abs(i.modified - time.time()) < 120 async for i in store.list()])


async def test_link(store):
    blob = data(100_000, seed=6)
    await store.put("media/ab/linked", pieces(blob))
    from chatd.services.media.disposition import content_disposition

    name = "Ünïcode \"report\".pdf"
    url = await store.link("media/ab/linked", seconds=60, filename=name, content_type="application/pdf",
                           disposition=content_disposition(name, "application/zip"))
    if store.kind != "s3":
        assert url is None  # chatd streams (a folder has no URLs; a sealed blob must be decrypted)
        return
    assert SECRET not in url
    async with httpx.AsyncClient() as http:
        r = await http.get(url)
        assert r.status_code == 200 and r.content == blob
        assert r.headers["content-type"] == "application/pdf"
        assert r.headers["content-disposition"].startswith("attachment; filename=\"_n_code _report_.pdf\"")
        assert "filename*=UTF-8''%C3%9Cn%C3%AFcode%20%22report%22.pdf" in r.headers["content-disposition"]
        r = await http.get(url, headers={"Range": "bytes=10-19"})
        assert r.status_code == 206 and r.content == blob[10:20]
        tampered = url.replace("application%2Fpdf", "text%2Fhtml")
        assert tampered != url
        assert (await http.get(tampered)).status_code == 403
        signature = url.rsplit("=", 1)[1]
        forged = url[: -len(signature)] + ("0" if signature[0] != "0" else "1") + signature[1:]
        assert (await http.get(forged)).status_code == 403


async def test_check_creates_the_bucket_and_describes_without_secret(store):
    await store.check()
    assert SECRET not in store.description
    assert store.description.split()[0] in ("folder", "s3", "sealed")


async def _raw_bytes(store: SealedBlobStore, key: str) -> bytes:
    return await read(store.inner, key)


async def test_sealed_hides_the_plaintext(sealed):
    blob = b"attack at dawn, bring snacks. " * 10_000
    await sealed.put("media/ab/secret", pieces(blob))
    stored = await _raw_bytes(sealed, "media/ab/secret")
    assert b"attack at dawn" not in stored and b"bring snacks" not in stored
    assert len(stored) == HEADER + len(blob) + 16 * -(-len(blob) // PLAIN)
    assert (await sealed.inner.stat("media/ab/secret")).size == len(stored)
    assert (await sealed.stat("media/ab/secret")).size == len(blob)


async def _expect_corrupt(sealed, key: str, start: int = 0, end: int | None = None) -> None:
    with pytest.raises(BlobCorrupt):
        await read(sealed, key, start, end)


async def test_sealed_detects_tampering(sealed):
    blob = data(3 * PLAIN + 100, seed=7)
    await sealed.put("media/ab/t", pieces(blob))
    stored = bytearray(await _raw_bytes(sealed, "media/ab/t"))
    flipped = bytearray(stored)
    flipped[HEADER + SEALED + 500] ^= 1  # one bit in chunk 1
    await sealed.inner.put("media/ab/t", pieces(bytes(flipped)))
    await _expect_corrupt(sealed, "media/ab/t")
    await _expect_corrupt(sealed, "media/ab/t", PLAIN + 10, PLAIN + 20)
    assert await read(sealed, "media/ab/t", 0, 100) == blob[:100]  # other chunks still check out

    swapped = stored[:HEADER] + stored[HEADER + SEALED:HEADER + 2 * SEALED] + stored[HEADER:HEADER + SEALED] \
        + stored[HEADER + 2 * SEALED:]
    await sealed.inner.put("media/ab/t", pieces(bytes(swapped)))
    await _expect_corrupt(sealed, "media/ab/t", 0, 10)

    for at in (HEADER - 1, 5, 20, HEADER - 17):  # the nonce prefix; the wrapped data key (its key id, its box)
        other = bytearray(stored)
        other[at] ^= 1
        await sealed.inner.put("media/ab/t", pieces(bytes(other)))
        await _expect_corrupt(sealed, "media/ab/t", 2 * PLAIN, 2 * PLAIN + 1)

    await sealed.inner.put("media/ab/t", pieces(b"plain, never sealed" * 10))
    await _expect_corrupt(sealed, "media/ab/t")


async def test_sealed_detects_truncation(sealed):
    blob = data(3 * PLAIN + 100, seed=8)
    await sealed.put("media/ab/cut", pieces(blob))
    stored = await _raw_bytes(sealed, "media/ab/cut")
    for cut in (HEADER + 3 * SEALED, HEADER + 2 * SEALED, len(stored) - 1, HEADER + SEALED + 9, HEADER + 16, HEADER, 3):
        await sealed.inner.put("media/ab/cut", pieces(stored[:cut]))
        with pytest.raises(BlobCorrupt):
            await read(sealed, "media/ab/cut")

    exact = data(2 * PLAIN, seed=9)  # a multiple of the chunk: cutting a whole chunk must still show
    await sealed.put("media/ab/cut", pieces(exact))
    stored = await _raw_bytes(sealed, "media/ab/cut")
    await sealed.inner.put("media/ab/cut", pieces(stored[:HEADER + SEALED]))
    await _expect_corrupt(sealed, "media/ab/cut")


async def test_sealed_with_another_key_is_refused(sealed):
    await sealed.put("media/ab/k", pieces(b"for the right key only"))
    wrong = SealedBlobStore(sealed.inner, ring(bytes(32)))
    await _expect_corrupt(wrong, "media/ab/k")


async def test_sealed_with_a_rotated_key_opens_with_whichever_key_sealed_it(sealed):
    """Rotation (ASVS 6.4.1, 6.4.2): an envelope's wrapped data key names its
    master key; blobs from before envelopes (version 2 names its key, version
    1 does not: each key is tried) still open; ranges work on all three."""
    old, new = KEY, bytes(range(100, 132))
    blob = data(3 * PLAIN + 77, seed=11)
    await sealed.put("media/ab/v3", pieces(blob))
    stored = await _raw_bytes(sealed, "media/ab/v3")
    assert stored[4] == 3 and stored[5:5 + KEY_ID] == key_id(old) and key_id(old) != key_id(new)
    assert old not in stored and key_id(old) != old[:KEY_ID]
    await put_legacy(sealed.inner, "media/ab/v2", blob, old, version=2)
    await put_legacy(sealed.inner, "media/ab/v1", blob, old, version=1)

    rotated = SealedBlobStore(sealed.inner, ring(new, bytes(32), old))  # the right key last among previous ones
    for key in ("media/ab/v1", "media/ab/v2", "media/ab/v3"):
        assert await read(rotated, key) == blob
        assert await read(rotated, key, PLAIN - 5, PLAIN + 5) == blob[PLAIN - 5:PLAIN + 5]
        assert await read(rotated, key, 2 * PLAIN + 3, 3 * PLAIN + 50) == blob[2 * PLAIN + 3:3 * PLAIN + 50]
        assert (await rotated.stat(key)).size == len(blob)
        assert not await rotated.sealed_with_current(key)
    await rotated.put("media/ab/new", pieces(blob))
    assert (await _raw_bytes(sealed, "media/ab/new"))[5:5 + KEY_ID] == key_id(new)
    assert await rotated.sealed_with_current("media/ab/new")
    assert await read(rotated, "media/ab/new", PLAIN + 1, PLAIN + 2) == blob[PLAIN + 1:PLAIN + 2]
    await _expect_corrupt(sealed, "media/ab/new")  # the old key alone does not open the new one

    # Re-wrapping moves an envelope to the new key without touching its chunks.
    assert not await rotated.rewrap("media/ab/v2", "media/ab/v2.copy")  # no data key: sealed anew instead
    assert await rotated.rewrap("media/ab/v3", "media/ab/v3.copy")
    copied = await _raw_bytes(sealed, "media/ab/v3.copy")
    assert copied[HEADER:] == stored[HEADER:] and copied[5:5 + KEY_ID] == key_id(new)
    assert await rotated.sealed_with_current("media/ab/v3.copy")
    assert await read(SealedBlobStore(sealed.inner, ring(new)), "media/ab/v3.copy") == blob

    # Only the new key: the old blobs fail at open(), before a byte (the download can still answer 404).
    only_new = SealedBlobStore(sealed.inner, ring(new))
    for key in ("media/ab/v1", "media/ab/v2", "media/ab/v3"):
        with pytest.raises(BlobCorrupt):
            await only_new.open(key)
        with pytest.raises(BlobCorrupt):
            await only_new.open(key, 2 * PLAIN, 2 * PLAIN + 10)

    # A key id changed to name the other configured key: authentication still fails.
    for name, at in (("media/ab/v2", 5), ("media/ab/v3", 5)):
        renamed = bytearray(await _raw_bytes(sealed, name))
        renamed[at:at + KEY_ID] = key_id(new)
        await sealed.inner.put(name, pieces(bytes(renamed)))
        await _expect_corrupt(rotated, name)
        await _expect_corrupt(rotated, name, PLAIN, PLAIN + 1)


async def test_sealed_range_reads_only_the_chunks_it_needs(sealed):
    blob = data(5 * PLAIN, seed=10)
    await sealed.put("media/ab/r", pieces(blob))
    asked: list[tuple[int, int | None]] = []
    inner_open = sealed.inner.open

    async def recording_open(key, start=0, end=None):
        asked.append((start, end))
        return await inner_open(key, start, end)

    sealed.inner.open = recording_open
    assert await read(sealed, "media/ab/r", 3 * PLAIN + 5, 3 * PLAIN + 10) == blob[3 * PLAIN + 5:3 * PLAIN + 10]
    assert asked == [(0, HEADER), (HEADER + 3 * SEALED, HEADER + 4 * SEALED)]
    asked.clear()
    assert await read(sealed, "media/ab/r", 10, PLAIN + 1) == blob[10:PLAIN + 1]
    assert asked == [(0, HEADER), (HEADER, HEADER + 2 * SEALED)]


async def test_a_cancelled_put_leaves_nothing(store):
    """A client that disconnects mid-upload cancels the put."""
    started = asyncio.Event()

    async def endless() -> AsyncIterator[bytes]:
        block = data(100_000, seed=11)
        for i in range(10_000):
            if i * len(block) > PART + PART // 2:  # past one S3 part: a multipart upload is open
                started.set()
            yield block
            await asyncio.sleep(0)

    put = asyncio.ensure_future(store.put("media/ab/cancelled", endless()))
    await asyncio.wait_for(started.wait(), 60)
    put.cancel()
    with pytest.raises(asyncio.CancelledError):
        await put
    assert await _multipart_uploads(store) == []
    assert await store.stat("media/ab/cancelled") is None


async def test_s3_put_reads_the_source_at_most_a_part_ahead():
    """The pipe's bound: with nobody reading, the source is left alone after AHEAD blocks."""
    pipe = _Pipe(asyncio.get_running_loop())
    read = 0

    async def source() -> AsyncIterator[bytes]:
        nonlocal read
        for _ in range(10 * AHEAD):
            read += BLOCK
            yield bytes(BLOCK)

    feeding = asyncio.ensure_future(pipe.feed(source()))
    await asyncio.sleep(0.5)
    assert not feeding.done() and read <= (AHEAD + 1) * BLOCK
    assert len(await asyncio.to_thread(pipe.read, 3 * BLOCK)) == 3 * BLOCK  # frees three slots
    await asyncio.sleep(0.2)
    assert read <= (AHEAD + 4) * BLOCK
    feeding.cancel()
    with pytest.raises(OSError):
        await asyncio.to_thread(pipe.read, 100 * BLOCK)  # the reader learns the source failed


class CountingRing(LocalKeyRing):
    """A real in-process ring that counts what it is asked (the key process
    would get one round trip per call)."""

    def __init__(self, *keys: bytes):
        super().__init__(media_keys=list(keys))
        self.calls: list[str] = []

    async def new_data_key(self):
        self.calls.append("new_data_key")
        return await super().new_data_key()

    async def unwrap(self, wrapped):
        self.calls.append("unwrap")
        return await super().unwrap(wrapped)

    async def open_legacy(self, version, prefix, nonce, sealed):
        self.calls.append("open_legacy")
        return await super().open_legacy(version, prefix, nonce, sealed)


async def test_an_envelope_costs_one_key_call_per_blob_not_per_chunk(sealed):
    """ASVS 6.4.2 without a round trip per 64 KiB: a write asks for one data
    key, a read (whole or a range over chunks) unwraps it once."""
    ring = CountingRing(KEY)
    counted = SealedBlobStore(sealed.inner, ring)
    blob = data(6 * PLAIN + 5, seed=12)
    await counted.put("media/ab/env", pieces(blob))
    assert ring.calls == ["new_data_key"]
    ring.calls.clear()
    assert await read(counted, "media/ab/env") == blob
    assert await read(counted, "media/ab/env", PLAIN - 3, 4 * PLAIN + 3) == blob[PLAIN - 3:4 * PLAIN + 3]
    assert ring.calls == ["unwrap", "unwrap"]
    # A blob from before envelopes: each chunk through the ring (until `chatd media reseal` moves it).
    await put_legacy(sealed.inner, "media/ab/old", blob, KEY, version=2)
    ring.calls.clear()
    assert await read(counted, "media/ab/old") == blob
    assert ring.calls == ["open_legacy"] * 7
