"""Contacts: requests, acceptance, blocks, aliases (one's own side of each relation).

A user who is blocked is never told so: their side simply disappears (as
after a removal) and their later requests get 403 `contact_refused`.
"""

from __future__ import annotations

from litestar import Response, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from chatd.api.conversation_bodies import ContactIn, ContactPatch, Contacts, ContactView
from chatd.api.security import Me
from chatd.services.registry import Services


@get("/api/v1/contacts", tags=["contacts"])
async def list_contacts(me: Me, services: NamedDependency[Services]) -> Contacts:
    """Own contacts with their status (pending_out, pending_in, accepted, blocked)."""
    return Contacts(items=[ContactView.of(c, u) for c, u in await services.contacts.list(me.id)])


@post("/api/v1/contacts", tags=["contacts"])
async def request_contact(
    data: JSONBody[ContactIn], me: Me, services: NamedDependency[Services]
) -> Response[ContactView]:
    """Ask someone to be a contact: 201 when new. Asking someone who asked
    you accepts (200); asking again or an accepted contact is a no-op (200)."""
    contact, user, created = await services.contacts.request(me.id, data.user_id)
    return Response(ContactView.of(contact, user), status_code=201 if created else 200)


@post("/api/v1/contacts/{user_id:str}/accept", status_code=200, tags=["contacts"])
async def accept_contact(user_id: FromPath[str], me: Me, services: NamedDependency[Services]) -> ContactView:
    """Accept a received (pending_in) request: both sides become accepted."""
    return ContactView.of(*await services.contacts.accept(me.id, user_id))


@post("/api/v1/contacts/{user_id:str}/block", status_code=200, tags=["contacts"])
async def block_contact(user_id: FromPath[str], me: Me, services: NamedDependency[Services]) -> ContactView:
    """Block anyone (also without a relation): no direct messages, requests
    or presence from them any more."""
    return ContactView.of(*await services.contacts.block(me.id, user_id))


@patch("/api/v1/contacts/{user_id:str}", tags=["contacts"])
async def edit_contact(
    user_id: FromPath[str], data: JSONBody[ContactPatch], me: Me, services: NamedDependency[Services]
) -> ContactView:
    """Own alias (up to 64 characters) and note (up to 1000) for a contact."""
    return ContactView.of(*await services.contacts.edit(me.id, user_id, alias=data.alias, note=data.note))


@delete("/api/v1/contacts/{user_id:str}", status_code=204, tags=["contacts"])
async def remove_contact(user_id: FromPath[str], me: Me, services: NamedDependency[Services]) -> None:
    """Remove a contact, decline or cancel a request, or unblock."""
    await services.contacts.remove(me.id, user_id)


CONTACT_ROUTES = [list_contacts, request_contact, accept_contact, block_contact, edit_contact, remove_contact]
