"""One pass from a JSON body to the route's Struct (issue 14).

Litestar decodes a body to dicts and lists, then its signature model
converts them to the `data` parameter's Struct: two walks over the body and
a dict per object. A route whose body is one msgspec Struct can be decoded
straight into it; the signature model passes a Struct instance through
unchanged. Decoding is lenient (strict=False) as the signature model's
conversion is, so "1" still names version 1.

Only the success path is shortened: a body that does not decode goes the
usual way (to builtins, then converted), so every refusal keeps its answer,
detail and `errors` list (tests/api/test_message_body_answers.py).
"""

from __future__ import annotations

from functools import cache
from typing import Any

import msgspec
from litestar.handlers import BaseRouteHandler


def struct_decoder(handler: BaseRouteHandler) -> msgspec.json.Decoder | None:
    """A decoder for the handler's body Struct, or None (no body, or another type)."""
    field = handler.parsed_data_field
    if field is None:
        return None
    return _decoder(field.annotation)


@cache
def _decoder(annotation: Any) -> msgspec.json.Decoder | None:
    if not (isinstance(annotation, type) and issubclass(annotation, msgspec.Struct)):
        return None
    try:
        return msgspec.json.Decoder(annotation, strict=False)
    except TypeError:  # a field type msgspec cannot decode alone (Litestar's type decoders handle it)
        return None
