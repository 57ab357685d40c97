"""Which store reads a key: the plain blob store, or the same store
encrypting at rest for keys that end in `.sealed` (keys.py). One rule for
attachments and avatars alike."""

from __future__ import annotations

import logging

from chatd.errors import StorageFailed
from chatd.services.media import keys
from chatd.storage.ports.blobs import BlobStore

log = logging.getLogger("chatd.media")


def store_for(key: str, plain: BlobStore, sealed: BlobStore | None) -> BlobStore:
    if not keys.is_sealed(key):
        return plain
    if sealed is None:
        # The admin removed the key: the file exists but cannot be read. Say so
        # to the admin; the user gets a 503, not a stack trace.
        log.error("media: %s is encrypted at rest but media.encryption_key is not set", key)
        raise StorageFailed("This file is stored encrypted and the server has no key for it.",
                            code="media_key_missing")
    return sealed
