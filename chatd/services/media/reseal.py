"""`chatd media reseal` (ASVS 6.4.1): after rotating media.encryption_key,
move every stored blob to the new key so media.previous_encryption_keys
can be dropped: an envelope (version 3) by re-wrapping its data key, its
chunks copied unchanged; a blob sealed before envelopes by sealing it anew
as an envelope (its migration path).

Safe beside a running server and safe to stop: blob by blob, the plaintext
(sha256 noted) is sealed into a copy beside the original (KEY + TEMP),
read back and compared, and only then written over the original, and only
if the original is still there, byte for byte the same header and size, and
still referenced (an attachment row, an avatar in use). The copy written,
the reference is asked again: the janitor removes rows before their bytes,
so a file deleted between the two checks is deleted here too, never brought
back. A blob already under the current key is skipped: running it again
resumes. One reseal at a time (a second one would share the copies).
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Awaitable, Callable, Collection
from dataclasses import dataclass, field

from chatd.services.media import keys
from chatd.storage.ports.attachments import AttachmentStore
from chatd.storage.ports.blobs import BlobCorrupt, BlobMissing, BlobStore, SealingBlobStore

TEMP = ".reseal"  # the copy's suffix: never `.sealed`, so nothing serves it
BATCH = 100
PREFIXES = {"att/": "known", "avatar/": "avatars_in_use"}  # what each kind's references are asked from


@dataclass
class Resealed:
    resealed: int = 0  # moved to the current key
    current: int = 0  # already sealed with it
    gone: int = 0  # deleted (or changed by chatd) meanwhile: left alone
    bytes: int = 0  # plaintext bytes moved
    unreadable: list[str] = field(default_factory=list)  # keys no configured key opens (or tampered)


Progress = Callable[[Resealed], Awaitable[None]]


async def _nothing(done: Resealed) -> None:
    return None


async def reseal(sealed: SealingBlobStore, attachments: AttachmentStore, *, batch: int = BATCH,
                 progress: Progress = _nothing) -> Resealed:
    done = Resealed()
    for prefix, asked in PREFIXES.items():
        in_use = getattr(attachments, asked)
        pending: list[str] = []
        async for info in sealed.inner.list(prefix):
            if info.key.endswith(TEMP):  # left by an interrupted run: its blob is redone below
                await sealed.inner.delete(info.key)
            elif keys.is_sealed(info.key):
                pending.append(info.key)
            if len(pending) >= batch:
                await _batch(sealed, in_use, pending, done)
                await progress(done)
                pending = []
        if pending:
            await _batch(sealed, in_use, pending, done)
            await progress(done)
    return done


async def _batch(sealed: SealingBlobStore, in_use: Callable[[Collection[str]], Awaitable[set[str]]],
                 batch: list[str], done: Resealed) -> None:
    todo = []
    for key in batch:
        try:
            if await sealed.sealed_with_current(key):
                done.current += 1
                continue
        except BlobMissing:
            done.gone += 1
            continue
        todo.append(key)
    if not todo:
        return
    used = await in_use({keys.id_of(key) for key in todo})
    for key in todo:
        if keys.id_of(key) not in used:
            done.gone += 1  # deleted: its bytes go with the janitor's next round, untouched here
            continue
        await _one(sealed, in_use, key, done)


async def _one(sealed: SealingBlobStore, in_use, key: str, done: Resealed) -> None:
    temp = key + TEMP
    try:
        before = await _fingerprint(sealed.inner, key)
        # An envelope gets its data key wrapped anew, its chunks copied as
        # stored (checked by their raw sha256, and the copy's first chunk
        # opened); an older blob is sealed anew (checked by the plaintext's).
        if await sealed.rewrap(key, temp):
            check, expected = _raw_sha256, await _raw_sha256(sealed, key)
            await _collect(await sealed.open(temp, 0, 1))
        else:
            check, digest = _sha256, hashlib.sha256()
            await sealed.put(temp, _hashing(await sealed.open(key), digest))
            expected = digest.digest()
        if await check(sealed, temp) != expected:
            raise BlobCorrupt(f"{key}: the copy sealed with the current key reads back differently")
        if await _fingerprint(sealed.inner, key) != before or keys.id_of(key) not in await in_use([keys.id_of(key)]):
            done.gone += 1  # changed or deleted while copied: the copy goes, the original stays as it is
            return
        # The verified copy, as stored, replaces the original in one step (put is atomic).
        size = await sealed.inner.put(key, await sealed.inner.open(temp))
        if keys.id_of(key) not in await in_use([keys.id_of(key)]):
            # Deleted between the check and the write: the janitor may already
            # have removed the original, so this write must not outlive it.
            await sealed.inner.delete(key)
            done.gone += 1
            return
        if await check(sealed, key) != expected:
            raise BlobCorrupt(f"{key}: the re-sealed blob reads back differently ({size} bytes)")
        done.resealed += 1
        done.bytes += (await sealed.stat(key) or _Zero).size
    except BlobMissing:
        done.gone += 1
    except BlobCorrupt:
        done.unreadable.append(key)
    finally:
        await sealed.inner.delete(temp)


async def _raw_sha256(sealed: SealingBlobStore, key: str) -> bytes:
    return await sealed.stored_digest(key)


async def _collect(chunks: AsyncIterator[bytes]) -> bytes:
    return b"".join([piece async for piece in chunks])


class _Zero:
    size = 0


async def _fingerprint(store: BlobStore, key: str) -> tuple[int, bytes]:
    """Size and header (whose random prefix is new at every write): what
    tells the same stored blob from one written again since."""
    info = await store.stat(key)
    if info is None:
        raise BlobMissing(key)
    head = b"".join([piece async for piece in await store.open(key, 0, 64)])
    return info.size, head


async def _sha256(store: BlobStore, key: str) -> bytes:
    digest = hashlib.sha256()
    async for piece in await store.open(key):
        digest.update(piece)
    return digest.digest()


async def _hashing(chunks: AsyncIterator[bytes], digest) -> AsyncIterator[bytes]:
    async for piece in chunks:
        digest.update(piece)
        yield piece
