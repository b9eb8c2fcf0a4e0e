"""Languages of the pay page and the messages: gettext catalogs in `locales/`, Babel for the locale.

Catalogs are read from the `.po` files and compiled in memory once per process, so there are no
compiled files to forget. Templates call `_()` / `ngettext()` through Jinja's i18n extension; the
functions look up the language of the current request.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Iterable
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from flask import Flask, g

SUPPORTED = ("de", "en", "fr", "nl", "it", "es", "pl", "sv", "da", "fi", "nb")
"""Pay-page languages; English is the source language of every string."""

LANGUAGE_NAMES = {code: str(Locale.parse(code).get_display_name(code)).capitalize() for code in SUPPORTED}
"""Each language in its own words, for the language switch."""


def locales_dir() -> Path:
    """`paypage/locales` inside an installed wheel, else `locales/` at the top of a checkout."""
    packaged = Path(__file__).with_name("locales")
    return packaged if packaged.is_dir() else Path(__file__).resolve().parent.parent / "locales"


@functools.cache
def translations(language: str) -> NullTranslations:
    po = locales_dir() / language / "LC_MESSAGES" / "messages.po"
    if language == "en" or not po.exists():
        return NullTranslations()
    with po.open("rb") as source:
        catalog = read_po(source, locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled)


def normalise(tag: str | None) -> str | None:
    """'de-CH' -> 'de', 'no' -> 'nb'; None when not a supported language."""
    if not tag:
        return None
    language = tag.replace("_", "-").split("-")[0].lower()
    language = {"no": "nb", "nn": "nb"}.get(language, language)
    return language if language in SUPPORTED else None


def choose(
    requested: str | None,
    remembered: str | None,
    claim_language: str | None,
    accept_languages: Iterable[str],
    country_languages: Iterable[str],
) -> str:
    """The debtor's choice on the page, then the claim's language, then Accept-Language, then the country."""
    for candidate in (requested, remembered, claim_language, *accept_languages, *country_languages):
        language = normalise(candidate)
        if language:
            return language
    return "en"


def babel_locale(language: str, country: str) -> str:
    """The formatting locale: the language as spoken in the debtor's country when CLDR knows it."""
    try:
        return str(Locale.parse(f"{language}_{country}"))
    except (UnknownLocaleError, ValueError):
        return str(Locale.parse(language))


def current() -> NullTranslations:
    return g.get("translations") or translations("en")


def gettext(message: str) -> str:
    return current().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return current().ngettext(singular, plural, n)


def init_app(app: Flask) -> None:
    app.jinja_env.add_extension("jinja2.ext.i18n")
    app.jinja_env.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]


def activate(language: str) -> None:
    g.language = language
    g.translations = translations(language)
