"""The portal's language: its strings live in the gettext domain `portal` (`locales/<lang>/LC_MESSAGES/portal.po`).

The portal is offered in English (the source) and German. Activating a language for a request puts the
portal catalog where the Jinja `_()` of the app looks (`g.translations`), so templates under `portal/` and
the `_()` of this module both speak the portal domain.
"""

from __future__ import annotations

import functools
import io

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from flask import g, request

from paypage.i18n import locales_dir

LANGUAGES = ("en", "de")
DOMAIN = "portal"
COOKIE = "portal_lang"


@functools.cache
def translations(language: str) -> NullTranslations:
    po = locales_dir() / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if language == "en" or not po.exists():
        return NullTranslations()
    with po.open("rb") as source:
        catalog = read_po(source, locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def choose() -> str:
    """`?lang=`, then the remembered choice, then Accept-Language, then English."""
    for candidate in (request.args.get("lang"), request.cookies.get(COOKIE)):
        if candidate in LANGUAGES:
            return candidate
    best = request.accept_languages.best_match(LANGUAGES)
    return best or "en"


def activate(language: str) -> None:
    g.language = language
    g.translations = translations(language)


def _current() -> NullTranslations:
    found = g.get("translations")
    return found if found is not None else translations("en")


def _(message: str, **values: object) -> str:
    text = _current().gettext(message)
    return text % values if values else text


def ngettext(singular: str, plural: str, n: int, **values: object) -> str:
    text = _current().ngettext(singular, plural, n)
    return text % {"num": n, **values}
