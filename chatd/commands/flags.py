"""`chatd flags list|set`: feature flags from a shell.

The state is stored in the database, so it outlives restarts; a running
server notices within a few seconds (realtime/flag_watch.py) and tells its
connected clients.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable
from typing import Any

from chatd.config import Config
from chatd.errors import ChatError


def add_parser(sub: Any, with_config: Callable[[str, str], argparse.ArgumentParser]) -> None:
    flags = sub.add_parser("flags", help="list or change feature flags", description="list or change feature flags")
    actions = flags.add_subparsers(dest="action", required=True, metavar="ACTION")
    for name, help in (("list", "every flag, its state and where it comes from"), ("set", "change a flag now")):
        cmd = actions.add_parser(name, help=help, description=help)
        cmd.add_argument("--config", metavar="PATH", help="chatd.toml to read (default: $CHATD_CONFIG or ./chatd.toml)")
        if name == "set":
            cmd.add_argument("name")
            cmd.add_argument("state", help="on, off or a percentage of users like 10%%")
            cmd.add_argument("--users", default="", help="also on for these users (ids or usernames, comma-separated)")
            cmd.add_argument("--roles", default="", help="also on for these roles (admin, member, guest)")


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _line(view: Any) -> str:
    extra = "".join(f" +{k}={','.join(v)}" for k, v in (("users", view.users), ("roles", view.roles)) if v)
    return f"{view.name:<10} {view.state:<6}{extra}  ({view.source})  {view.description}"


def run(cfg: Config, args: argparse.Namespace) -> int:
    from chatd.domain.flags import FlagState, parse_label

    async def work() -> int:
        from chatd.runtime import start_runtime

        runtime = await start_runtime(cfg, serving=False)
        try:
            features = runtime.services.features
            if args.action == "list":
                for view in features.describe():
                    print(_line(view))
            else:
                state = FlagState(percent=parse_label(args.state), users=_split(args.users), roles=_split(args.roles))
                print(_line(await features.set(args.name, state, actor=None)))
            return 0
        finally:
            await runtime.close()

    try:
        return asyncio.run(work())
    except ValueError as err:
        print(f"chatd: {err}", file=sys.stderr)
        return 2
    except ChatError as err:
        print(f"chatd: {err.detail}", file=sys.stderr)
        return 1
