"""Request and response bodies of the contact and conversation endpoints.

Length limits here only bound the work per request; the real rules (checked
after chatd.text.clean, with stable error codes) live in the services.
"""

from __future__ import annotations

from typing import Annotated

import msgspec
from msgspec import Meta

from chatd.domain import Contact, Conversation, Member, MemberRole, Message, PublicUser
from chatd.services.conversations import Overview

Id = Annotated[str, Meta(min_length=1, max_length=64)]
Text = Annotated[str, Meta(max_length=8192)]
Ids = Annotated[list[Id], Meta(max_length=1000)]
Seq = Annotated[int, Meta(ge=0, le=2**63 - 1)]
Version = Annotated[int, Meta(ge=1, le=2**31 - 1, description="the version this change is based on; required "
                                                               "unless an If-Match header names it")]
Title = Annotated[str, Meta(max_length=8192, description="1-200 characters after cleaning (NFC, control characters "
                                                         "removed, one line)")]
Topic = Annotated[str, Meta(max_length=8192, description="at most 1000 characters after cleaning")]


class Body(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    pass


# --- contacts ---------------------------------------------------------------


class ContactIn(Body):
    user_id: Id


class ContactPatch(Body):
    """Own alias and note for a contact; a missing (or null) field stays."""

    alias: Text | None = None
    note: Text | None = None


class ContactView(Contact, kw_only=True):
    """My side of the relation plus the other user's public profile."""

    user: PublicUser

    @classmethod
    def of(cls, contact: Contact, user: PublicUser) -> ContactView:
        return cls(**msgspec.structs.asdict(contact), user=user)


class Contacts(msgspec.Struct):
    items: list[ContactView]


# --- conversations ----------------------------------------------------------


class DirectIn(Body, tag="direct", tag_field="kind"):
    user_id: Id
    e2ee: Annotated[bool | None, Meta(description="left out: encrypted when the e2ee_default flag is on for the "
                                                  "caller (and e2ee too)")] = None


class GroupIn(Body, tag="group", tag_field="kind"):
    title: Title
    member_ids: Ids = []
    topic: Topic = ""
    e2ee: bool = False


class ConversationPatch(Body):
    """A missing (or null) field stays; `version` or If-Match names the
    version the change is based on."""

    title: Title | None = None
    topic: Topic | None = None
    e2ee: bool | None = None
    version: Version | None = None


class MembersIn(Body):
    user_ids: Annotated[list[Id], Meta(min_length=1, max_length=1000)]


class MemberPatch(Body):
    role: MemberRole | None = None
    muted: bool | None = None


class ReadIn(Body):
    seq: Seq


class MemberView(Member, kw_only=True):
    user: PublicUser | None = None


class ConversationView(Conversation, kw_only=True):
    """A conversation as one member sees it: unread count (last_seq minus
    their last_read_seq, never below 0), the newest message, the members."""

    unread: int = 0
    last_message: Message | None = None
    members: list[MemberView] = []

    @classmethod
    def of(cls, o: Overview) -> ConversationView:
        members = [MemberView(**msgspec.structs.asdict(m), user=o.users.get(m.user_id)) for m in o.members]
        return cls(
            **msgspec.structs.asdict(o.conversation), unread=o.unread, last_message=o.last_message, members=members
        )


class Conversations(msgspec.Struct):
    items: list[ConversationView]


class Members(msgspec.Struct):
    items: list[MemberView]
