"""Contacts: requests, acceptance, blocks, aliases; and the block check the
message and conversation services ask before anything direct.

The state machine itself is in contact_rules.py; this module validates the
input, finds the users and runs the rules atomically through the port.
"""

from __future__ import annotations

from chatd import clock
from chatd.domain import Contact, PublicUser, User
from chatd.errors import Invalid, NotFound
from chatd.services import contact_rules as rules
from chatd.storage.ports.contacts import ContactStore
from chatd.storage.ports.users import UserStore
from chatd.text import clean

MAX_ALIAS = 64
MAX_NOTE = 1000


def user_not_found() -> NotFound:
    return NotFound("There is no such user.", code="user_not_found")


class ContactService:
    def __init__(self, contacts: ContactStore, users: UserStore):
        self.contacts = contacts
        self.users = users

    async def _other(self, me_id: str, user_id: str) -> User:
        """The other side of a new relation: someone else, existing and enabled."""
        if user_id == me_id:
            raise Invalid("That is you: a contact is always someone else.", code="self_contact")
        user = await self.users.get(user_id)
        if user is None or user.disabled:
            raise user_not_found()
        return user

    async def list(self, me_id: str) -> list[tuple[Contact, PublicUser]]:
        contacts = await self.contacts.list(me_id)
        users = await self.users.get_many([c.user_id for c in contacts])
        return [(c, PublicUser.of(users[c.user_id])) for c in contacts if c.user_id in users]

    async def request(self, me_id: str, user_id: str) -> tuple[Contact, PublicUser, bool]:
        """(my side, the other user, created). Asking someone who asked me
        accepts; asking again, or an accepted contact, changes nothing."""
        other = await self._other(me_id, user_id)
        before, after = await self.contacts.change(me_id, user_id, rules.request_rule(me_id, user_id, clock.now()))
        assert after.mine is not None
        return after.mine, PublicUser.of(other), before.mine is None

    async def accept(self, me_id: str, user_id: str) -> tuple[Contact, PublicUser]:
        other = await self._other(me_id, user_id)
        _, after = await self.contacts.change(me_id, user_id, rules.accept_rule(me_id, user_id, clock.now()))
        assert after.mine is not None
        return after.mine, PublicUser.of(other)

    async def block(self, me_id: str, user_id: str) -> tuple[Contact, PublicUser]:
        if user_id == me_id:
            raise Invalid("You cannot block yourself.", code="self_contact")
        other = await self.users.get(user_id)  # disabled users can be blocked too
        if other is None:
            raise user_not_found()
        _, after = await self.contacts.change(me_id, user_id, rules.block_rule(me_id, user_id, clock.now()))
        assert after.mine is not None
        return after.mine, PublicUser.of(other)

    async def remove(self, me_id: str, user_id: str) -> None:
        """Remove a contact, decline or cancel a request, or unblock."""
        await self.contacts.change(me_id, user_id, rules.remove_rule())

    async def edit(
        self, me_id: str, user_id: str, *, alias: str | None, note: str | None
    ) -> tuple[Contact, PublicUser]:
        """Change my alias and/or note for a contact (None = keep)."""
        alias = None if alias is None else clean(alias, single_line=True).strip()
        note = None if note is None else clean(note).strip()
        if alias is not None and len(alias) > MAX_ALIAS:
            raise Invalid(f"An alias is at most {MAX_ALIAS} characters.", code="invalid_alias")
        if note is not None and len(note) > MAX_NOTE:
            raise Invalid(f"A note is at most {MAX_NOTE} characters.", code="invalid_note")
        other = await self.users.get(user_id)
        if other is None:
            raise NotFound("There is no contact with this user.", code="no_contact")
        _, after = await self.contacts.change(me_id, user_id, rules.edit_rule(alias, note, clock.now()))
        assert after.mine is not None
        return after.mine, PublicUser.of(other)

    async def ensure_not_blocked(self, sender_id: str, other_id: str) -> None:
        """Raise Forbidden when either user blocked the other: nothing direct
        (a new direct conversation, a message in one) passes a block. The
        blocked user gets the neutral refusal; the blocker is told to unblock."""
        if not await self.contacts.blocked_between(sender_id, other_id):
            return
        mine = await self.contacts.get(sender_id, other_id)
        raise rules.blocked(by_me=mine is not None and mine.status == "blocked")

    async def blockers_among(self, user_id: str, others: list[str]) -> set[str]:
        """Those of `others` who blocked `user_id` (e.g. to hide their presence)."""
        return await self.contacts.blockers_among(user_id, others)
