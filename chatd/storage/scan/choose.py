"""The upload scanner [media] asks for, checked at start: a scan_command
whose program is not there stops the server (and `chatd check-config`)
with one line, instead of refusing every upload later. A clamd socket is
not asked at start: clamd may come up after chatd, and until it answers
uploads get 503 scanner_unavailable."""

from __future__ import annotations

import os
import shlex
import shutil

from chatd.config import Config, ConfigError
from chatd.storage.ports.scanner import Scanner


def open_scanner(config: Config) -> Scanner | None:
    m = config.media
    if m.scan_command and m.scan_clamd:
        raise ConfigError("media.scan_command and media.scan_clamd are both set: choose one scanner")
    if m.scan_command:
        try:
            argv = shlex.split(m.scan_command)
        except ValueError as err:
            raise ConfigError(f"media.scan_command = {m.scan_command!r}: {err}") from None
        if not argv:
            raise ConfigError(f"media.scan_command = {m.scan_command!r}: no program to run")
        program = shutil.which(argv[0])
        if program is None or not os.access(program, os.X_OK):
            raise ConfigError(f"media.scan_command = {m.scan_command!r}: {argv[0]} is not an executable program "
                              "here (install it, e.g. apt-get install clamdscan, or give its full path)")
        from chatd.storage.scan.command import CommandScanner

        return CommandScanner(m.scan_command)
    if m.scan_clamd:
        from chatd.storage.scan.clamd import ClamdScanner, parse_address

        try:
            parse_address(m.scan_clamd)
        except ValueError as err:
            raise ConfigError(f"media.scan_clamd = {m.scan_clamd!r}: {err}") from None
        return ClamdScanner(m.scan_clamd)
    return None
