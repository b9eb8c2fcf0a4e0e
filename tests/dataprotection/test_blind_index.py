"""Searching debtors by name through the keyed word-prefix index, and the refusal to compare ciphertext."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask
from sqlalchemy import select, text

from paypage.extensions import database
from paypage.store import models
from paypage.store.blind_index import name_matches, tokens, words
from paypage.store.crypto import EncryptedColumnError, Keyring
from tests.dataprotection.support import hand_over, new_tenant

NOW = dt.datetime(2026, 11, 3, 8, 0, tzinfo=dt.UTC)


def _found(app: Flask, creditor_id: str, query: str) -> list[str]:
    with app.app_context(), database().transaction() as session:
        return sorted(
            session.scalars(
                select(models.Debtor.id).where(
                    models.Debtor.creditor_id == creditor_id, name_matches(models.Debtor.name_index, query)
                )
            )
        )


def test_word_prefixes_find_the_debtor(app: Flask) -> None:
    tenant = new_tenant(app, NOW)
    erika = hand_over(app, tenant, NOW, name="Erika Mustermann-Groß").debtor_id
    max_ = hand_over(app, tenant, NOW, name="Max Mustermann").debtor_id
    other = new_tenant(app, NOW, "Elsewhere")
    hand_over(app, other, NOW, name="Erika Mustermann")

    assert _found(app, tenant.creditor_id, "muster") == sorted([erika, max_])
    assert _found(app, tenant.creditor_id, "MUSTERMANN erika") == [erika]
    assert _found(app, tenant.creditor_id, "groß") == [erika]
    assert _found(app, tenant.creditor_id, "gross") == [erika]  # case folding: "ß" is "ss"
    assert _found(app, tenant.creditor_id, "stermann") == []  # prefixes of words, not substrings
    assert _found(app, tenant.creditor_id, "e") == []  # one letter is too little to search by

    with app.app_context(), database().engine.connect() as connection:
        stored = connection.execute(text("SELECT name_index FROM debtors WHERE id = :id"), {"id": erika}).scalar_one()
    assert "muster" not in stored.lower() and "erika" not in stored.lower()


def test_renaming_updates_the_index(app: Flask) -> None:
    tenant = new_tenant(app, NOW)
    debtor_id = hand_over(app, tenant, NOW, name="Anna Alt").debtor_id
    with app.app_context(), database().transaction() as session:
        debtor = session.get(models.Debtor, (tenant.creditor_id, debtor_id))
        assert debtor is not None
        debtor.name = "Anna Neu"
    assert _found(app, tenant.creditor_id, "neu") == [debtor_id]
    assert _found(app, tenant.creditor_id, "alt") == []


def test_comparing_an_encrypted_column_is_refused() -> None:
    with pytest.raises(EncryptedColumnError, match="debtors.name is encrypted at rest"):
        models.Debtor.name.ilike("%erika%")
    with pytest.raises(EncryptedColumnError):
        _ = models.Debtor.email == "erika@example.de"
    assert models.Debtor.email.is_(None) is not None


def test_tokens_depend_on_the_key_and_hide_short_words() -> None:
    one, two = Keyring.parse("a:" + "A" * 43), Keyring.development()
    assert tokens(one, "Erika") != tokens(two, "Erika")
    assert tokens(one, "Erika Mustermann") == tokens(one, "  erika   MUSTERMANN ")
    assert words("Zoë Ørsted-Ångström") == ["zoë", "ørsted", "ångström"]
