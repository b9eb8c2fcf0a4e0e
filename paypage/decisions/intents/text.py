"""Text clean-up shared by training and classification, so both see messages the same way."""

from __future__ import annotations

import re
import unicodedata

_FOLD = str.maketrans({"ß": "ss", "ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "ł": "l", "Ł": "L"})
_SPACE = re.compile(r"\s+")
_REFERENCE = re.compile(r"\b[A-Z]{1,5}[-/]?\d[\w/-]{3,}\b")
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_DIGITS = re.compile(r"\d")


def normalise(text: str) -> str:
    """Lower case without diacritics (SMS are often typed without them), references, addresses and digits
    masked (they say nothing about the intent and would only let the model memorise), one space."""
    text = _EMAIL.sub(" @ ", text)
    text = _REFERENCE.sub(" # ", text)
    text = _DIGITS.sub("0", text)
    text = unicodedata.normalize("NFKD", text.translate(_FOLD))
    text = "".join(char for char in text if not unicodedata.combining(char))
    return _SPACE.sub(" ", text.lower()).strip()
