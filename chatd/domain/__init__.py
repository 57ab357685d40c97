"""The five entities of the seed plus the sync event, as msgspec Structs.

The HTTP API, WebSocket frames, JSON Schemas (`chatd schema`) and every
storage adapter speak these types. Server-only secrets (password hashes,
token hashes, storage keys) never live on a type that is serialized.
"""

from chatd.domain.attachment import Attachment
from chatd.domain.contact import Contact, ContactStatus
from chatd.domain.conversation import Conversation, ConversationKind, Member, MemberRole
from chatd.domain.event import Event
from chatd.domain.message import Envelope, Message, MessageKind
from chatd.domain.user import DeviceKey, PublicUser, Role, User

__all__ = [
    "Attachment",
    "Contact",
    "ContactStatus",
    "Conversation",
    "ConversationKind",
    "DeviceKey",
    "Envelope",
    "Event",
    "Member",
    "MemberRole",
    "Message",
    "MessageKind",
    "PublicUser",
    "Role",
    "User",
]
