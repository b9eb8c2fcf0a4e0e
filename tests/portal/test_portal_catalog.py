"""The portal's own catalog: every string of the portal's code and templates is translated into German.

The portal speaks the gettext domain `portal` (`locales/de/LC_MESSAGES/portal.po`), kept apart from the
debtor-facing `messages` domain, which `babel.cfg` keeps the portal out of.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from paypage import i18n
from paypage.portal import i18n as portal_i18n
from tests.portal.conftest import Portal
from tests.unit.test_catalogs import extracted as messages_domain

ROOT = Path(__file__).resolve().parents[2]
METHOD_MAP = [
    ("paypage/portal/**.py", "python"),
    ("paypage/templates/portal/**.html", "jinja2.ext:babel_extract"),
]
OPTIONS = {"paypage/templates/portal/**.html": {"extensions": "jinja2.ext.i18n"}}
KEYWORDS: dict[str, tuple[int, ...] | None] = {"_": None, "gettext": None, "ngettext": (1, 2)}
PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[#0 +-]*\d*(?:\.\d+)?[a-zA-Z%]|%")


@functools.cache
def portal_strings() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map=METHOD_MAP, options_map=OPTIONS, keywords=KEYWORDS
    ):
        msgid = message if isinstance(message, str) else message[0]
        found.setdefault(msgid, []).append(f"{filename}:{lineno}")
    return found


def catalog(language: str) -> Catalog:
    path = i18n.locales_dir() / language / "LC_MESSAGES" / "portal.po"
    with path.open("rb") as source:
        return read_po(source, locale=language)


def test_the_extraction_finds_code_and_templates() -> None:
    places = [place for found in portal_strings().values() for place in found]
    assert len(portal_strings()) > 100
    assert any(".html:" in place for place in places) and any(".py:" in place for place in places)


def test_every_portal_string_is_translated_into_german() -> None:
    german = catalog("de")
    problems = []
    for msgid, places in sorted(portal_strings().items()):
        message = german.get(msgid)
        if message is None or not message.string or message.fuzzy:
            problems.append(f"{msgid!r} ({', '.join(places)})")
    assert not problems, "append to locales/de/LC_MESSAGES/portal.po:\n" + "\n".join(problems)


def test_placeholders_survive_translation() -> None:
    problems = []
    for message in catalog("de"):
        if message.id and message.string:
            english = message.id if isinstance(message.id, str) else message.id[0]
            texts = [message.string] if isinstance(message.string, str) else list(message.string)
            for text in texts:
                if set(PLACEHOLDER.findall(text)) != set(PLACEHOLDER.findall(english)):
                    problems.append(english)
    assert not problems, problems


def test_portal_strings_stay_out_of_the_debtor_catalogs() -> None:
    places = [place for found in messages_domain().values() for place in found]
    assert not [place for place in places if "portal" in place.split(":")[0].split("/")]


def test_pages_speak_german_when_asked(owner_client: Portal) -> None:
    german = owner_client.get("/portal/?lang=de").get_data(as_text=True)
    assert "Forderungen" in german and "Abmelden" in german and 'lang="de"' in german
    remembered = owner_client.get("/portal/claims").get_data(as_text=True)
    assert "Forderungen, neueste zuerst" in remembered or "Keine Forderungen" in remembered
    english = owner_client.get("/portal/?lang=en").get_data(as_text=True)
    assert "Claims" in english and "Sign out" in english


def test_languages_offered() -> None:
    assert portal_i18n.LANGUAGES == ("en", "de")
