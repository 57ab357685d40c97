"""A store's secret (its URL with the password) that may change while chatd
runs (ASVS 2.10.1, 6.4.1): when it came from a file (`<key>_file`,
`CHATD_..._FILE`, a systemd credential; what Vault Agent, a Kubernetes
secret or `systemd-creds` render), every new connection reads the file
again, so a rotated password reaches new connections without a restart and
connections already open keep working until they close.

A file that cannot be used at that moment (missing mid-rename, made
world-readable, empty, another kind of URL) keeps the last good value and
says so once a minute (per reason) on `chatd.storage`; the value itself is never logged.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from pathlib import Path

from chatd.config import Config
from chatd.secret_files import SecretFileError, read_secret

log = logging.getLogger("chatd.storage")
WARN_EVERY_SECONDS = 60.0


class LiveSecret:
    def __init__(self, key: str, value: str, path: Path | None, accept: Callable[[str], bool] = lambda _: True):
        self.key, self.value, self.path = key, value, path
        self._accept = accept  # what the key allows (the same kind of URL); else the last good value stays
        self._seen: tuple[int, int, int] | None = None  # the file's (inode, size, mtime) last read
        self._warned: dict[str, float] = {}  # when each reason was last said

    @property
    def from_file(self) -> bool:
        return self.path is not None

    def current(self) -> str:
        """The secret now: the file's text if it changed since the last read
        (one stat() when it did not), else the value already known."""
        if self.path is None:
            return self.value
        try:
            st = os.stat(self.path)
            seen = (st.st_ino, st.st_size, st.st_mtime_ns)
            if seen == self._seen:
                return self.value
            value = read_secret(self.path, f"{self.key}_file = {str(self.path)!r}")
            if not self._accept(value):
                raise SecretFileError(f"{self.key}_file = {str(self.path)!r}: not the kind of value {self.key} holds")
        except FileNotFoundError:  # e.g. between a secrets manager's delete and write
            self._warn(f"{self.key}_file = {str(self.path)!r}: no such file")
            return self.value
        except (OSError, SecretFileError) as err:
            self._warn(str(err) if isinstance(err, SecretFileError) else f"{self.key}_file = {str(self.path)!r}: {err}")
            return self.value
        if value != self.value:
            log.info("%s: a new value from %s is used for new connections", self.key, self.path)
        self.value, self._seen = value, seen
        return value

    def _warn(self, why: str) -> None:
        now = time.monotonic()
        if now - self._warned.get(why, -WARN_EVERY_SECONDS) >= WARN_EVERY_SECONDS:
            self._warned[why] = now
            log.warning("%s; new connections keep using the value read before", why)


def live(config: Config, key: str, accept: Callable[[str], bool] = lambda _: True) -> LiveSecret:
    """`key` ("storage.database") of `config`, re-read from its file when it has one."""
    section, _, name = key.partition(".")
    return LiveSecret(key, getattr(getattr(config, section), name), config.secret_file(key), accept)


def live_url(config: Config, key: str) -> Callable[[], str] | None:
    """What asks for `key`'s URL at each new connection when it came from a
    file; None when it did not (nothing to re-read). The file must keep the
    same kind of URL (a postgresql:// one cannot turn into sqlite:///)."""
    if config.secret_file(key) is None:
        return None
    scheme = getattr(config.storage, key.partition(".")[2]).partition("://")[0]
    return live(config, key, accept=lambda value: value.partition("://")[0] == scheme).current
