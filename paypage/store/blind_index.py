"""Finding debtors by name although names are encrypted: a keyed blind index of word prefixes.

`debtors.name_index` holds, for every word of the name (case-folded) and every prefix of it from two
characters on, a truncated HMAC-SHA256 under a key derived from the newest data key, as
` token token ... `. A search word becomes one such token and matches with `LIKE '% token %'`: word-prefix
search ("muster" finds "Erika Mustermann"), without the name or its letters in the database. What leaks is
that two rows share a word prefix; substring search inside words is not possible by design.

The index is written with the name (an attribute event sets it whenever the name is set) and rebuilt by
`data-keys rotate` under the new key; until a rotation has finished, rows not yet rotated are not found.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from typing import Any

from sqlalchemy import ColumnElement, Text, and_, false, literal
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from paypage.store.crypto import Keyring, keyring_for

MIN_PREFIX = 2
MAX_PREFIX = 24
MAX_QUERY_WORDS = 5
TOKEN_HEX = 16
WORD = re.compile(r"\w+")


def words(text: str) -> list[str]:
    return WORD.findall(unicodedata.normalize("NFKC", text).casefold())


def _token(key: bytes, prefix: str) -> str:
    return hmac.new(key, prefix.encode(), hashlib.sha256).hexdigest()[:TOKEN_HEX]


def tokens(keyring: Keyring, text: str) -> str:
    key = keyring.index_key
    found = {
        _token(key, word[:length])
        for word in words(text)
        for length in range(MIN_PREFIX, min(len(word), MAX_PREFIX) + 1)
    }
    return " " + " ".join(sorted(found)) + " "


class NameIndex(TypeDecorator[str]):
    """Assign the plain name; what is stored is its tokens. Reads give the tokens, never the name."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return tokens(keyring_for(dialect), value)

    def process_result_value(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else str(value)


class _NameQuery(TypeDecorator[str]):
    """One search word, turned into its LIKE pattern when the statement runs (the key lives with the engine)."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        prefix = value[:MAX_PREFIX]
        return f"% {_token(keyring_for(dialect).index_key, prefix)} %"


def name_matches(column: Any, query: str) -> ColumnElement[bool]:
    """Every word of `query` (two characters or more) starts a word of the name."""
    usable = [word for word in words(query) if len(word) >= MIN_PREFIX][:MAX_QUERY_WORDS]
    if not usable:
        return false()
    return and_(*[column.like(literal(word, _NameQuery())) for word in usable])
