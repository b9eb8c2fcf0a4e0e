"""The pay page's catalogs: every English string of the templates and code is translated into every language.

The strings are extracted afresh from the sources (as `make i18n` does, with the mapping of `babel.cfg`), so a
new English string fails here until each catalog has its translation, whether or not `messages.pot` was updated.
"""

from __future__ import annotations

import configparser
import functools
import gettext
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from paypage import i18n

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = tuple(language for language in i18n.SUPPORTED if language != "en")

KEYWORDS: dict[str, tuple[int, ...] | None] = {"_": None, "gettext": None, "ngettext": (1, 2)}
"""The keywords of `make i18n` (`-k _ -k gettext -k ngettext:1,2`)."""

EXTRACTORS = {"jinja2": "jinja2.ext:babel_extract"}
"""`babel.cfg` names Jinja's extractor by its entry point; the test names the function itself."""

PLURAL_FORMS: dict[str, tuple[int, Callable[[int], int]]] = {
    "de": (2, lambda n: int(n != 1)),
    "fr": (2, lambda n: int(n > 1)),
    "nl": (2, lambda n: int(n != 1)),
    "it": (2, lambda n: int(n != 1)),
    "es": (2, lambda n: int(n != 1)),
    "pl": (3, lambda n: 0 if n == 1 else 1 if 2 <= n % 10 <= 4 and (n % 100 < 10 or n % 100 >= 20) else 2),
    "sv": (2, lambda n: int(n != 1)),
    "da": (2, lambda n: int(n != 1)),
    "fi": (2, lambda n: int(n != 1)),
    "nb": (2, lambda n: int(n != 1)),
}
"""Each language's gettext plural rule: the number of forms, and which form a count takes."""

SAME_AS_ENGLISH: dict[str, frozenset[str]] = {}
"""language -> msgids whose translation is rightly spelt as in English (longer ones only; short ones pass anyway)."""

SAME_AS_ENGLISH_MIN_LENGTH = 13
PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[#0 +-]*\d*(?:\.\d+)?[a-zA-Z%]|%")
"""printf placeholders, `%%`, and a lone `%` (which would break formatting)."""


def catalog_path(language: str) -> Path:
    return i18n.locales_dir() / language / "LC_MESSAGES" / "messages.po"


@functools.cache
def catalog(language: str) -> Catalog:
    with catalog_path(language).open("rb") as source:
        return read_po(source, locale=language)


@functools.cache
def extracted() -> dict[str | tuple[str, str], list[str]]:
    """Every msgid in the templates and code (a plural one as (singular, plural)) -> where it is used."""
    parser = configparser.RawConfigParser()
    parser.read(ROOT / "babel.cfg", encoding="utf-8")
    method_map: list[tuple[str, str]] = []
    options_map: dict[str, dict[str, str]] = {}
    for section in parser.sections():
        method, pattern = (part.strip() for part in section.split(":", 1))
        method_map.append((pattern, EXTRACTORS.get(method, method)))
        options_map[pattern] = dict(parser.items(section))
    assert method_map, "babel.cfg maps no files"
    messages: dict[str | tuple[str, str], list[str]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map=method_map, options_map=options_map, keywords=KEYWORDS
    ):
        msgid = message if isinstance(message, str) else (message[0], message[1])
        messages.setdefault(msgid, []).append(f"{filename}:{lineno}")
    return messages


def entries(language: str) -> list[Message]:
    return [message for message in catalog(language) if message.id]


def strings(message: Message) -> list[str]:
    """The translation, one string per plural form; empty strings where there is none."""
    string = message.string
    return [text or "" for text in string] if isinstance(string, tuple | list) else [string or ""]


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def test_strings_are_found() -> None:
    """The extraction itself works: templates, code and plural strings all turn up."""
    messages = extracted()
    places = [place.split(":")[0] for found in messages.values() for place in found]
    assert len(messages) > 20, "the extraction found almost nothing: is babel.cfg still right?"
    assert any(place.endswith(".html") for place in places)
    assert any(place.endswith(".py") for place in places)
    assert any(isinstance(msgid, tuple) for msgid in messages)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_string_is_translated(language: str) -> None:
    assert catalog_path(language).is_file(), f"no catalog for {language}: run `make i18n`"
    found = catalog(language)
    problems: list[str] = []
    for msgid, places in sorted(extracted().items(), key=lambda item: str(item[0])):
        singular = msgid if isinstance(msgid, str) else msgid[0]
        message = found.get(singular)
        where = ", ".join(places)
        if message is None:
            problems.append(f"missing: {msgid!r} ({where})")
        elif isinstance(msgid, tuple) != message.pluralizable:
            problems.append(f"plural in one place, not in the other (run `make i18n`): {msgid!r} ({where})")
        elif message.fuzzy:
            problems.append(f"fuzzy: {msgid!r} ({where})")
        elif isinstance(msgid, tuple) and len(strings(message)) != found.num_plurals:
            problems.append(f"{len(strings(message))} of {found.num_plurals} plural forms: {msgid!r}")
        elif not all(text.strip() for text in strings(message)):
            problems.append(f"untranslated: {msgid!r} ({where})")
    assert not problems, f"{language} catalog {catalog_path(language)}, run `make i18n` and translate:\n" + "\n".join(
        problems
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_placeholders_match(language: str) -> None:
    problems: list[str] = []
    for message in entries(language):
        english = message.id if isinstance(message.id, tuple | list) else [message.id]
        expected = set().union(*(placeholders(text) for text in english))
        for index, text in enumerate(strings(message)):
            if text and placeholders(text) != expected:
                got = sorted(placeholders(text))
                problems.append(f"{english[0]!r} [{index}]: {got} instead of {sorted(expected)}")
    assert not problems, f"{language}:\n" + "\n".join(problems)


@pytest.mark.parametrize("language", LANGUAGES)
def test_headers_and_plural_forms(language: str) -> None:
    found = catalog(language)
    header = catalog_path(language).read_text(encoding="utf-8").split("\n\n", 1)[0]
    assert f'"Language: {language}\\n"' in header
    assert re.search(r'"Content-Type: text/plain; charset=utf-8\\n"', header, re.IGNORECASE), header
    assert "Plural-Forms:" in header
    assert language in PLURAL_FORMS, f"a new language: add its gettext plural rule to PLURAL_FORMS ({language})"
    forms, rule = PLURAL_FORMS[language]
    assert found.num_plurals == forms, f"{language} has {forms} plural forms, the catalog says {found.num_plurals}"
    choose = gettext.c2py(found.plural_expr)
    wrong = [n for n in range(1001) if choose(n) != rule(n)]
    assert not wrong, f"{language}: Plural-Forms {found.plural_expr!r} picks the wrong form for {wrong[:10]}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_nothing_left_in_english(language: str) -> None:
    allowed = SAME_AS_ENGLISH.get(language, frozenset())
    left = [
        english
        for message in entries(language)
        for english in ([message.id] if isinstance(message.id, str) else message.id)
        if len(english) >= SAME_AS_ENGLISH_MIN_LENGTH and english not in allowed and english in strings(message)
    ]
    assert not left, f"{language}: still in English (or add them to SAME_AS_ENGLISH):\n" + "\n".join(left)
