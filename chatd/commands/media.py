"""`chatd media ACTION`: the admin's tools for attachment bytes.

Each action is one function registered with @action (its help, its own
arguments); `--config` comes with every one of them.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import sys
import time
from collections.abc import Callable
from typing import Any

from chatd.storage.ports.blobs import BlobInfo

Run = Callable[[argparse.Namespace], int]
_ACTIONS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None], Run]] = {}
TO_ENV = "CHATD_MEDIA_TO"  # the target URL, kept out of `ps` and shell history


def action(name: str, help: str, arguments: Callable[[argparse.ArgumentParser], None] = lambda cmd: None):
    def register(run: Run) -> Run:
        _ACTIONS[name] = (help, arguments, run)
        return run
    return register


def add_parser(sub: Any) -> None:
    media = sub.add_parser("media", help="manage attachment storage", description="manage attachment storage")
    actions = media.add_subparsers(dest="action", required=True, metavar="ACTION")
    for name, (help, arguments, _) in _ACTIONS.items():
        cmd = actions.add_parser(name, help=help, description=help)
        cmd.add_argument("--config", metavar="PATH", help="chatd.toml to read (default: $CHATD_CONFIG or ./chatd.toml)")
        arguments(cmd)


def run(args: argparse.Namespace) -> int:
    return _ACTIONS[args.action][2](args)


@action("keygen", "print a new random key for media.encryption_key (base64 of 32 bytes)")
def keygen(args: argparse.Namespace) -> int:
    print(base64.b64encode(os.urandom(32)).decode())
    print("put it in chatd.toml under [media] as encryption_key = \"...\" (or CHATD_MEDIA__ENCRYPTION_KEY); "
          "keep a copy: without it encrypted media cannot be read", file=sys.stderr)
    return 0


def _migrate_arguments(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("--to", metavar="URL", help=f"file:///path or s3://key:secret@host:port/bucket "
                     f"(default: ${TO_ENV}); s3 uses media.s3_tls and media.s3_region from the config")


@action("migrate", "copy every blob to another store, verified; run again to resume", _migrate_arguments)
def migrate(args: argparse.Namespace) -> int:
    from chatd import config as config_module
    from chatd.storage.blobs.choose import redact

    cfg = config_module.load(args.config)
    url = args.to or os.environ.get(TO_ENV, "")
    if not url:
        print(f"chatd: media migrate needs --to URL (or ${TO_ENV})", file=sys.stderr)
        return 2
    status, source = copy_media(cfg, url)
    if status:
        return status
    # A secret typed on the command line is the admin's own; one from the environment stays hidden.
    shown = url if args.to else redact(url)
    print("To switch, set this under [storage] in chatd.toml and restart chatd:")
    print(f"media = {json.dumps(shown)}")
    print(f"The source ({source}) is unchanged: remove it yourself once chatd runs on the new store.")
    return 0


def copy_media(cfg: Any, url: str, prefix: str = "") -> tuple[int, str]:
    """Copy every blob from the config's media store to `url` with a progress
    bar; prints what went across. Returns (exit status, the source's description).
    Also the media step of `chatd migrate-data --media-to`."""
    from chatd.services.media.blob_copy import CopyFailed, copy_blobs
    from chatd.storage.blobs.choose import open_blob_store

    source, target = open_blob_store(cfg), open_blob_store(cfg, url)
    print(f"copying {prefix}{source.description} -> {target.description}", file=sys.stderr)

    async def work():
        try:
            return await copy_blobs(source, target, Bar(sys.stderr))
        finally:
            await source.close()
            await target.close()

    try:
        report = asyncio.run(work())
    except ValueError as err:
        print(f"chatd: {err}: nothing to do", file=sys.stderr)
        return 2, source.description
    except CopyFailed as err:
        print(f"chatd: {err}; run again to retry (the source is untouched)", file=sys.stderr)
        return 1, source.description
    except KeyboardInterrupt:
        print("\nchatd: interrupted; run the same command again to resume", file=sys.stderr)
        return 130, source.description
    except Exception as err:  # the store's own error (unreachable, refused): its words, no traceback
        print(f"chatd: copying failed: {type(err).__name__}: {err}; run again to resume", file=sys.stderr)
        return 1, source.description
    print(f"{prefix}copied {report.copied} blob(s) ({report.bytes / 1e6:.1f} MB), {report.skipped} already there; "
          "every copy verified (sha256).")
    return 0, source.description


class Bar:
    """Progress on stderr: one redrawn line on a terminal, plain lines (at most
    one a second) in a log."""

    def __init__(self, out):
        self.out = out
        self.tty = out.isatty()
        self.count = self.size = self.blobs = self.bytes = 0
        self.started = self.shown = time.monotonic()

    def start(self, count: int, size: int) -> None:
        self.count, self.size = count, size
        self.started = time.monotonic()
        self._show(force=True)

    def moved(self, n: int) -> None:
        self.bytes += n
        self._show()

    def done(self, info: BlobInfo, skipped: bool) -> None:
        self.blobs += 1
        self._show(force=self.blobs == self.count)
        if self.tty and self.blobs == self.count:
            self.out.write("\n")

    def _show(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self.shown < (0.1 if self.tty else 1.0):
            return
        self.shown = now
        rate = self.bytes / max(now - self.started, 1e-6) / 1e6
        text = (f"{self.blobs}/{self.count} blobs, {self.bytes / 1e6:.1f}/{self.size / 1e6:.1f} MB, "
                f"{rate:.1f} MB/s")
        if self.tty:
            filled = int(30 * self.bytes / self.size) if self.size else 30
            self.out.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {text}\x1b[K")
        else:
            self.out.write(text + "\n")
        self.out.flush()


def _reseal_arguments(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("--batch", type=int, default=100, metavar="N", help="blobs looked at per step (default 100)")


@action("reseal", "seal every stored blob with media.encryption_key, so media.previous_encryption_keys can be "
                  "dropped; safe beside a running server, run again to resume", _reseal_arguments)
def reseal(args: argparse.Namespace) -> int:
    from chatd import config as config_module
    from chatd.commands import media_reseal

    return media_reseal.run(config_module.load(args.config), max(1, args.batch))


@action("gc", "remove now what the hourly media sweep would: unsent uploads, deleted messages' files, "
              "expired and orphaned blobs")
def gc(args: argparse.Namespace) -> int:
    from chatd import config as config_module
    from chatd.commands import media_upkeep

    return media_upkeep.gc(config_module.load(args.config))


@action("stats", "attachments and bytes stored, by type, and what the store holds")
def stats(args: argparse.Namespace) -> int:
    from chatd import config as config_module
    from chatd.commands import media_upkeep

    return media_upkeep.stats(config_module.load(args.config))
