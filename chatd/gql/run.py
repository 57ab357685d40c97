"""Run one query or mutation for a signed-in user (the POST handler's half
that needs strawberry)."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.types.graphql import OperationType

from chatd.config import GraphQLConfig
from chatd.domain import User
from chatd.gql.context import Context
from chatd.gql.errors import result_json
from chatd.gql.refusals import log_refusals
from chatd.gql.schema import schema_for
from chatd.services.registry import Services

OVER_HTTP = (OperationType.QUERY, OperationType.MUTATION)


async def run_operation(services: Services, me: User, config: GraphQLConfig, query: str,
                        variables: dict[str, Any] | None, operation_name: str | None) -> dict[str, Any]:
    try:
        result = await schema_for(config).execute(
            query, variable_values=variables, context_value=Context(services=services, me=me),
            operation_name=operation_name, allowed_operation_types=OVER_HTTP,
        )
    except InvalidOperationTypeError:
        return result_json(None, [GraphQLError("Subscriptions run over the WebSocket on this path "
                                               "(graphql-transport-ws).")])
    log_refusals(result.errors, me, variables)
    return result_json(result.data, result.errors)
