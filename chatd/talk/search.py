"""/search WORDS in `chatd talk`: the server's search in a plain
conversation; in an encrypted one, this device searches what it decrypts
(the server cannot read it)."""

from __future__ import annotations

from typing import Any

from chatd.client import ChatdError, Client, ConversationView
from chatd.client.e2ee import E2ee
from chatd.talk.screen import Screen


class SearchCommand:
    client: Client
    conversation: ConversationView
    e2ee: E2ee | None
    screen: Screen

    def _name(self, user_id: str) -> str: ...

    async def _search(self, query: str) -> None:
        from chatd.talk.session import local_clock

        if not query.strip():
            self.screen.show("* /search WORDS")
            return
        hits: list[tuple[Any, str]]
        try:
            if self.conversation.e2ee and self.e2ee is not None:
                hits = [(m, r.text or "") for m, r in await self.e2ee.search(self.conversation.id, query)]
            else:
                hits = [(m, m.body or "") for m in await self.client.search(query, conversation_id=self.conversation.id)]
        except ChatdError as err:
            self.screen.show(f"* search failed ({err.code})")
            return
        where = " (searched on this device)" if self.conversation.e2ee else ""
        self.screen.show(f"* {len(hits)} found for {query!r}{where}")
        for m, text in hits:
            self.screen.show(f"  [{local_clock(m.created_at)}] {self._name(m.sender_id)}: {text}")
