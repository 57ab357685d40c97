"""One Redis client for every Redis adapter of a process, and the one place
that turns "Redis is not answering" into the error the API shows (503
`store_unavailable`, "store": "redis").

Timeouts are short and retries few on purpose: while Redis is away a
request should fail in about a second with a clear answer, not hang."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import ParamSpec, TypeVar
from urllib.parse import unquote, urlsplit, urlunsplit

from redis import exceptions as redis_errors
from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.credentials import CredentialProvider

from chatd.config import redact_url
from chatd.errors import StoreUnavailable
from chatd.storage import tls_errors
from chatd.storage.credentials_refused import credentials_refused, refused

CONNECT_TIMEOUT = 1.0
COMMAND_TIMEOUT = 3.0
# A bounded pool: a burst of sends waits for one of these connections
# instead of opening hundreds at once (unbounded, 1,000 sends/s opened new
# connections until connects timed out: 503s under load, p99 12 s).
POOL_SIZE = 16
# Errors that mean "Redis is not reachable now" (not a bug in a command).
LOST = (redis_errors.ConnectionError, redis_errors.TimeoutError, OSError)

STORE = "redis"
WHERE = "storage.cache (Redis)"  # the decorated calls do not know the URL

P = ParamSpec("P")
R = TypeVar("R")


def unavailable(err: BaseException | None = None) -> StoreUnavailable:
    """What a caller gets for `err`, a lost connection: a failed TLS handshake told apart."""
    return StoreUnavailable(STORE) if err is None else tls_errors.unavailable(STORE, WHERE, err)


def guarded(fn: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    """Run a Redis call; a lost connection becomes StoreUnavailable("redis")."""

    @functools.wraps(fn)
    async def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return await fn(*args, **kwargs)
        except LOST as err:
            raise unavailable(err) from err

    return run


class RedisConnection:
    """The shared client; a Backend of the stores (pinged by /readyz).

    With `url_now` (storage.cache from a file, live_secret.py) the user name
    and password are asked for at each new connection instead of being fixed
    from the URL, so a password rotated with ACL SETUSER reaches the
    connections opened after it; the host and database stay the ones chatd
    started with."""

    def __init__(self, url: str, prefix: str = "chatd:", url_now: Callable[[], str] | None = None):
        self.url, self.prefix = url, prefix
        self._login: dict[str, object] = {}
        if url_now is not None:
            self._login = {"credential_provider": FileCredentials(url_now)}
            url = without_credentials(url)
        self._bare = url
        pool = BlockingConnectionPool.from_url(
            url, max_connections=POOL_SIZE, timeout=COMMAND_TIMEOUT, socket_connect_timeout=CONNECT_TIMEOUT,
            socket_timeout=COMMAND_TIMEOUT, retry=Retry(ExponentialBackoff(cap=0.2, base=0.05), 1),
            health_check_interval=10, **self._login,
        )
        self.client: Redis = Redis.from_pool(pool)  # closes the pool with it

    def pubsub_client(self) -> Redis:
        """A client for the fan-out subscription: no read timeout (it waits
        for messages), health checks notice a dead peer."""
        return Redis.from_url(self._bare, socket_connect_timeout=CONNECT_TIMEOUT, socket_timeout=None,
                              retry=Retry(ExponentialBackoff(cap=0.2, base=0.05), 1), health_check_interval=5,
                              **self._login)

    async def start(self) -> None:
        try:
            await self.client.ping()
        except LOST as err:
            said = tls_errors.describe(STORE, f"Redis at {redact_url(self.url).partition('?')[0]}", err)
            raise ConnectionError(f"{said}; start it or set storage.cache") from None

    async def ping(self) -> None:
        try:
            await self.client.ping()
        except LOST as err:
            if credentials_refused(err):
                raise refused(STORE, WHERE, err) from err  # /readyz says CredentialsRefused
            if (failed := tls_errors.tls_failure(STORE, err)) is None:
                raise
            tls_errors.note(failed, WHERE)
            raise failed from err  # /readyz names the kind

    def unreachable(self, err: BaseException) -> str | None:
        """"redis" for redis-py's own lost-connection errors. The stores'
        calls turn those into StoreUnavailable already (guarded); this
        answers the error mapper's walk over every backend. Not a bare
        OSError: a media folder's would be blamed on Redis."""
        return STORE if isinstance(err, (redis_errors.ConnectionError, redis_errors.TimeoutError)) else None

    async def refresh(self) -> None:
        """Close the idle pooled connections: the next ones log in anew. A
        connection in use stays until chatd closes it (redis-py has no expiry)."""
        await self.client.connection_pool.disconnect(inuse_connections=False)

    async def close(self) -> None:
        await self.client.aclose()


class FileCredentials(CredentialProvider):
    """The user name and password of the URL as its file holds it now."""

    def __init__(self, url_now: Callable[[], str]):
        self.url_now = url_now

    def get_credentials(self) -> tuple[str] | tuple[str, str]:
        parts = urlsplit(self.url_now())
        password = unquote(parts.password or "")
        return (unquote(parts.username), password) if parts.username else (password,)

    async def get_credentials_async(self) -> tuple[str] | tuple[str, str]:
        return self.get_credentials()


def without_credentials(url: str) -> str:
    """`url` with no user or password: redis-py refuses both those and a provider."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=host))
