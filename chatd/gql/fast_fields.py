"""Which fields are plain attribute reads, and how each is run fast.

Most fields of a big answer (a conversation list: ~1,100 fields) are read
from an attribute: `id`, `title`, `lastMessage`, `members`... graphql-core
runs each through its generic path (resolve info, resolver, awaitable checks,
completion), several microseconds apiece, which made one GraphQL list cost
five times the REST call it replaces (BENCHMARKS.md). Such a field's resolver
is replaced by its attribute getter, tagged, and the executor
(fast_executor.py) plans a selection set once per request: a plain leaf is
read and coerced inline, a plain object or list of objects is read and its
selection run directly; everything else (arguments, resolvers of their own,
abstract types, `__typename`) keeps graphql-core's path.
"""

from __future__ import annotations

from operator import attrgetter
from typing import Any, NamedTuple

from graphql import (
    GraphQLBoolean,
    GraphQLField,
    GraphQLID,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLString,
)
from strawberry.schema.schema_converter import GraphQLCoreConverter

PLAIN = "_chatd_plain"  # on a resolver: the attribute getter it is

GENERIC, LEAF, OBJECT, LIST = range(4)

# Scalars that give back a value of this type unchanged (graphql-core's own
# coercion returns it as it is): the coercion call can be skipped.
_AS_IS = ((GraphQLString, str), (GraphQLID, str), (GraphQLBoolean, bool))


class Entry(NamedTuple):
    name: str  # the response key
    kind: int  # GENERIC, LEAF, OBJECT or LIST
    fields: Any  # graphql-core's FieldDetailsList
    get: Any  # the attribute getter (None for GENERIC)
    return_type: GraphQLOutputType | None
    inner: Any  # LEAF: the scalar's output coercion; OBJECT, LIST: the object type
    extra: Any  # LEAF: the type kept as is; LIST: the item type
    field_def: GraphQLField | None
    nullable: bool = False  # a null read is the answer (no error to raise)


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
            setattr(field.resolve, PLAIN, get)


def _resolver(get: Any) -> Any:
    def resolve(source: Any, _info: Any, **_args: Any) -> Any:
        return get(source)

    return resolve


def plan(parent_type: GraphQLObjectType, grouped_field_set: Any, middleware: bool) -> tuple[Entry, ...]:
    """How each field of one selection set on `parent_type` is run."""
    return tuple(_entry(parent_type, name, fields, middleware) for name, fields in grouped_field_set.items())


def _entry(parent_type: GraphQLObjectType, name: str, fields: Any, middleware: bool) -> Entry:
    generic = Entry(name, GENERIC, fields, None, None, None, None, None)
    field_def = parent_type.fields.get(fields[0].node.name.value)
    get = getattr(field_def.resolve, PLAIN, None) if field_def is not None else None
    # Arguments (even unknown to the field) and directives left after
    # collection (skip/include are applied there) keep the generic path.
    if get is None or middleware or field_def.args or any(f.node.arguments or f.node.directives for f in fields):
        return generic
    return_type = field_def.type
    nullable = not isinstance(return_type, GraphQLNonNull)
    named = return_type if nullable else return_type.of_type
    if isinstance(named, GraphQLScalarType):
        as_is = next((kind for scalar, kind in _AS_IS if named is scalar), None)
        return Entry(name, LEAF, fields, get, return_type, named.coerce_output_value, as_is, field_def, nullable)
    if isinstance(named, GraphQLObjectType) and named.is_type_of is None:
        return Entry(name, OBJECT, fields, get, return_type, named, None, field_def, nullable)
    if isinstance(named, GraphQLList):
        item = named.of_type
        object_type = item.of_type if isinstance(item, GraphQLNonNull) else item
        if isinstance(object_type, GraphQLObjectType) and object_type.is_type_of is None:
            return Entry(name, LIST, fields, get, return_type, object_type, item, field_def, nullable)
    return generic
