"""The keyring: authenticated encryption with key ids, parsing INKASSO_DATA_KEYS, production refusals."""

from __future__ import annotations

import base64

import pytest

from paypage.config import ConfigError, load_settings
from paypage.store.crypto import DataKeyError, Keyring, generate_key, key_id_of

K1 = generate_key("k1")
K2 = generate_key("k2")
PROD = {"INKASSO_ENV": "production", "INKASSO_SECRET_KEY": "s" * 40, "INKASSO_DATABASE_URL": "postgresql://db/x"}


def test_text_round_trip_names_the_key_and_hides_the_value() -> None:
    keyring = Keyring.parse(K1)
    sealed = keyring.encrypt_text("Łukasz Żółć", "debtors.name")
    assert sealed.startswith("k1$")
    assert "Łukasz" not in sealed and "ukasz" not in sealed
    assert keyring.decrypt_text(sealed, "debtors.name") == "Łukasz Żółć"
    assert key_id_of(sealed) == "k1"


def test_same_value_encrypts_differently_each_time() -> None:
    keyring = Keyring.parse(K1)
    assert keyring.encrypt_text("x", "p") != keyring.encrypt_text("x", "p")


def test_a_value_moved_to_another_column_does_not_decrypt() -> None:
    keyring = Keyring.parse(K1)
    sealed = keyring.encrypt_text("max@example.de", "debtors.email")
    with pytest.raises(DataKeyError, match="does not authenticate"):
        keyring.decrypt_text(sealed, "debtors.name")


def test_a_changed_ciphertext_is_refused() -> None:
    keyring = Keyring.parse(K1)
    raw = bytearray(keyring.encrypt(b"content", "uploads.content"))
    raw[-1] ^= 1
    with pytest.raises(DataKeyError, match="does not authenticate"):
        keyring.decrypt(bytes(raw), "uploads.content")


def test_all_listed_keys_decrypt_and_the_first_encrypts() -> None:
    old = Keyring.parse(K1).encrypt_text("Erika", "debtors.name")
    both = Keyring.parse(f"{K2},{K1}")
    assert both.decrypt_text(old, "debtors.name") == "Erika"
    assert key_id_of(both.encrypt_text("Erika", "debtors.name")) == "k2"


def test_a_missing_key_is_named() -> None:
    old = Keyring.parse(K1).encrypt_text("Erika", "debtors.name")
    with pytest.raises(DataKeyError, match="key 'k1', which INKASSO_DATA_KEYS lacks"):
        Keyring.parse(K2).decrypt_text(old, "debtors.name")


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("k1", "entry 1 must look like 'id:base64key'"),
        (f"{K1},k2:abc", "key 'k2' must be 32 bytes"),
        ("k1:!!!notbase64", "key 'k1' is not valid base64"),
        (f"{K1},{K1}", "listed twice"),
        ("bad id:" + base64.b64encode(b"x" * 32).decode(), "key id 'bad id'"),
    ],
)
def test_bad_key_lists_are_refused_with_the_reason(spec: str, message: str) -> None:
    with pytest.raises(DataKeyError, match=message):
        Keyring.parse(spec)


def test_keyring_repr_shows_ids_only() -> None:
    keyring = Keyring.parse(K1)
    assert repr(keyring) == "Keyring(ids=['k1'])"
    assert K1.split(":")[1] not in repr(load_settings({"data_keys": K1, "secret_key": "s" * 40}, environ={}))


def test_production_requires_data_keys() -> None:
    with pytest.raises(ConfigError, match="INKASSO_DATA_KEYS is required in production"):
        load_settings(environ=PROD)
    assert load_settings(environ={**PROD, "INKASSO_DATA_KEYS": K1}).data_keys == K1


def test_production_refuses_the_development_key() -> None:
    development = "dev:" + base64.b64encode(Keyring.development().keys[0][1]).decode()
    with pytest.raises(ConfigError, match="development key is refused in production"):
        load_settings(environ={**PROD, "INKASSO_DATA_KEYS": f"{K1},{development}"})


def test_malformed_keys_fail_at_start_naming_the_variable() -> None:
    with pytest.raises(ConfigError, match="INKASSO_DATA_KEYS: entry 1 must look like"):
        load_settings(environ={"INKASSO_DATA_KEYS": "nonsense", "INKASSO_SECRET_KEY": "s" * 40})
