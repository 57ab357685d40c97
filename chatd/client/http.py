"""The HTTP half of the client: one httpx.AsyncClient, bearer auth, JSON in
and out with msgspec, problem details turned into ChatdError."""

from __future__ import annotations

from http.cookiejar import CookieJar, DefaultCookiePolicy
from typing import Any, TypeVar

import httpx
import msgspec

from chatd.client.errors import ChatdError

T = TypeVar("T")

API = "/api/v1"


class HttpTransport:
    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        *,
        timeout: float = 10.0,
        transport: httpx.AsyncBaseTransport | None = None,
        trust_env: bool = True,
        http: httpx.AsyncClient | None = None,
    ):
        """`http`: share one connection pool among many clients (e.g. one per
        bot identity); it is then left open by `aclose`."""
        self.base_url = base_url.rstrip("/")
        self.token = token
        self._own_http = http is None
        self.http = http or httpx.AsyncClient(
            base_url=self.base_url,
            timeout=timeout,
            transport=transport,
            trust_env=trust_env,
            cookies=no_cookies(),
        )

    async def aclose(self) -> None:
        if self._own_http:
            await self.http.aclose()

    async def __aenter__(self) -> "HttpTransport":
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def request(self, method: str, path: str, *, json: Any = None,
                      params: dict[str, Any] | None = None) -> httpx.Response:
        """One API call; `path` is below /api/v1 unless it starts with "//"
        (then from the server root, e.g. "//readyz"). 4xx/5xx raise ChatdError."""
        url = path[1:] if path.startswith("//") else API + path
        content = None if json is None else msgspec.json.encode(json)
        headers = {"Accept": "application/json"}
        if content is not None:
            headers["Content-Type"] = "application/json"
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        query = {k: v for k, v in (params or {}).items() if v is not None} or None
        response = await self.http.request(method, url, content=content, params=query, headers=headers)
        if response.status_code >= 400:
            raise ChatdError.of_response(response.status_code, response.content)
        return response

    async def call(self, method: str, path: str, *, json: Any = None, params: dict[str, Any] | None = None,
                   type: type[T] | Any = None) -> Any:
        """The decoded body as `type` (plain JSON when None; None for 204)."""
        return decode(await self.request(method, path, json=json, params=params), type)


def no_cookies() -> CookieJar:
    """A jar that keeps nothing: the client authenticates with its bearer
    token only, so a login cookie never turns its requests into cookie
    requests (which would need CSRF headers)."""
    return CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))


def decode(response: httpx.Response, type: Any = None) -> Any:
    if response.status_code == 204 or not response.content:
        return None
    if type is None:
        return msgspec.json.decode(response.content)
    return msgspec.json.decode(response.content, type=type)
