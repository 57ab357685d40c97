"""chatd.client: an async Python client for the whole chatd API (httpx for
HTTP, `websockets` for the real-time socket), for scripts, bots and tests.

    import asyncio
    from chatd.client import Client
    from chatd.domain import Event

    async def main() -> None:
        async with Client("http://127.0.0.1:8080") as alice:
            await alice.login("alice", "correct horse battery")
            bob = (await alice.users("bob"))[0]
            chat = await alice.create_direct(bob.id)
            async with alice.connect() as conn:              # reconnects and resumes by itself
                await conn.send_message(chat.id, "hi bob")   # ack = stored, durable
                async for frame in conn:                     # Event | Presence | Typing | dict
                    if isinstance(frame, Event) and frame.type == "message.created":
                        print(frame.payload["body"])

    asyncio.run(main())

A bot keeps `conn.cursor` (the last event it saw) somewhere and passes it
back as `connect(since=cursor)` after a restart: it then gets exactly the
events it missed, then live ones. Errors from the server raise `ChatdError`
(`.status`, `.code`, `.problem`).

End-to-end encrypted conversations: `chatd.client.e2ee.E2ee` (imported
separately, it loads PyNaCl) seals what is sent and opens what arrives:

    from chatd.client.e2ee import E2ee

    e2ee = await E2ee.start(alice)                  # this device's keys, published
    chat = await alice.create_direct(bob.id, e2ee=True)
    await e2ee.send(chat.id, "only bob's devices can read this")
    print((await e2ee.read(message)).shown())       # text, or "could not be decrypted: why"
"""

from chatd.client.api import Client
from chatd.client.chats import new_client_id
from chatd.client.errors import ChatdError, ConnectionLost, ResyncRequired
from chatd.client.models import ConversationView, Login, MessagePage, Presence, SyncPage, Typing
from chatd.client.socket import Connection

__all__ = [
    "ChatdError",
    "Client",
    "Connection",
    "ConnectionLost",
    "ConversationView",
    "Login",
    "MessagePage",
    "Presence",
    "ResyncRequired",
    "SyncPage",
    "Typing",
    "new_client_id",
]
