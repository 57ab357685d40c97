"""`Client`: the whole HTTP API plus WebSockets for the same server and user."""

from __future__ import annotations

from typing import Any

from chatd.client.accounts import AccountsApi
from chatd.client.chats import ChatsApi
from chatd.client.media import MediaApi
from chatd.client.second_factor import SecondFactorApi
from chatd.client.socket import Connection


class Client(AccountsApi, ChatsApi, MediaApi, SecondFactorApi):
    """`async with Client("http://127.0.0.1:8080") as c:`; `register`/`login`
    keep the token, or pass `token=` (e.g. a personal API token for a bot)."""

    async def __aenter__(self) -> "Client":
        return self

    def connect(self, since: str | None = None, **options: Any) -> Connection:
        """A WebSocket for this user (not yet open: `async with` or `await
        .open()`). `since` resumes after a cursor; options: see Connection."""
        if not self.token:
            raise ValueError("log in (or pass token=) before connecting")
        return Connection(self.base_url, self.token, since=since, **options)

    async def ready(self) -> bool:
        """Whether the server answers /readyz with 200."""
        response = await self.http.get("/readyz")
        return response.status_code == 200
