"""GraphQL refusals on `chatd.access` (ASVS 7.2.2): a field answered with a
403, or a signed-in caller's 404 on a conversation, message or attachment,
writes the line its REST twin writes (chatd/api/access_log.py), with the
field's path as the route and the id from the field's arguments."""

from __future__ import annotations

from typing import Any

from graphql import FieldNode, GraphQLError
from graphql.utilities import value_from_ast_untyped

from chatd.api import access_log
from chatd.domain import User
from chatd.errors import ChatError

ROUTE = "/api/v1/graphql"
# The arguments that name the thing a hidden 404 is about, by its kind.
RESOURCE_ARGS = {"conversation": ("conversationId", "id"), "message": ("messageId", "id"),
                 "attachment": ("attachmentId", "id")}


def log_refusals(errors: list[GraphQLError] | None, me: User, variables: dict[str, Any] | None) -> None:
    for err in errors or ():
        original = err.original_error
        while isinstance(original, GraphQLError):
            original = original.original_error
        if not isinstance(original, ChatError) or original.status not in (403, 404):
            continue
        field = ".".join(str(step) for step in err.path or ()) or "(operation)"
        access_log.refusal("GRAPHQL", f"{ROUTE} {field}", original, me.id, me.username,
                           _resource(err, original, variables or {}))


def _resource(err: GraphQLError, original: ChatError, variables: dict[str, Any]) -> object:
    """The id the refused field was asked for (a literal or a variable)."""
    kind = access_log.HIDDEN.get(original.code, ("",))[0]
    names = RESOURCE_ARGS.get(kind, ())
    for node in err.nodes or ():
        if isinstance(node, FieldNode):
            for argument in node.arguments:
                if argument.name.value in names:
                    return value_from_ast_untyped(argument.value, variables)
    return "(in the body)"
