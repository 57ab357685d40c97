"""GraphQL errors with the REST problem codes: `extensions.code` (and
`status`, and whatever the problem carries: `current` for a version conflict,
`user_ids`...). Anything unexpected is logged and answered as `internal`,
never with its message."""

from __future__ import annotations

import logging
from typing import Any

import msgspec
from graphql import GraphQLError
from strawberry.schema.exceptions import InvalidOperationTypeError

from chatd.errors import ChatError

log = logging.getLogger("chatd")


def error_json(err: GraphQLError) -> dict[str, Any]:
    out: dict[str, Any] = {"message": err.message}
    if err.locations:
        out["locations"] = [{"line": loc.line, "column": loc.column} for loc in err.locations]
    if err.path:
        out["path"] = list(err.path)
    original = err.original_error
    if original is None:
        # Parse and validation errors, depth and token limits: the query's fault.
        out["extensions"] = {"code": "graphql_invalid", "status": 400}
    elif isinstance(original, ChatError):
        out["message"] = original.detail
        extra = {k: msgspec.to_builtins(v) for k, v in original.extra.items()}
        out["extensions"] = {**extra, "code": original.code, "status": original.status}
    elif isinstance(original, GraphQLError):
        return error_json(original)
    elif isinstance(original, InvalidOperationTypeError):
        out["message"] = "Only subscriptions run over the socket; send queries and mutations with POST."
        out["extensions"] = {"code": "graphql_invalid", "status": 400}
    else:
        log.error("GraphQL resolver failed at %s", err.path, exc_info=original)
        out["message"] = "Something went wrong on the server."
        out["extensions"] = {"code": "internal", "status": 500}
    return out


def result_json(data: Any, errors: list[GraphQLError] | None) -> dict[str, Any]:
    out: dict[str, Any] = {"data": data}
    if errors:
        out["errors"] = [error_json(e) for e in errors]
    return out
