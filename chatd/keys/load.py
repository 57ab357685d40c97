"""The in-process ring from a config's keys: the server's by default, the
key process's always (serve.py). The only place raw keys are decoded."""

from __future__ import annotations

from chatd.config import Config
from chatd.config_keys import key_of, previous_keys_of
from chatd.keys.local import LocalKeyRing


def _current_first(current: bytes | None, previous: list[bytes]) -> list[bytes]:
    return [] if current is None else [current] + [k for k in previous if k != current]


def factor_keys(config: Config) -> list[bytes]:
    """auth.second_factor_key, then auth.second_factor_previous_keys (they only open)."""
    key = key_of(config.auth.second_factor_key, "auth.second_factor_key")
    return _current_first(key, previous_keys_of(config.auth.second_factor_previous_keys,
                                                "auth.second_factor_previous_keys", key, "auth.second_factor_key"))


def media_keys(config: Config) -> list[bytes]:
    """media.encryption_key, then media.previous_encryption_keys (they only open)."""
    key = key_of(config.media.encryption_key, "media.encryption_key")
    return _current_first(key, previous_keys_of(config.media.previous_encryption_keys,
                                                "media.previous_encryption_keys", key, "media.encryption_key"))


def local_ring(config: Config, pepper: bytes | None = None) -> LocalKeyRing:
    return LocalKeyRing(pepper=pepper, factor_keys=factor_keys(config), media_keys=media_keys(config))
