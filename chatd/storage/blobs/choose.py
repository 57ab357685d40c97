"""Pick the blob store `storage.media` names: the one place that knows them."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

import msgspec

from chatd.config import Config, ConfigError
from chatd.config_keys import key_of, previous_keys_of
from chatd.config import redact_url as redact
from chatd.storage.ports.blobs import BlobStore


class S3Location(msgspec.Struct, frozen=True):
    endpoint: str  # host:port
    access_key: str
    secret_key: str
    bucket: str


def parse_s3_url(url: str) -> S3Location:
    """s3://key:secret@host:port/bucket (key and secret percent-encoded)."""
    parts = urlsplit(url)
    bucket = parts.path.strip("/")
    if parts.scheme != "s3" or not parts.hostname or not bucket or "/" in bucket:
        raise ConfigError(f"storage.media = {redact(url)!r}: expected s3://key:secret@host:port/bucket")
    if not parts.username or not parts.password:
        raise ConfigError(f"storage.media = {redact(url)!r}: the URL needs key:secret@ before the host")
    host = parts.hostname if parts.port is None else f"{parts.hostname}:{parts.port}"
    return S3Location(host, unquote(parts.username), unquote(parts.password), bucket)


def media_key(config: Config) -> bytes | None:
    """The at-rest encryption key from media.encryption_key, or None."""
    return key_of(config.media.encryption_key, "media.encryption_key")


def previous_media_keys(config: Config) -> list[bytes]:
    """media.previous_encryption_keys, decoded (rotation: they only open)."""
    return previous_keys_of(config.media.previous_encryption_keys, "media.previous_encryption_keys",
                            media_key(config), "media.encryption_key")


def open_blob_store(config: Config, url: str | None = None) -> BlobStore:
    """The store for `url` (default: storage.media), plain: sealing happens per
    blob, by key (services/media/keys.py), so old plain blobs stay readable."""
    url = url or config.storage.media
    if url.startswith("file://"):
        from chatd.storage.blobs.folder import FolderBlobStore

        return FolderBlobStore(Path(url.removeprefix("file:///")))
    if url.startswith("s3://"):
        from chatd.storage.blobs.s3 import S3BlobStore

        from chatd.live_secret import live_url

        m = config.media
        # storage.media from a file: its key and secret are read again as they change (live_secret.py).
        url_now = live_url(config, "storage.media") if url == config.storage.media else None
        return S3BlobStore(parse_s3_url(url), secure=m.s3_tls, region=m.s3_region, url_now=url_now)
    raise ConfigError(f"storage.media = {redact(url)!r}: expected file:///path or s3://key:secret@host:port/bucket")
