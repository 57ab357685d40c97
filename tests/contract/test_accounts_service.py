"""The accounts service over real stores on both engines: the CLI-facing
admin calls, authenticate(), registration modes, login rehash."""

from __future__ import annotations

from datetime import timedelta

import pytest
from argon2 import PasswordHasher

from chatd import clock
from chatd.errors import Conflict, Forbidden, Invalid, NotFound, Unauthenticated
from chatd.keys.local import LocalKeyRing
from chatd.services.accounts import Accounts
from chatd.services.passwords import Passwords
from tests.conftest import make_config
from tests.sql_handle import sql_db
from chatd.services.security_activity import SecurityActivity

PASSWORD = "correct horse battery"


@pytest.fixture
def accounts_for(stores, tmp_path, database_url):
    def build(**sections) -> Accounts:
        config = make_config(tmp_path, database_url, **sections)
        return Accounts(config, stores.users, stores.auth, stores.cache, stores.settings, stores.second_factors,
                        SecurityActivity(stores.security_activity), Passwords(LocalKeyRing(pepper=b"p" * 32)))
    return build


@pytest.fixture
def accounts(accounts_for) -> Accounts:
    return accounts_for()


async def test_cli_calls_create_list_disable_and_set_role_by_username(accounts):
    root = await accounts.create_user("Root", PASSWORD, "member", "The Root")
    bob = await accounts.create_user("bob", PASSWORD, "guest")
    assert (root.role, root.display_name, bob.role) == ("admin", "The Root", "guest")
    assert [u.username for u in await accounts.list_users()] == ["bob", "root"]
    assert (await accounts.set_disabled("BOB", True)).disabled is True
    assert (await accounts.set_role(bob.id, "member")).role == "member"
    with pytest.raises(NotFound):
        await accounts.set_disabled("nobody", True)
    with pytest.raises(Conflict):
        await accounts.set_role("root", "member")
    with pytest.raises(Conflict):
        await accounts.create_user("root", PASSWORD)
    with pytest.raises(Invalid):
        await accounts.create_user("x", PASSWORD)


async def test_admin_calls_refuse_non_admin_actors(accounts):
    await accounts.create_user("root", PASSWORD)
    bob = await accounts.create_user("bob", PASSWORD)
    for call in (accounts.list_users(actor=bob), accounts.stats(actor=bob), accounts.list_invites(actor=bob),
                 accounts.set_role("bob", "admin", actor=bob), accounts.create_user("eve", PASSWORD, actor=bob)):
        with pytest.raises(Forbidden):
            await call


async def test_authenticate_checks_token_expiry_and_disabled(accounts):
    await accounts.create_user("root", PASSWORD)
    bob, token = await accounts.register("bob", PASSWORD)
    user, session = await accounts.authenticate(token)
    assert user.id == bob.id and session.kind == "session" and session.expires_at > clock.now() + timedelta(days=29)
    for bad in ("", "nope", "x" * 300):
        with pytest.raises(Unauthenticated):
            await accounts.authenticate(bad)
    await accounts.set_disabled("bob", True)
    with pytest.raises(Forbidden):
        await accounts.authenticate(token)
    await accounts.set_disabled("bob", False)
    await accounts.logout(session)
    with pytest.raises(Unauthenticated):
        await accounts.authenticate(token)


async def test_registration_modes(accounts_for):
    closed = accounts_for(auth={"registration": "closed"})
    with pytest.raises(Forbidden):
        await closed.register("alice", PASSWORD)
    invite_only = accounts_for(auth={"registration": "invite"})
    root = await invite_only.create_user("root", PASSWORD)
    with pytest.raises(Forbidden):
        await invite_only.register("alice", PASSWORD)
    _, code = await invite_only.create_invite(1, 1, actor=root)
    alice, _ = await invite_only.register("alice", PASSWORD, invite=code)
    assert alice.role == "member"
    # An open server ignores an invite rather than spending it.
    _, spare = await invite_only.create_invite(1, 1, actor=root)
    await accounts_for().register("carol", PASSWORD, invite=spare)
    assert [i.uses for i in await invite_only.list_invites(actor=root)] == [0, 1]


async def test_login_upgrades_a_weaker_hash(accounts, stores):
    root = await accounts.create_user("root", PASSWORD)
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1, salt_len=8).hash(PASSWORD)
    await stores.users.set_password(root.id, weak)
    await accounts.login("root", PASSWORD, "127.0.0.1")
    assert await stores.users.password_hash(root.id) != weak
    await accounts.login("root", PASSWORD, "127.0.0.1")


async def test_new_sessions_purge_expired_ones_now_and_then(accounts_for, stores):
    accounts = accounts_for()
    root = await accounts.create_user("root", PASSWORD)
    _, old = await accounts.login("root", PASSWORD)
    await sql_db(stores).write(lambda c: c.execute("UPDATE sessions SET expires_at = 1"))
    await accounts.login("root", PASSWORD)  # purged less than an hour ago: not again
    assert len(await stores.auth.list_sessions(root.id, "session")) == 2
    await accounts_for().login("root", PASSWORD)  # a new process purges at its first sign-in
    assert len(await stores.auth.list_sessions(root.id, "session")) == 2  # the live one + this one
    with pytest.raises(Unauthenticated):
        await accounts.authenticate(old)
