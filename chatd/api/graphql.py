"""/api/v1/graphql: POST runs a query or mutation, GET serves GraphiQL, and a
WebSocket on the same path speaks graphql-transport-ws (graphql_ws.py).

Strawberry is imported on the first request from a user for whom the
`graphql` flag is on, never at start-up: a server with the flag off does not
pay its memory (BENCHMARKS.md). That is why these are plain Litestar handlers
over strawberry's schema rather than its ready-made Litestar controller,
which would import it when the app is built. Authentication is the app's
(bearer, or cookie + X-CSRF-Token for the POST); for whom the flag is off,
the endpoint does not exist (404 `feature_disabled`).
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, Response, WebSocket, get, post, websocket
from litestar.datastructures import State
from litestar.di import NamedDependency

from chatd.api.bounded_request import is_json
from chatd.api.security import Me, session_cookie
from chatd.api.static import STATIC_DIR
from chatd.bounds import TooDeep, decode_bounded
from chatd.errors import Invalid, UnsupportedMediaType
from chatd.realtime.auth import same_origin
from chatd.services.registry import Services

PATH = "/api/v1/graphql"
PROTOCOL = "graphql-transport-ws"
PAGE = STATIC_DIR / "graphiql" / "index.html"


class GraphQLRequest(msgspec.Struct, kw_only=True):
    query: str
    variables: dict[str, Any] | None = None
    operationName: str | None = None  # noqa: N815 - the wire name
    extensions: dict[str, Any] | None = None


def parse_request(raw: bytes) -> GraphQLRequest:
    try:
        # Depth-checked like REST bodies: deep `variables` recursed into a 500.
        return decode_bounded(lambda data: msgspec.json.decode(data, type=GraphQLRequest), raw)
    except TooDeep as err:
        raise Invalid(str(err), code="too_deep") from None
    except (msgspec.DecodeError, UnicodeDecodeError) as err:  # not UTF-8: was a 500
        raise Invalid(f"A GraphQL request is JSON {{query, variables?, operationName?}}: {err}",
                      code="invalid") from None


@post(PATH, status_code=200, tags=["graphql"])
async def graphql_post(request: Request, me: Me, services: NamedDependency[Services], state: State) -> Response[bytes]:
    """A query or mutation: {query, variables?, operationName?} -> {data, errors?};
    errors carry the REST problem code in extensions.code."""
    await services.features.require("graphql", me.id)
    raw = await request.body()
    if not is_json(request.headers.get("content-type", "")):
        raise UnsupportedMediaType("Send the GraphQL request as JSON, with Content-Type: application/json.")
    body = parse_request(raw)
    from chatd.gql.run import run_operation  # strawberry loads here, once

    result = await run_operation(services, me, state.config.graphql, body.query, body.variables, body.operationName)
    return Response(msgspec.json.encode(result), media_type="application/json")


@get(PATH, tags=["graphql"], include_in_schema=True)
async def graphiql(me: Me, services: NamedDependency[Services]) -> Response[bytes]:
    """GraphiQL, the in-browser IDE (vendored files under /static, no CDN)."""
    await services.features.require("graphql", me.id)
    return Response(PAGE.read_bytes(), media_type="text/html; charset=utf-8")


@websocket(PATH)
async def graphql_socket(socket: WebSocket) -> None:
    """Subscriptions over graphql-transport-ws (see chatd/gql/transport_ws.py)."""
    app = socket.app
    if PROTOCOL not in [p.strip() for p in socket.scope.get("subprotocols") or []]:
        await socket.close(code=4400, reason=f"Offer the {PROTOCOL} subprotocol")
        return
    token = _handshake_token(socket, app.state.config)
    from chatd.gql.transport_ws import Connection  # strawberry loads here, once

    await Connection(socket, app.state.runtime, app.state.realtime, token).serve()


def _handshake_token(socket: WebSocket, config: Any) -> str | None:
    """A bearer header, or the session cookie from our own pages only (a
    page elsewhere would ride the cookie: cross-site WebSocket hijacking)."""
    header = socket.headers.get("authorization")
    if header is not None and header.lower().startswith("bearer "):
        return header[7:].strip() or None
    cookie = session_cookie(socket)
    return cookie if cookie and same_origin(socket, config) else None


GRAPHQL_ROUTES = [graphql_post, graphiql, graphql_socket]
