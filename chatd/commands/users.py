"""`chatd user create|list|disable|enable|set-role|reset-second-factor`: account
admin from a shell (the first admin of a server with closed registration
starts here; someone who lost their authenticator and recovery codes too)."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from collections.abc import Awaitable, Callable
from typing import Any

from chatd.config import Config
from chatd.errors import ChatError


def add_parser(sub: Any, with_config: Callable[[str, str], argparse.ArgumentParser]) -> None:
    user = sub.add_parser("user", help="manage accounts", description="manage accounts")
    actions = user.add_subparsers(dest="action", required=True, metavar="ACTION")

    def action(name: str, help: str) -> argparse.ArgumentParser:
        cmd = actions.add_parser(name, help=help, description=help)
        cmd.add_argument("--config", metavar="PATH", help="chatd.toml to read (default: $CHATD_CONFIG or ./chatd.toml)")
        return cmd

    create = action("create", "create an account (password read from the terminal or --password-stdin)")
    create.add_argument("username")
    create.add_argument("--role", choices=["admin", "member", "guest"], default="member")
    create.add_argument("--display-name")
    create.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    action("list", "list accounts")
    for name, help in (("disable", "lock an account out everywhere"), ("enable", "let a disabled account in again")):
        action(name, help).add_argument("username")
    role = action("set-role", "change an account's role")
    role.add_argument("username")
    role.add_argument("role", choices=["admin", "member", "guest"])
    action("reset-second-factor", "turn an account's two-step sign-in off (lost phone and recovery codes)"
           ).add_argument("username")


class NoTerminal(Exception):
    """Asked for a password with nowhere to type it (cron, a pipe, CI)."""


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    if not sys.stdin.isatty():
        raise NoTerminal("no terminal to ask the password on; pipe it in with --password-stdin")
    try:
        first = getpass.getpass("password: ")
        again = getpass.getpass("again: ")
    except (EOFError, KeyboardInterrupt):
        raise NoTerminal("no password given") from None
    if again != first:
        raise ChatError("the two passwords differ")
    return first


async def _with_services(cfg: Config, work: Callable[[Any], Awaitable[int]]) -> int:
    from chatd.runtime import start_runtime

    runtime = await start_runtime(cfg, serving=False)
    try:
        return await work(runtime.services.accounts)
    finally:
        await runtime.close()


def run(cfg: Config, args: argparse.Namespace) -> int:
    async def work(accounts: Any) -> int:
        if args.action == "create":
            user = await accounts.create_user(args.username, password, args.role, args.display_name)
            print(f"created {user.username} ({user.role}) id={user.id}")
        elif args.action == "list":
            for u in await accounts.list_users():
                state = "disabled" if u.disabled else "active"
                print(f"{u.id}  {u.username:<32} {u.role:<7} {state}")
        elif args.action in ("disable", "enable"):
            user = await accounts.set_disabled(args.username, args.action == "disable")
            print(f"{user.username}: {'disabled' if user.disabled else 'enabled'}")
        elif args.action == "reset-second-factor":
            user = await accounts.find_user(args.username)
            done = await accounts.factors.reset(user)
            if done:
                await accounts.activity.record(user.id, "second_factor_disabled", by="operator")
            print(f"{user.username}: two-step sign-in {'turned off' if done else 'was not on'}")
        else:
            user = await accounts.set_role(args.username, args.role)
            print(f"{user.username}: role {user.role}")
        return 0

    try:
        password = _password(args) if args.action == "create" else ""
        return asyncio.run(_with_services(cfg, work))
    except ChatError as err:
        print(f"chatd: {err.detail}", file=sys.stderr)
        return 1
    except NoTerminal as err:
        print(f"chatd: {err}", file=sys.stderr)
        return 2
