"""The app's Request class: JSON bodies are depth-checked before decoding.

Litestar decodes JSON bodies with msgspec, which recurses per level: a body
nested 100,000 deep ended in RecursionError (a 500 and a stack trace per
request). A JSON body must say so in Content-Type (application/json or
any +json type): text/plain is what an HTML form on another site can post
without a CORS preflight, so it is refused with 415 before it is read.
The body size itself is bounded by `limits.max_body_kb`
(Litestar's request_max_body_size; a route may raise it for uploads).

A route whose body is a msgspec Struct gets it decoded in one pass
(struct_body.py): `json()` then returns the Struct, not a dict. The body is
read without Litestar's async generator, with its limits (issue 14).
"""

from __future__ import annotations

import math
from typing import Any

from litestar import Request
from litestar.exceptions import ClientException, InternalServerException
from litestar.exceptions.http_exceptions import RequestEntityTooLarge
from litestar.serialization import decode_json
from litestar.types import Empty

from chatd.api.struct_body import struct_decoder
from chatd.bounds import TooDeep, check_json_depth, decode_bounded
from chatd.errors import Invalid, UnsupportedMediaType


def is_json(content_type: str) -> bool:
    kind = content_type.partition(";")[0].strip().lower()
    return kind == "application/json" or (kind.startswith("application/") and kind.endswith("+json"))


class BoundedRequest(Request):
    async def body(self) -> bytes:
        """Litestar's body() without its async generator (stream()), which cost
        more than the rest of reading a small body: the same limits (413 on
        an announced or received size past the route's), the same refusal of
        a client gone before the end."""
        if self._body is not Empty or self._connection_state.body is not Empty or not self.is_connected:
            return await super().body()
        limit = self.route_handler.resolve_request_max_body_size() or math.inf
        announced = self.content_length
        if announced is not None and announced > limit:
            raise RequestEntityTooLarge
        chunks: list[bytes] = []
        size = 0
        while event := await self.receive():
            if event["type"] == "http.request":
                if chunk := event["body"]:
                    size += len(chunk)
                    if size > limit:
                        raise RequestEntityTooLarge
                    chunks.append(chunk)
                if not event.get("more_body", False):
                    break
            if event["type"] == "http.disconnect":
                raise InternalServerException("client disconnected prematurely")
        self.is_connected = False
        body = chunks[0] if len(chunks) == 1 else b"".join(chunks)
        self._body = self._connection_state.body = body
        return body

    async def json(self) -> Any:
        if self._json is Empty and self._connection_state.json is Empty:
            body = await self.body()
            if body and not is_json(self.headers.get("content-type", "")):
                raise UnsupportedMediaType("Send the body as JSON, with Content-Type: application/json.")
            body = body or b"null"
            value = self._as_struct(body)
            if value is not Empty:
                self._json = self._connection_state.json = value
                return value
            decoders = self.route_handler.resolve_type_decoders()
            try:
                value = decode_bounded(lambda raw: decode_json(raw, type_decoders=decoders), body)
            except TooDeep as err:
                raise Invalid(str(err), code="too_deep") from None
            except UnicodeDecodeError:  # msgspec raises it for bytes that are not UTF-8: was a 500
                raise ClientException("JSON is malformed: invalid UTF-8") from None
            self._json = self._connection_state.json = value
        return await super().json()

    def _as_struct(self, body: bytes) -> Any:
        """The body as the route's Struct, or Empty when there is none or the
        body does not decode (then the usual path gives the usual refusal)."""
        decoder = struct_decoder(self.route_handler)
        if decoder is None:
            return Empty
        try:
            check_json_depth(body)
            return decoder.decode(body)
        except Exception:  # noqa: BLE001 - any refusal is made again, and answered, by the usual path
            return Empty
