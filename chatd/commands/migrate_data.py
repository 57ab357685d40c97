"""`chatd migrate-data --to URL [--messages-to URL] [--media-to URL]`: copy
everything from the stores chatd.toml names to new ones, verify it, and
print the chatd.toml lines that switch to them. The source is only read;
run it again after an interruption and it resumes."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any

from chatd.config import Config, redact_url

TO_ENV, MESSAGES_ENV, MEDIA_ENV = "CHATD_DATA_TO", "CHATD_DATA_MESSAGES_TO", "CHATD_MEDIA_TO"


def add_parser(sub: Any, with_config: Any) -> None:
    cmd = with_config("migrate-data", "copy all data to other stores (PostgreSQL, MongoDB, S3, SQLite), verified")
    cmd.add_argument("--to", metavar="URL", help=f"the new storage.database: sqlite:///path or postgresql://... "
                     f"(default: ${TO_ENV})")
    cmd.add_argument("--messages-to", metavar="URL", help="the new storage.messages: mongodb://... or 'database' "
                     f"(default: 'database', the conversation side in --to; or ${MESSAGES_ENV})")
    cmd.add_argument("--media-to", metavar="URL", help=f"also copy attachment bytes: s3://... or file:///... "
                     f"(default: ${MEDIA_ENV}, else they stay where they are)")
    cmd.add_argument("--overwrite-target", action="store_true",
                     help="delete what the target holds first (default: refuse a target that holds chatd data)")
    cmd.add_argument("--batch", type=int, default=1000, help="rows per transaction (default 1000)")


def _same_store(a: str, b: str) -> bool:
    if a.startswith("sqlite:///") and b.startswith("sqlite:///"):
        return Path(a.removeprefix("sqlite:///")).resolve() == Path(b.removeprefix("sqlite:///")).resolve()
    return a == b


def _targets(cfg: Config, args: argparse.Namespace) -> tuple[str, str, str]:
    to = args.to or os.environ.get(TO_ENV, "")
    messages = args.messages_to or os.environ.get(MESSAGES_ENV, "") or "database"
    media = args.media_to or os.environ.get(MEDIA_ENV, "")
    if not to.startswith(("sqlite:///", "postgresql://", "postgres://")):
        raise ValueError(f"--to must be sqlite:///path or postgresql://... (got {redact_url(to) or 'nothing'})")
    if messages != "database" and not messages.startswith(("mongodb://", "mongodb+srv://")):
        raise ValueError(f"--messages-to must be mongodb://... or 'database' (got {redact_url(messages)})")
    if _same_store(to, cfg.storage.database) or (messages != "database" and messages == cfg.storage.messages):
        raise ValueError("the target is the store chatd.toml already uses: nothing to copy")
    return to, messages, media


def run(cfg: Config, args: argparse.Namespace) -> int:
    from chatd.commands.data_progress import DataBar
    from chatd.services.data_move.copy import NotReady, VerifyFailed, move_data
    from chatd.storage.data_move_open import open_source, open_target
    from chatd.storage.ports.data_move import NotEmpty
    from chatd.storage.sql.data_source import SourceInUse

    try:
        to, messages, media = _targets(cfg, args)
    except ValueError as err:
        print(f"chatd: {err}", file=sys.stderr)
        return 2
    from chatd.storage.tls_policy import refuse_unverified

    # The targets get the same TLS rules as the stores chatd.toml names.
    refuse_unverified(cfg, [("--to", to)] + ([("--messages-to", messages)] if messages != "database" else []))
    source_id = f"{redact_url(cfg.storage.database)} + messages {redact_url(cfg.storage.messages)}"
    bar = DataBar(sys.stderr)

    async def work():
        source = await open_source(cfg.storage.database, cfg.storage.messages)
        try:
            target = await open_target(to, messages)
            try:
                print(f"copying {', '.join(s.description for s in source.sides)} -> "
                      f"{', '.join(s.description for s in target.sides)}", file=sys.stderr)
                return await move_data(source, target, bar, source_id=source_id, overwrite=args.overwrite_target,
                                       batch=args.batch)
            finally:
                await target.close()
        finally:
            await source.close()

    try:
        tallies, resumed = asyncio.run(work())
    except SourceInUse as err:
        print(f"chatd: the source is in use: {err}", file=sys.stderr)
        return 2
    except NotEmpty as err:
        print(f"chatd: {err}; refusing to mix data (--overwrite-target deletes it first)", file=sys.stderr)
        return 2
    except NotReady as err:
        print(f"chatd: {err}", file=sys.stderr)
        return 2
    except VerifyFailed as err:
        print(f"chatd: {err}; run again to resume, or --overwrite-target to start over", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nchatd: interrupted; run the same command again to resume (the source is untouched)", file=sys.stderr)
        return 130
    except Exception as err:  # a store's own error (unreachable, refused): its words, no traceback
        print(f"chatd: copying failed: {type(err).__name__}: {err}; run again to resume", file=sys.stderr)
        return 1
    bar.end_verify()
    print(f"{'resumed and ' if resumed else ''}copied and verified (rows, sha256 of each collection):")
    for name, t in tallies.items():
        print(f"  {name:<16} {t.count:>10,}  {t.sha256[:16]}")
    if media:
        from chatd.commands.media import copy_media

        status, _ = copy_media(cfg, media, prefix="media: ")
        if status:
            return status
    print("To switch, stop chatd, set these under [storage] in chatd.toml, and start it again:")
    print(f"database = {json.dumps(to)}")
    print(f"messages = {json.dumps(messages)}")
    if media:
        print(f"media = {json.dumps(media if args.media_to else redact_url(media))}")
    print("The old stores are unchanged: remove them yourself once chatd runs on the new ones.")
    return 0
