"""The password pepper (ASVS 2.4.5) on both engines: made on the first
start in data_dir, never in the database, checked against the database at
every start, and hashes from before it upgraded on the next sign-in."""

from __future__ import annotations

import base64
import stat

import pytest
from argon2 import PasswordHasher
from argon2.exceptions import VerificationError

from chatd.config import ConfigError
from chatd.pepper_file import SETTING, default_path, open_passwords, pepper_id
from chatd.services.accounts import Accounts
from chatd.services.security_activity import SecurityActivity
from chatd.services.passwords import SCHEME, hasher
from tests.conftest import make_config

PASSWORD = "correct horse battery"


def other_pepper() -> str:
    return base64.b64encode(b"another server's pepper, 32 byte").decode()


async def test_first_start_makes_a_private_pepper_file_and_keeps_only_its_id(stores, tmp_path, database_url):
    config = make_config(tmp_path, database_url)
    passwords = await open_passwords(config, stores.settings)
    path = default_path(config)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    pepper = base64.b64decode(path.read_text())
    assert len(pepper) == 32 and passwords.pepper_id == pepper_id(pepper)
    assert await stores.settings.get(SETTING) == passwords.pepper_id
    assert pepper.hex() not in passwords.pepper_id and base64.b64encode(pepper).decode() not in passwords.pepper_id
    again = await open_passwords(config, stores.settings)  # the next start reads the same one
    assert again.pepper_id == pepper_id(pepper)


async def test_a_stolen_database_alone_does_not_check_a_guess(stores, tmp_path, database_url):
    config = make_config(tmp_path, database_url)
    accounts = Accounts(config, stores.users, stores.auth, stores.cache, stores.settings, stores.second_factors,
                        SecurityActivity(stores.security_activity), await open_passwords(config, stores.settings))
    user = await accounts.create_user("root", PASSWORD)
    stored = await stores.users.password_hash(user.id)
    assert stored.startswith(SCHEME)
    inner = "$" + stored.split("$", 3)[3]
    with pytest.raises(VerificationError):  # the right password, without the pepper: no match
        hasher().verify(inner, PASSWORD)
    await accounts.login("root", PASSWORD, "127.0.0.1")


async def test_a_missing_or_different_pepper_refuses_to_start(stores, tmp_path, database_url):
    config = make_config(tmp_path, database_url)
    await open_passwords(config, stores.settings)
    with pytest.raises(ConfigError, match="is not the one this database's password hashes were made with"):
        await open_passwords(make_config(tmp_path, database_url, auth={"pepper": other_pepper()}), stores.settings)
    default_path(config).unlink()
    with pytest.raises(ConfigError, match="is missing, but this database's password hashes need") as info:
        await open_passwords(config, stores.settings)
    assert "\n" not in str(info.value)
    assert not default_path(config).exists()  # no new pepper was made in its place


async def test_a_configured_pepper_is_used_and_a_bad_one_named(stores, tmp_path, database_url):
    passwords = await open_passwords(make_config(tmp_path, database_url, auth={"pepper": other_pepper()}),
                                     stores.settings)
    assert passwords.pepper_id == pepper_id(b"another server's pepper, 32 byte")
    assert not default_path(make_config(tmp_path)).exists()
    for bad, why in (("not base64!", "not base64"), (base64.b64encode(b"short").decode(), "at least 32")):
        with pytest.raises(ConfigError, match=why):
            await open_passwords(make_config(tmp_path, database_url, auth={"pepper": bad}), stores.settings)


async def test_a_hash_from_before_the_pepper_signs_in_and_is_upgraded(stores, tmp_path, database_url):
    config = make_config(tmp_path, database_url)
    accounts = Accounts(config, stores.users, stores.auth, stores.cache, stores.settings, stores.second_factors,
                        SecurityActivity(stores.security_activity), await open_passwords(config, stores.settings))
    user = await accounts.create_user("root", PASSWORD)
    old = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)  # as chatd stored it before
    await stores.users.set_password(user.id, old)
    with pytest.raises(Exception, match="Wrong username or password"):
        await accounts.login("root", "wrong horse battery", "127.0.0.1")
    assert await stores.users.password_hash(user.id) == old  # a failed sign-in changes nothing
    await accounts.login("root", PASSWORD, "127.0.0.1")
    upgraded = await stores.users.password_hash(user.id)
    assert upgraded.startswith(SCHEME + accounts.passwords.pepper_id)
    await accounts.login("root", PASSWORD, "127.0.0.1")  # the upgraded hash works


async def test_a_hash_made_with_another_pepper_never_matches(stores, tmp_path, database_url):
    from chatd.keys.local import LocalKeyRing
    from chatd.services.passwords import Passwords

    config = make_config(tmp_path, database_url)
    ours = await open_passwords(config, stores.settings)
    theirs = Passwords(LocalKeyRing(pepper=b"another server's pepper, 32 byte"))
    assert await theirs.verify(await theirs.hash(PASSWORD), PASSWORD)
    assert not await ours.verify(await theirs.hash(PASSWORD), PASSWORD)
    assert ours.needs_rehash(await theirs.hash(PASSWORD))
