"""Blob keys, derived from ids only (never from a filename a user chose).

The last two characters of a ULID are random: they spread blobs over 1,024
folders. A key ending in `.sealed` was encrypted at rest when stored, so
blobs written before and after an admin set media.encryption_key both stay
readable: the key, not the bytes, says how to read it.
"""

from __future__ import annotations

SEALED = ".sealed"


def attachment_key(attachment_id: str, *, sealed: bool) -> str:
    return f"att/{attachment_id[-2:]}/{attachment_id}" + (SEALED if sealed else "")


def thumbnail_key(storage_key: str) -> str:
    base = storage_key.removesuffix(SEALED)
    return base + ".thumb" + (SEALED if is_sealed(storage_key) else "")


def avatar_key(avatar_id: str, *, sealed: bool) -> str:
    return f"avatar/{avatar_id[-2:]}/{avatar_id}" + (SEALED if sealed else "")


def is_sealed(key: str) -> bool:
    return key.endswith(SEALED)


def id_of(key: str) -> str:
    """The ULID a key was made from (its file name up to the first dot)."""
    return key.rsplit("/", 1)[-1].split(".", 1)[0]
