"""Issue 14: idle RSS "after a login and a few requests, not only at start".

An account is made while the first server runs (a sign-up loads the
password-strength lists, which a restarted server has not loaded); after the
restart it signs in and does what a client does on opening: its profile,
flags, contacts and conversations, a new group, a send and the history page.
"""

from __future__ import annotations

import secrets

from chatd.client import Client

PASSWORD = "bench after-login password 1234"


async def make_account(url: str) -> str:
    username = f"login_{secrets.token_hex(4)}"
    async with Client(url, trust_env=False) as client:
        await client.register(username, PASSWORD)
    return username


async def login_and_browse(url: str, username: str) -> None:
    async with Client(url, trust_env=False) as client:
        await client.login(username, PASSWORD)
        await client.me()
        await client.call("GET", "/me/features")
        await client.contacts()
        await client.conversations()
        group = await client.create_group("after login", [])
        await client.send(group.id, "hello")
        await client.messages(group.id)
