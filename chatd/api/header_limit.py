"""Request headers larger than MAX_HEADER_BYTES in all are refused with 431.

granian itself answers 431 with an empty body past its HTTP/1 buffer
(~400 KiB) before chatd sees the request; below that, chatd answers here,
as problem details, before anything parses or hashes a header.
"""

from __future__ import annotations

from litestar.types import ASGIApp, Receive, Scope, Send

from chatd.api.problems import PROBLEM, problem_body

MAX_HEADER_BYTES = 32 * 1024


def header_limit(app: ASGIApp) -> ASGIApp:
    async def guard(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and sum(len(k) + len(v) for k, v in scope["headers"]) > MAX_HEADER_BYTES:
            body = problem_body(431, "headers_too_large", "Request header fields too large",
                                f"The request's headers are at most {MAX_HEADER_BYTES} bytes in all.")
            await send({"type": "http.response.start", "status": 431,
                        "headers": [(b"content-type", PROBLEM.encode()), (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})
            return
        await app(scope, receive, send)

    return guard
