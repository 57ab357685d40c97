"""The benchmark's users, conversations and sockets, created through the
public API with the Python client, many at a time."""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, TypeVar

import httpx

from chatd.client import Client, Connection
from chatd.client.http import no_cookies
from chatd.client.models import Frame

T = TypeVar("T")
PASSWORD = "bench password 1234"
PARALLEL = 32


async def bounded(jobs: Iterable[Callable[[], Awaitable[T]]], parallel: int = PARALLEL) -> list[T]:
    """Run the jobs at most `parallel` at a time; results in job order."""
    gate = asyncio.Semaphore(parallel)

    async def one(job: Callable[[], Awaitable[T]]) -> T:
        async with gate:
            return await job()

    return list(await asyncio.gather(*(one(job) for job in jobs)))


class Bot:
    """One benchmark user: id, token, and its HTTP client."""

    def __init__(self, client: Client, user_id: str):
        self.client, self.id = client, user_id

    @property
    def token(self) -> str:
        assert self.client.token
        return self.client.token


class Population:
    """Users registered on demand (`ensure(n)`), sharing one HTTP pool."""

    def __init__(self, url: str):
        self.url = url
        self.run_id = secrets.token_hex(3)
        # One connection pool for every bot: each call carries its own token.
        self.http = httpx.AsyncClient(base_url=url, trust_env=False, timeout=30.0, cookies=no_cookies(),
                                      limits=httpx.Limits(max_connections=PARALLEL))
        self.bots: list[Bot] = []
        self.register_seconds = 0.0

    async def aclose(self) -> None:
        await self.http.aclose()

    async def adopt(self, username: str, password: str) -> Bot:
        """An account made before the bench's own (signed in here) joins them."""
        client = Client(self.url, http=self.http)
        login = await client.login(username, password)
        self.bots.append(Bot(client, login.user.id))
        return self.bots[-1]

    async def ensure(self, n: int) -> list[Bot]:
        """At least n users exist; returns the first n."""
        async def make(i: int) -> Bot:
            client = Client(self.url, http=self.http)
            login = await client.register(f"b{self.run_id}_{i}", PASSWORD)
            return Bot(client, login.user.id)

        start, began = len(self.bots), time.perf_counter()
        self.bots.extend(await bounded([lambda i=i: make(i) for i in range(start, n)]))
        self.register_seconds += time.perf_counter() - began
        return self.bots[:n]

    async def group(self, owner: Bot, members: list[Bot], title: str, chunk: int = 200) -> str:
        """A group conversation of owner + members (added in chunks); its id."""
        others = [m.id for m in members if m.id != owner.id]
        conversation = await owner.client.create_group(title, others[:chunk])
        for at in range(chunk, len(others), chunk):
            await owner.client.add_members(conversation.id, others[at : at + chunk])
        return conversation.id

    async def conversation(self, members: list[Bot], title: str) -> str:
        if len(members) == 2:
            return (await members[0].client.create_direct(members[1].id)).id
        return await self.group(members[0], members[1:], title)


async def open_sockets(owners: list[Bot], url: str | list[str], handler: Callable[[int], Callable[[Frame], None]],
                       on_reply: Callable[[int], Callable[[Frame], None]] | None = None,
                       parallel: int = 64, **options: Any) -> list[Connection]:
    """One socket per entry of `owners` (aligned), opened `parallel` at a
    time, never reconnecting (a dropped socket must show in the numbers).
    If any fails, the others are closed and the first error raised."""
    results = await try_open(owners, url, handler, on_reply, parallel, **options)
    errors = [r for r in results if isinstance(r, BaseException)]
    if errors:
        await close_all([r for r in results if isinstance(r, Connection)])
        raise errors[0]
    return results  # type: ignore[return-value]


async def try_open(owners: list[Bot], url: str | list[str], handler: Callable[[int], Callable[[Frame], None]],
                   on_reply: Callable[[int], Callable[[Frame], None]] | None = None,
                   parallel: int = 64, **options: Any) -> list[Connection | BaseException]:
    """Like open_sockets, but a failure is returned in its place. `url`: one
    server, or one per owner (several processes)."""
    async def one(i: int) -> Connection | BaseException:
        conn = Connection(url if isinstance(url, str) else url[i], owners[i].token, on_frame=handler(i),
                          on_reply=on_reply(i) if on_reply else None, reconnect=False,
                          max_attempts=1, proxy=None, **options)
        try:
            return await conn.open()
        except Exception as err:  # noqa: BLE001 - the caller counts them
            return err

    return await bounded([lambda i=i: one(i) for i in range(len(owners))], parallel)


async def close_all(conns: list[Connection], parallel: int = 256) -> None:
    await bounded([conn.close for conn in conns], parallel)
