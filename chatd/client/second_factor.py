"""Two-step sign-in from Python: sign in with a code, step up, enrol and
turn TOTP off (docs/api.md, Auth and /me/second-factor)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from chatd.client.errors import ChatdError
from chatd.client.http import HttpTransport
from chatd.client.models import Login

# A code, or something that gives one when the server asks (a prompt).
CodeSource = str | Callable[[], str | Awaitable[str]]


def key_only(err: ChatdError) -> ChatdError:
    """The account's only second factor is a security key, which this client
    cannot use: say so and what to do, instead of asking for a code."""
    return ChatdError(err.status, "security_key_only",
                      "This account signs in with a security key, which chatd's Python client and the terminal "
                      "cannot use. Sign in with the web app, or add an authenticator app (Settings > Two-step "
                      "sign-in) and use its codes here, or use a personal API token (CHATD_TOKEN).", err.problem)


class SecondFactorApi(HttpTransport):
    async def login_with_code(self, username: str, password: str, code: CodeSource | None) -> Login:
        """`login`, and when the account has two-step sign-in, its second step
        with `code` (a string, or a callable asked only then). Without a code
        the 401 second_factor_required is raised as it came; when the account
        offers only a security key (WebAuthn, which this client does not
        do), ChatdError code "security_key_only" says so and what to do."""
        try:
            login = await self.call("POST", "/auth/login", json={"username": username, "password": password},
                                    type=Login)
        except ChatdError as err:
            if err.code != "second_factor_required":
                raise
            if "totp" not in err.problem.get("methods", ["totp"]):
                raise key_only(err) from None
            if code is None:
                raise
            given = code() if callable(code) else code
            typed = await given if isinstance(given, Awaitable) else given
            return await self.login_second_factor(err.problem["challenge"], typed)
        self.token = login.token
        return login

    async def login_second_factor(self, challenge: str, code: str) -> Login:
        login = await self.call("POST", "/auth/login/second-factor", json={"challenge": challenge, "code": code},
                                type=Login)
        self.token = login.token
        return login

    async def reauth(self, password: str, code: str | None = None) -> None:
        """Step-up: high-value calls (create_token, change_password...) then
        work for 10 minutes on this session or token."""
        body: dict[str, Any] = {"password": password} | ({"code": code} if code else {})
        await self.call("POST", "/auth/reauth", json=body)

    async def second_factor(self) -> dict[str, Any]:
        """{totp, pending, recovery_codes_left, security_keys, enabled, admin_required}."""
        return await self.call("GET", "/me/second-factor")

    async def begin_totp(self) -> dict[str, str]:
        """{secret, otpauth_uri}: not in force until confirm_totp."""
        return await self.call("POST", "/me/second-factor/totp")

    async def confirm_totp(self, code: str) -> list[str]:
        """Turn it on; answers the 10 recovery codes (shown only now)."""
        return (await self.call("POST", "/me/second-factor/totp/confirm", json={"code": code}))["recovery_codes"]

    async def disable_totp(self, password: str, code: str) -> None:
        await self.call("POST", "/me/second-factor/totp/disable", json={"password": password, "code": code})
