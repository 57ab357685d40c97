"""A Struct body is decoded in one pass (struct_body.py): the route's
request.json() is already the Struct, lenient as Litestar's conversion, and
a body that does not fit goes Litestar's usual way (the answers themselves
are pinned in tests/api/test_message_body_answers.py)."""

from __future__ import annotations

import msgspec
import pytest
from litestar import Litestar, Request, post
from litestar.params import JSONBody
from litestar.testing import AsyncTestClient

from chatd.api.bounded_request import BoundedRequest
from chatd.api.struct_body import struct_decoder


class Body(msgspec.Struct, forbid_unknown_fields=True):
    name: str
    count: int = 0


seen: list[object] = []


@post("/struct")
async def takes_struct(request: Request, data: JSONBody[Body]) -> dict:
    seen.append(await request.json())
    return {"name": data.name, "count": data.count}


@post("/dict")
async def takes_dict(request: Request, data: JSONBody[dict]) -> dict:
    seen.append(await request.json())
    return data


@pytest.fixture
async def client():
    seen.clear()
    app = Litestar([takes_struct, takes_dict], request_class=BoundedRequest)
    async with AsyncTestClient(app) as c:
        yield c


async def test_a_struct_body_is_decoded_straight_into_the_struct(client):
    r = await client.post("/struct", json={"name": "a", "count": "3"})
    assert r.status_code == 201 and r.json() == {"name": "a", "count": 3}
    assert seen == [Body(name="a", count=3)]


async def test_other_bodies_are_decoded_to_builtins(client):
    r = await client.post("/dict", json={"name": "a"})
    assert r.status_code == 201 and seen == [{"name": "a"}]


async def test_a_body_that_does_not_fit_gets_litestars_answer(client):
    r = await client.post("/struct", json={"name": "a", "other": 1})
    assert r.status_code == 400
    assert r.json()["extra"] == [{"key": "data", "message": "Object contains unknown field `other`", "source": "body"}]
    assert seen == []


def test_only_a_plain_struct_gets_a_decoder():
    assert struct_decoder(takes_struct) is not None
    assert struct_decoder(takes_dict) is None
