"""Deleting one's own account (ASVS 8.3.2), after the password confirms it.

What goes and what stays (docs/api.md, SECURITY.md): the profile, password,
sessions, API tokens, device keys, key backup, sign-in factors, security
activity and contacts are erased at once
(UserStore.delete_account, one atomic step, which also refuses the last
admin). The account then leaves every group, ownership passing on as when an
owner leaves; a group left with nobody in it is removed with its messages
and files. Its messages stay in the conversations, shown as from "Deleted
user", as Slack, Signal and Matrix keep what others already received: the
other members' history must not change under them. Direct conversations keep
their two members, so the other person still has the conversation. The
username stays reserved: old mentions and people's memory point at it, and a
newcomer taking it could pass for the deleted person.

Leaving the groups comes after the erasure, and one conversation at a time
(the conversation side may be another database, MongoDB), so it cannot be
in the erasure's transaction. Instead the erasure leaves it pending in the
account's row (UserStore.departures_pending), and it is recorded done only
once every group is left. A deletion cut short (a store error, the process
killed) is finished by `finish_pending`, which each start runs and
`finish_forever` repeats every FINISH_EVERY seconds: leaving is idempotent.
"""

from __future__ import annotations

import asyncio
import logging

import msgspec

from chatd.domain import Conversation, Member, User
from chatd.domain.auth import Session
from chatd.errors import NotFound
from chatd.services.accounts import Accounts
from chatd.services.conversation_rules import successor
from chatd.services.second_factor.step_up import require_recent
from chatd.storage.ports.conversations import ConversationStore, DecideMembers, MemberPlan
from chatd.storage.ports.users import UserStore

log = logging.getLogger("chatd.auth")

DELETED_NAME = "Deleted user"
FINISH_EVERY = 300.0  # seconds between passes over deletions left unfinished
FINISH_BATCH = 100


def departure_rule(user_id: str) -> DecideMembers:
    """A deleted account leaves a group whatever its role; an owner hands the
    group on (remove_rule's successor). Direct conversations keep it."""

    def decide(conv: Conversation | None, members: list[Member]) -> MemberPlan:
        if conv is None:
            raise NotFound("No such conversation.")  # removed meanwhile: nothing to leave
        own = next((m for m in members if m.user_id == user_id), None)
        if conv.kind != "group" or own is None:
            return MemberPlan()
        heir = successor(members, user_id) if own.role == "owner" else None
        return MemberPlan(remove=[user_id], update=[msgspec.structs.replace(heir, role="owner")] if heir else [])

    return decide


class AccountDeletion:
    def __init__(self, accounts: Accounts, users: UserStore, conversations: ConversationStore):
        self.accounts = accounts
        self.users = users
        self.conversations = conversations

    async def delete(self, me: User, session: Session | None, password: str) -> None:
        """Raises Forbidden(reauthentication_required / wrong_password) or
        Conflict(last_admin) with nothing changed. Like every high-value
        action it needs a recent step-up on `session` (second_factor/step_up.py)."""
        require_recent(session)
        await self.accounts.confirm(me, password, "account deletion")
        if await self.users.delete_account(me.id, display_name=DELETED_NAME) is None:
            raise NotFound("No such account.", code="account_gone")
        log.info("account deleted: %r (id %s) by its owner", me.username, me.id)
        await self.leave_groups(me.id)
        await self.users.departure_done(me.id)

    async def finish_pending(self) -> int:
        """Finish every deletion whose leaving of groups was cut short; how many."""
        finished = 0
        while pending := await self.users.departures_pending(FINISH_BATCH):
            for user_id in pending:
                await self.leave_groups(user_id)
                await self.users.departure_done(user_id)
                finished += 1
        return finished

    async def finish_forever(self, every: float = FINISH_EVERY) -> None:
        """finish_pending at once (a start after a crash), then every `every` s."""
        while True:
            try:
                if finished := await self.finish_pending():
                    log.info("finished leaving groups for %d deleted account(s)", finished)
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - a store away for a moment: the next pass goes on
                log.exception("finishing deleted accounts' departures from groups failed; retrying later")
            await asyncio.sleep(every)

    async def leave_groups(self, user_id: str) -> None:
        """Safe to run again: a group already left is not touched. A group
        left with nobody in it is removed (the store checks, atomically)."""
        for conv, _ in await self.conversations.list_for(user_id):
            if conv.kind != "group":
                continue
            try:
                await self.conversations.change_members(conv.id, departure_rule(user_id))
            except NotFound:
                continue
            await self.conversations.drop_if_empty(conv.id)
