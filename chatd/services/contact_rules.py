"""The contact state machine as pure functions over both sides of a relation.

Each `*_rule` returns the `decide` function ContactStore.change runs inside
its atomic step: (mine, theirs) as stored -> (mine, theirs) as they must be.

Blocking is one-sided and silent: the blocker's side becomes `blocked` and the
blocked user's side is dropped, exactly as if the blocker had removed,
declined or cancelled. So the blocked user can tell "the relation ended", but
never "I am blocked"; only their later requests and direct messages fail,
with the same neutral refusal (REFUSED) everywhere.
"""

from __future__ import annotations

from datetime import datetime

import msgspec

from chatd.domain import Contact, ContactStatus
from chatd.errors import Conflict, Forbidden, NotFound
from chatd.storage.ports.contacts import ContactPair, Decide

REFUSED = "This user does not accept this from you."
REFUSED_CODE = "contact_refused"


def refused() -> Forbidden:
    return Forbidden(REFUSED, code=REFUSED_CODE)


def blocked(by_me: bool) -> Forbidden:
    """Refusing something direct across a block: the blocker is told to
    unblock; the blocked user gets the neutral refusal."""
    if by_me:
        return Forbidden("You blocked this user: unblock them first.", code="contact_blocked")
    return refused()


def _new(owner_id: str, user_id: str, status: ContactStatus, at: datetime) -> Contact:
    return Contact(owner_id=owner_id, user_id=user_id, status=status, created_at=at, updated_at=at)


def _set(side: Contact | None, owner_id: str, user_id: str, status: ContactStatus, at: datetime) -> Contact:
    """`side` with a new status; alias and note survive status changes."""
    if side is None:
        return _new(owner_id, user_id, status, at)
    if side.status == status:
        return side
    return msgspec.structs.replace(side, status=status, updated_at=at)


def _blocked(side: Contact | None) -> bool:
    return side is not None and side.status == "blocked"


def request_rule(me: str, them: str, at: datetime) -> Decide:
    def decide(pair: ContactPair) -> ContactPair:
        mine, theirs = pair.mine, pair.theirs
        if _blocked(theirs):
            raise refused()
        if mine is None or mine.status == "pending_out":
            return ContactPair(
                mine=_set(mine, me, them, "pending_out", at), theirs=_set(theirs, them, me, "pending_in", at)
            )
        if mine.status == "blocked":
            raise Conflict("You blocked this user: unblock them first.", code="contact_blocked")
        # pending_in: they asked first, so asking back accepts; accepted: nothing to do.
        return ContactPair(mine=_set(mine, me, them, "accepted", at), theirs=_set(theirs, them, me, "accepted", at))

    return decide


def accept_rule(me: str, them: str, at: datetime) -> Decide:
    def decide(pair: ContactPair) -> ContactPair:
        mine, theirs = pair.mine, pair.theirs
        if mine is None or _blocked(theirs):
            raise NotFound("There is no contact request from this user.", code="no_contact_request")
        if mine.status == "accepted":
            return pair
        if mine.status != "pending_in":
            raise Conflict(f"Only a received request can be accepted (this one is {mine.status}).",
                           code="not_pending_in", extra={"current": mine})
        return ContactPair(mine=_set(mine, me, them, "accepted", at), theirs=_set(theirs, them, me, "accepted", at))

    return decide


def block_rule(me: str, them: str, at: datetime) -> Decide:
    def decide(pair: ContactPair) -> ContactPair:
        # Their own block of me stays: blocks are one-sided and independent.
        theirs = pair.theirs if _blocked(pair.theirs) else None
        return ContactPair(mine=_set(pair.mine, me, them, "blocked", at), theirs=theirs)

    return decide


def remove_rule() -> Decide:
    """Remove, decline, cancel or unblock: my side goes; their side goes too
    unless it is their block of me (an unblock never touches their side)."""

    def decide(pair: ContactPair) -> ContactPair:
        mine, theirs = pair.mine, pair.theirs
        if mine is None:
            raise NotFound("There is no contact with this user.", code="no_contact")
        if mine.status == "blocked" or _blocked(theirs):
            return ContactPair(mine=None, theirs=theirs)
        return ContactPair(mine=None, theirs=None)

    return decide


def edit_rule(alias: str | None, note: str | None, at: datetime) -> Decide:
    def decide(pair: ContactPair) -> ContactPair:
        mine = pair.mine
        if mine is None:
            raise NotFound("There is no contact with this user.", code="no_contact")
        new = msgspec.structs.replace(
            mine, alias=mine.alias if alias is None else alias, note=mine.note if note is None else note
        )
        if new != mine:
            new = msgspec.structs.replace(new, updated_at=at)
        return ContactPair(mine=new, theirs=pair.theirs)

    return decide
