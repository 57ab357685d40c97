"""`chatd talk USERNAME --with OTHER`: log in and chat in this terminal.

The password is asked on the terminal, read as the first line of standard
input (--password-stdin), or skipped when CHATD_TOKEN holds a session or
personal API token.

Where the server has end-to-end encryption on, this terminal is a device:
its private keys live in $CHATD_CONFIG_DIR (else ~/.config/chatd)/e2ee, 0600.
`--restore` asks for the recovery passphrase (the next line of standard
input with --password-stdin) and brings back the keys of earlier devices.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys

# chatd.client (httpx, websockets) is imported only when talking: this
# module is loaded for every `chatd` command, `serve` included.


def add_parser(sub: argparse._SubParsersAction) -> None:
    help = "chat in this terminal: one conversation, live"
    talk = sub.add_parser("talk", help=help, description=help)
    talk.add_argument("username", help="who you are")
    which = talk.add_mutually_exclusive_group(required=True)
    which.add_argument("--with", dest="peer", metavar="USERNAME", help="the direct conversation with this user "
                       "(opened if needed)")
    which.add_argument("--conversation", metavar="ID", help="a conversation you are a member of")
    talk.add_argument("--url", default=os.environ.get("CHATD_URL", "http://127.0.0.1:8080"),
                      help="the server (default: $CHATD_URL or http://127.0.0.1:8080)")
    talk.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    talk.add_argument("--history", type=int, default=20, help="earlier messages to show first (1-200, default 20)")
    talk.add_argument("--e2ee", action="store_true", help="with --with: start the direct conversation end-to-end "
                      "encrypted (when it does not exist yet; the server's e2ee_default flag may make that the default)")
    talk.add_argument("--restore", action="store_true", help="restore your keys from your key backup first "
                      "(asks for the recovery passphrase) to read history sent to your earlier devices")


def run(args: argparse.Namespace) -> int:
    if not 1 <= args.history <= 200:
        print("chatd talk: --history must be 1 to 200", file=sys.stderr)
        return 2
    import httpx

    from chatd.client import ChatdError, ConnectionLost

    token = os.environ.get("CHATD_TOKEN")
    password = None if token else _password(args.password_stdin)
    args.recovery = _secret(args.password_stdin, "recovery passphrase: ") if args.restore else None
    try:
        return asyncio.run(_talk(args, token, password))
    except (ChatdError, ConnectionLost) as err:
        print(f"chatd talk: {err}", file=sys.stderr)
        return 1
    except (httpx.HTTPError, OSError) as err:
        print(f"chatd talk: cannot reach {args.url}: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def _password(from_stdin: bool) -> str:
    return _secret(from_stdin, "password: ")


def _secret(from_stdin: bool, prompt: str) -> str:
    if not from_stdin:
        return getpass.getpass(prompt)
    # Byte by byte: what follows the password stays unread for the chat.
    line = b""
    while not line.endswith(b"\n"):
        ch = os.read(sys.stdin.fileno(), 1)
        if not ch:
            break
        line += ch
    return line.decode().rstrip("\r\n")


async def _talk(args: argparse.Namespace, token: str | None, password: str | None) -> int:
    from chatd.client import Client
    from chatd.client.e2ee import E2ee
    from chatd.talk.secure import restore
    from chatd.talk.session import Talk

    async with Client(args.url, token=token) as client:
        # With two-step sign-in on, the code is asked for (a line on stdin with --password-stdin).
        code = lambda: _secret(args.password_stdin, "code from your authenticator app: ")  # noqa: E731
        me = await client.me() if token else (await client.login_with_code(args.username, password or "", code)).user
        if args.peer:
            matches = [u for u in await client.users(args.peer) if u.username == args.peer.lower()]
            if not matches:
                print(f"chatd talk: no user named {args.peer!r}", file=sys.stderr)
                return 1
            conversation = await client.create_direct(matches[0].id, e2ee=True if args.e2ee else None)
            if args.e2ee and not conversation.e2ee:
                # Switching an existing conversation on cannot be undone: not done behind the user's back.
                print(f"chatd talk: your direct conversation with {args.peer} already exists, unencrypted; "
                      "--e2ee only applies to a new one", file=sys.stderr)
                return 1
        else:
            conversation = await client.conversation(args.conversation)
        features = (await client.call("GET", "/me/features"))["features"]
        e2ee = await E2ee.start(client) if features.get("e2ee") or conversation.e2ee else None
        if args.recovery is not None:
            if e2ee is None:
                print("chatd talk: end-to-end encryption is off on this server: nothing to restore", file=sys.stderr)
                return 1
            if not await restore(e2ee, args.recovery, print):
                return 1
        return await Talk(client, conversation, me.id, e2ee).run(args.history)
