"""Plain attribute fields at the cost of an attribute read.

Most fields of a big answer (a conversation list: ~1,100 fields) are leaves
read from an attribute: `id`, `title`, `body`... graphql-core runs each
through its generic path (resolve info, resolver wrapper, awaitable checks,
completion), several microseconds apiece, which made one GraphQL list cost
five times the REST call it replaces (BENCHMARKS.md). Here such a field is
read and serialized directly; anything unusual (an argument, a null, a value
the scalar refuses, a list, an object) takes graphql-core's own path, so
errors and nulls behave exactly as before.
"""

from __future__ import annotations

from operator import attrgetter
from typing import Any

from graphql import GraphQLNonNull, GraphQLObjectType, GraphQLScalarType
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter

LEAF = "_chatd_leaf"


def plain_attribute_fields(schema: Any) -> None:
    """Fields without a resolver of their own read their attribute, nothing else."""
    for gql_type in schema._schema.type_map.values():
        if not isinstance(gql_type, GraphQLObjectType) or gql_type.name.startswith("__"):
            continue
        for field in gql_type.fields.values():
            definition = (field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
            if not getattr(field.resolve, "_is_default", False) or definition is None:
                continue
            get = attrgetter(definition.python_name)
            field.resolve = _resolver(get)
            scalar = field.type.of_type if isinstance(field.type, GraphQLNonNull) else field.type
            if isinstance(scalar, GraphQLScalarType) and not field.args:
                setattr(field.resolve, LEAF, (get, scalar.serialize))


def _resolver(get: Any) -> Any:
    def resolve(source: Any, _info: Any, **_args: Any) -> Any:
        return get(source)

    return resolve


class FastLeaves(StrawberryGraphQLCoreExecutionContext):
    def execute_field(self, parent_type: Any, source: Any, field_details_list: Any, path: Any,
                      position_context: Any) -> Any:
        node = field_details_list[0].node
        field_def = parent_type.fields.get(node.name.value)
        leaf = getattr(field_def.resolve, LEAF, None) if field_def is not None else None
        if leaf is not None and not node.arguments and len(field_details_list) == 1:
            get, serialize = leaf
            try:
                value = get(source)
                if value is not None:
                    out = serialize(value)
                    if out is not None:
                        return out
            except Exception:  # noqa: BLE001 - the generic path raises it properly
                pass
        return super().execute_field(parent_type, source, field_details_list, path, position_context)
