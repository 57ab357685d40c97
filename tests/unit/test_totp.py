"""TOTP against RFC 6238's own test vectors (SHA-1), drift, the otpauth URI,
recovery code forms, and sealing of secrets at rest."""

from __future__ import annotations

import base64
import os

import pytest

from chatd.errors import StorageFailed
from chatd.keys.local import LocalKeyRing
from chatd.services.second_factor import recovery, totp
from chatd.services.second_factor.sealing import SecretSealer

RFC_KEY = b"12345678901234567890"
RFC_SECRET = base64.b32encode(RFC_KEY).decode()


@pytest.mark.parametrize("t, expected", [(59, "94287082"), (1111111109, "07081804"), (1111111111, "14050471"),
                                         (1234567890, "89005924"), (2000000000, "69279037"),
                                         (20000000000, "65353130")])
def test_rfc6238_sha1_vectors(t, expected):
    assert totp.hotp(RFC_KEY, totp.step_at(t), digits=8) == expected
    assert totp.code_at(RFC_SECRET, t) == expected[-6:]


def test_a_code_matches_its_step_and_one_either_side_only():
    t = 1_700_000_000
    code = totp.code_at(RFC_SECRET, t)
    assert totp.matching_step(RFC_SECRET, code, t) == totp.step_at(t)
    assert totp.matching_step(RFC_SECRET, code, t + 30) == totp.step_at(t)
    assert totp.matching_step(RFC_SECRET, code, t - 30) == totp.step_at(t)
    assert totp.matching_step(RFC_SECRET, code, t + 90) is None
    for bad in ("", "12345", "1234567", "abcdef", "١٢٣٤٥٦"):  # Arabic-Indic digits are not ASCII digits
        assert totp.matching_step(RFC_SECRET, bad, t) is None


def test_secrets_are_160_random_bits_and_the_uri_names_the_parameters():
    secret = totp.new_secret()
    assert len(secret) == 32 and len(base64.b32decode(secret)) == 20 and secret != totp.new_secret()
    uri = totp.otpauth_uri(secret, "alice", "chatd")
    assert uri == (f"otpauth://totp/chatd%3Aalice?secret={secret}&issuer=chatd&algorithm=SHA1&digits=6&period=30")


def test_recovery_codes_are_typed_loosely_but_exactly():
    codes = recovery.new_codes()
    assert len(codes) == 10 and len(set(codes)) == 10
    code = codes[0]
    assert recovery.normalise(code.upper()) == code
    assert recovery.normalise(code.replace("-", " ")) == code
    assert recovery.normalise(code[:-1]) is None and recovery.normalise(code + "a") is None
    assert recovery.normalise("0000-0000-0000-0000") is None  # 0 and 1 are not base32
    assert recovery.code_hash("u1", code) != recovery.code_hash("u2", code)


def sealer(key: bytes | None) -> SecretSealer:
    return SecretSealer(LocalKeyRing(factor_keys=[key] if key else []))


async def test_sealed_secrets_open_only_for_their_user_and_key():
    key = os.urandom(32)
    sealed = await sealer(key).seal("u1", "SECRET")
    assert sealed.startswith("v1:") and "SECRET" not in sealed and sealed != await sealer(key).seal("u1", "SECRET")
    assert await sealer(key).open("u1", sealed) == "SECRET"
    with pytest.raises(StorageFailed):
        await sealer(key).open("u2", sealed)
    with pytest.raises(StorageFailed):
        await sealer(os.urandom(32)).open("u1", sealed)
    with pytest.raises(StorageFailed):
        await sealer(None).open("u1", sealed)
    # Stored before a key was set: still read.
    assert await sealer(key).open("u1", await sealer(None).seal("u1", "OLD")) == "OLD"
