"""Payment method labels that are words, not brands, so they are translated on the page.

The country data holds the English label; the template passes every label through gettext, and these
markers put the generic ones into the catalogs. Brand names (PayPal, TWINT, iDEAL | Wero) stay as the
brands write them.
"""

from __future__ import annotations


def _(message: str) -> str:
    return message


GENERIC_METHOD_LABELS = (
    _("Card"),
    _("SEPA Direct Debit"),
    _("Bank transfer"),
    _("Bacs Direct Debit"),
    _("ACH Direct Debit"),
)
