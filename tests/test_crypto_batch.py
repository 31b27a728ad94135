"""Keyring.decrypt_json_many (the §4 count of individuals deciphers its victim records in one
batch): the same values as one token at a time, under every key of a ring being rotated, and
the same refusal for a token that does not open."""

from __future__ import annotations

import base64

import pytest
from cryptography.fernet import Fernet

from casework.crypto import Keyring, KeyUnavailable


def _victims(n: int) -> list[dict[str, object]]:
    return [
        {
            "family_name": f"Nguyễn-{i}" * (1 + i % 7),  # plaintexts of many lengths
            "given_name": "Ana María" if i % 2 else "",
            "date_of_birth": f"19{50 + i % 50}-01-0{1 + i % 9}",
            "aliases": ["x" * (i % 33)],
        }
        for i in range(n)
    ]


def test_batch_gives_what_one_at_a_time_gives_under_every_key() -> None:
    new, old = Fernet.generate_key(), Fernet.generate_key()
    ring, older = Keyring([new, old]), Keyring([old])
    victims = _victims(120)
    tokens = [
        (older if i % 3 == 0 else ring).encrypt_json(v) for i, v in enumerate(victims)
    ]  # one in three still under the older key, mid-rotation
    assert ring.decrypt_json_many(tokens) == [ring.decrypt_json(t) for t in tokens] == victims
    assert ring.decrypt_json_many([]) == []


@pytest.mark.parametrize("damage", ["flipped byte", "other key", "not base64", "truncated"])
def test_a_token_that_does_not_open_is_refused_as_before(damage: str) -> None:
    ring = Keyring([Fernet.generate_key()])
    tokens = [ring.encrypt_json(v) for v in _victims(5)]
    bad = tokens[2]
    if damage == "flipped byte":
        raw = bytearray(base64.urlsafe_b64decode(bad))
        raw[30] ^= 1  # in the ciphertext: the HMAC no longer matches
        bad = base64.urlsafe_b64encode(bytes(raw))
    elif damage == "other key":
        bad = Keyring([Fernet.generate_key()]).encrypt_json({"family_name": "X"})
    elif damage == "not base64":
        bad = b"not a token at all"
    else:
        bad = bad[:40]
    tokens[2] = bad
    with pytest.raises(KeyUnavailable) as one:
        ring.decrypt_json(bad)
    with pytest.raises(KeyUnavailable) as many:
        ring.decrypt_json_many(tokens)
    assert str(many.value) == str(one.value)
