"""Accounts, profile, API tokens, device keys, the user directory, contacts."""

from __future__ import annotations

from typing import Any

from chatd.client.http import HttpTransport
from chatd.client.models import ContactView, Items, Login, NewToken
from chatd.domain import PublicUser, User
from chatd.domain.auth import ApiToken


class AccountsApi(HttpTransport):
    # --- auth: register/login keep the returned token for later calls ---
    async def register(self, username: str, password: str, *, display_name: str | None = None,
                       invite: str | None = None) -> Login:
        body: dict[str, Any] = {"username": username, "password": password}
        if display_name is not None:
            body["display_name"] = display_name
        if invite is not None:
            body["invite"] = invite
        login = await self.call("POST", "/auth/register", json=body, type=Login)
        self.token = login.token
        return login

    async def login(self, username: str, password: str) -> Login:
        login = await self.call("POST", "/auth/login", json={"username": username, "password": password}, type=Login)
        self.token = login.token
        return login

    async def logout(self) -> None:
        await self.call("POST", "/auth/logout")
        self.token = None

    # --- own profile ---
    async def me(self) -> User:
        return await self.call("GET", "/me", type=User)

    async def update_me(self, version: int, **fields: Any) -> User:
        """display_name=, avatar=, bio=, status_text=, preferences= (replaced
        whole), based on `version`; a stale one raises ChatdError 409."""
        return await self.call("PATCH", "/me", json={**fields, "version": version}, type=User)

    async def change_password(self, current: str, new: str) -> None:
        await self.call("PUT", "/me/password", json={"current": current, "new": new})

    async def publish_keys(self, device_id: str, x25519: str, ed25519: str, sig: str) -> User:
        """Publish this device's E2EE public keys (base64 of the raw 32-byte keys)
        and its signature of them (docs/e2ee.md; chatd.client.e2ee does all this)."""
        body = {"device_id": device_id, "x25519": x25519, "ed25519": ed25519, "sig": sig}
        return await self.call("PUT", "/me/keys", json=body, type=User)

    async def withdraw_keys(self, device_id: str) -> User:
        return await self.call("DELETE", f"/me/keys/{device_id}", type=User)

    # --- personal API tokens (bots and scripts) ---
    async def tokens(self) -> list[ApiToken]:
        return (await self.call("GET", "/me/tokens", type=Items[ApiToken])).items

    async def create_token(self, name: str, *, expires_days: int | None = None) -> NewToken:
        """A new token; the answer is the only time its secret (`.token`) is shown."""
        body: dict[str, Any] = {"name": name}
        if expires_days is not None:
            body["expires_days"] = expires_days
        return await self.call("POST", "/me/tokens", json=body, type=NewToken)

    async def delete_token(self, token_id: str) -> None:
        await self.call("DELETE", f"/me/tokens/{token_id}")

    async def delete_all_tokens(self) -> None:
        await self.call("DELETE", "/me/tokens")

    # --- the directory ---
    async def users(self, q: str = "", *, limit: int | None = None) -> list[PublicUser]:
        """Users whose username starts with q or whose display name contains it."""
        return (await self.call("GET", "/users", params={"q": q, "limit": limit}, type=Items[PublicUser])).items

    async def user(self, user_id: str) -> PublicUser:
        return await self.call("GET", f"/users/{user_id}", type=PublicUser)

    # --- contacts ---
    async def contacts(self) -> list[ContactView]:
        return (await self.call("GET", "/contacts", type=Items[ContactView])).items

    async def request_contact(self, user_id: str) -> ContactView:
        return await self.call("POST", "/contacts", json={"user_id": user_id}, type=ContactView)

    async def accept_contact(self, user_id: str) -> ContactView:
        return await self.call("POST", f"/contacts/{user_id}/accept", type=ContactView)

    async def block(self, user_id: str) -> ContactView:
        return await self.call("POST", f"/contacts/{user_id}/block", type=ContactView)

    async def edit_contact(self, user_id: str, *, alias: str | None = None, note: str | None = None) -> ContactView:
        body = {k: v for k, v in (("alias", alias), ("note", note)) if v is not None}
        return await self.call("PATCH", f"/contacts/{user_id}", json=body, type=ContactView)

    async def remove_contact(self, user_id: str) -> None:
        """Remove a contact, unblock, or cancel a request."""
        await self.call("DELETE", f"/contacts/{user_id}")
