"""The fast executor (chatd/gql/fast_executor.py) answers exactly as
graphql-core's own: the same data, nulls, errors (message, path, locations)
and null propagation, with DataLoader batching intact. Each query runs on
two schemas built from the same types, one plain strawberry, one with plain
fields planned, and the answers are compared."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import strawberry
from strawberry.dataloader import DataLoader
from strawberry.scalars import JSON

from chatd.gql.fast_executor import FastFields
from chatd.gql.fast_fields import plain_attribute_fields

WHEN = datetime(2026, 12, 7, 3, 0, tzinfo=UTC)


class Broken:
    """A source whose attribute read raises (a bug in a type's data)."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):  # awaitable probes and the like
            raise AttributeError(name)
        raise RuntimeError(f"no {name} here")


@strawberry.type
class Person:
    id: str
    name: str
    nick: str | None
    age: int
    active: bool
    score: float
    seen: datetime
    extra: JSON

    @strawberry.field
    async def friend_count(self, info: strawberry.Info) -> int:
        return await info.context["counts"].load(self.id)


@strawberry.type
class Group:
    title: str
    owner: Person
    deputy: Person | None
    members: list[Person]
    maybe_members: list[Person | None]
    tags: list[str]


def person(i: int, **changes: Any) -> Person:
    p = Person(id=f"p{i}", name=f"name {i}", nick=None if i % 2 else f"n{i}", age=20 + i, active=bool(i % 2),
               score=i / 3, seen=WHEN, extra={"i": [i]})
    for key, value in changes.items():
        object.__setattr__(p, key, value)
    return p


GROUPS: dict[str, Any] = {
    "fine": Group(title="fine", owner=person(0), deputy=None, members=[person(i) for i in range(5)],
                  maybe_members=[person(1), None], tags=["a", "b"]),
    # A null in a non-null leaf: the error nulls the nearest nullable parent.
    "null_name": Group(title="bad", owner=person(1), deputy=person(2, name=None),
                       members=[person(3), person(4, name=None)], maybe_members=[person(5, name=None)], tags=[]),
    # Values the scalars refuse, and an attribute read that raises.
    "refused": Group(title="bad", owner=person(1), deputy=person(2, age="old"),  # type: ignore[arg-type]
                     members=[person(3, age=2**40)], maybe_members=[Broken()], tags=[]),  # type: ignore[list-item]
    # Nulls in non-null objects and lists, a null list item that must not be.
    "null_owner": Group(title="bad", owner=None, deputy=None, members=[person(1), None],  # type: ignore[arg-type,list-item]
                        maybe_members=None, tags=None),  # type: ignore[arg-type]
    # A resolver-less field given an exception object, and a broken owner.
    "broken": Group(title=ValueError("boom"), owner=Broken(), deputy=Broken(),  # type: ignore[arg-type]
                    members=[Broken()], maybe_members=[], tags=["x"]),  # type: ignore[list-item]
}


@strawberry.type
class Query:
    @strawberry.field
    def group(self, which: str) -> Group | None:
        return GROUPS[which]

    @strawberry.field
    def strict_group(self, which: str) -> Group:
        return GROUPS[which]


def schemas() -> tuple[strawberry.Schema, strawberry.Schema]:
    plain = strawberry.Schema(query=Query)
    fast = strawberry.Schema(query=Query, execution_context_class=FastFields)
    plain_attribute_fields(fast)
    return plain, fast


def as_json(result: Any) -> dict[str, Any]:
    errors = [(e.message, e.path, [(loc.line, loc.column) for loc in e.locations or []]) for e in result.errors or []]
    return {"data": result.data, "errors": sorted(errors, key=repr)}


async def answer(schema: strawberry.Schema, query: str, batches: list[list[str]] | None = None,
                 **variables: Any) -> dict[str, Any]:
    async def counts(ids: list[str]) -> list[int]:
        if batches is not None:
            batches.append(ids)
        return [len(i) for i in ids]

    result = await schema.execute(query, variable_values=variables, context_value={"counts": DataLoader(counts)})
    return as_json(result)


PERSON = "id name nick age active score seen extra"
QUERIES = [
    f"{{ group(which: $w) {{ title tags owner {{ {PERSON} }} deputy {{ {PERSON} }} members {{ {PERSON} }} "
    f"maybeMembers {{ {PERSON} }} }} }}",
    f"{{ strictGroup(which: $w) {{ title owner {{ {PERSON} }} members {{ name age }} maybeMembers {{ name }} }} }}",
    # Aliases, the same field twice with merged selections, fragments,
    # __typename, skip/include, and a resolver among plain fields.
    """{ group(which: $w) { t: title title ...F owner { name } owner { age n: name __typename }
         members { ... on Person { id friendCount } name @include(if: $yes) age @skip(if: $yes) }
         deputy @skip(if: $no) { name } } }
       fragment F on Group { members { seen } }""",
]


@pytest.mark.parametrize("which", sorted(GROUPS))
@pytest.mark.parametrize("query", range(len(QUERIES)))
async def test_the_same_answer_as_graphql_core(which, query):
    plain, fast = schemas()
    text = QUERIES[query].replace("{ group(which: $w)", "query Q($w: String!, $yes: Boolean = true, "
                                  "$no: Boolean = false) { group(which: $w)")
    text = text.replace("{ strictGroup(which: $w)", "query Q($w: String!) { strictGroup(which: $w)")
    expected = await answer(plain, text, w=which)
    assert await answer(fast, text, w=which) == expected
    assert expected["data"] is not None or expected["errors"]


async def test_errors_are_reported_where_they_happen():
    """Not only equal: right (so the comparison above is not vacuous)."""
    _, fast = schemas()
    got = await answer(fast, "{ group(which: \"null_name\") { deputy { name } maybeMembers { name } } }")
    assert got["data"] == {"group": {"deputy": None, "maybeMembers": [None]}}
    assert [(m, p) for m, p, _ in got["errors"]] == [
        ("Cannot return null for non-nullable field Person.name.", ["group", "deputy", "name"]),
        ("Cannot return null for non-nullable field Person.name.", ["group", "maybeMembers", 0, "name"]),
    ]
    # In a list of non-null items the null reaches the nearest nullable field.
    got = await answer(fast, "{ group(which: \"null_name\") { title members { name } } }")
    assert got["data"] == {"group": None} and got["errors"][0][1] == ["group", "members", 1, "name"]
    got = await answer(fast, "{ group(which: \"refused\") { deputy { age } maybeMembers { name } } }")
    assert got["data"] == {"group": {"deputy": None, "maybeMembers": [None]}}
    assert [(m.split(":")[0], p) for m, p, _ in got["errors"]] == [
        ("Int cannot represent non-integer value", ["group", "deputy", "age"]),
        ("no name here", ["group", "maybeMembers", 0, "name"]),
    ]


async def test_resolvers_inside_planned_lists_are_still_batched():
    plain, fast = schemas()
    query = '{ group(which: "fine") { members { friendCount } owner { friendCount } } }'
    batches: dict[str, list[list[str]]] = {"plain": [], "fast": []}
    expected = await answer(plain, query, batches["plain"])
    assert await answer(fast, query, batches["fast"]) == expected
    assert batches["fast"] == batches["plain"] and len(batches["fast"]) == 1


async def test_plain_fields_do_not_take_the_generic_path(monkeypatch):
    """The planned path is really taken: only the root field and fields with
    a resolver of their own go through graphql-core's execute_field."""
    _, fast = schemas()
    generic: list[str] = []
    original = FastFields.execute_field

    def counted(self, parent_type, source, fields, path, position):
        generic.append(f"{parent_type.name}.{fields[0].node.name.value}")
        return original(self, parent_type, source, fields, path, position)

    monkeypatch.setattr(FastFields, "execute_field", counted)
    got = await answer(fast, '{ group(which: "fine") { title tags deputy { name } owner { name friendCount } '
                             'members { id name nick age active score seen extra } } }')
    assert not got["errors"] and len(got["data"]["group"]["members"]) == 5
    # tags: a list of scalars keeps the generic path (rare; not planned).
    assert sorted(generic) == ["Group.tags", "Person.friendCount", "Query.group"]


async def test_an_extension_that_sees_every_field_turns_planning_off():
    from strawberry.extensions import SchemaExtension

    seen: list[str] = []

    class Watch(SchemaExtension):
        def resolve(self, _next, root, info, *args, **kwargs):
            seen.append(info.field_name)
            return _next(root, info, *args, **kwargs)

    fast = strawberry.Schema(query=Query, execution_context_class=FastFields, extensions=[Watch])
    plain_attribute_fields(fast)
    result = await fast.execute('{ group(which: "fine") { title owner { name } } }')
    assert result.errors is None and sorted(seen) == ["group", "name", "owner", "title"]

