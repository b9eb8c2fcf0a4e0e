"""SMS segment counting after GSM 03.38: what the engine uses to keep a reminder within one segment."""

from __future__ import annotations

import pytest

from paypage.engine.channels.sms_segments import GSM7_BASIC, GSM7_EXTENSION, gsm7_segments
from paypage.engine.channels.twilio import gsm7_segments as exported


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ("GSM-7", 1)),
        ("a" * 160, ("GSM-7", 1)),
        ("a" * 161, ("GSM-7", 2)),
        ("a" * 306, ("GSM-7", 2)),
        ("a" * 307, ("GSM-7", 3)),
        # German and Scandinavian letters of the basic table cost one septet.
        ("Grüße aus Köln, Ærø og Åsane: Øl à 5 £ " + "x" * 121, ("GSM-7", 1)),
        # Extension characters cost two: 80 euro signs fill one message exactly, 81 do not.
        ("€" * 80, ("GSM-7", 1)),
        ("€" * 81, ("GSM-7", 2)),
        # ... and an escape pair never straddles two segments: 152 + a pair does not fit in 153.
        ("a" * 152 + "€" + "a" * 10, ("GSM-7", 2)),
        ("a" * 152 + "€" * 76, ("GSM-7", 2)),
        ("a" * 152 + "€" * 77, ("GSM-7", 3)),  # 306 septets, yet three segments
        ("{[~]}|^\\\f", ("GSM-7", 1)),
        # One character outside the alphabet switches the whole text to UCS-2: 70, then 67 per segment.
        ("ł" + "a" * 69, ("UCS-2", 1)),
        ("ł" + "a" * 70, ("UCS-2", 2)),
        ("ł" + "a" * 133, ("UCS-2", 2)),
        ("ł" + "a" * 134, ("UCS-2", 3)),
        # The lower-case c cedilla is not in the table (only the capital one is, at 0x09).
        ("ç", ("UCS-2", 1)),
        ("Ç", ("GSM-7", 1)),
        # Emoji are surrogate pairs: two UTF-16 units that stay together.
        ("😀" * 35, ("UCS-2", 1)),
        ("😀" * 36, ("UCS-2", 2)),
        ("aa" + "😀" * 34, ("UCS-2", 1)),
        ("aaa" + "😀" * 34, ("UCS-2", 2)),
        ("a" * 66 + "😀" + "a" * 66, ("UCS-2", 3)),  # 134 units, yet three segments
    ],
)
def test_segments(text: str, expected: tuple[str, int]) -> None:
    assert gsm7_segments(text) == expected


def test_the_tables_have_the_standard_sizes() -> None:
    # 128 code points, less the escape (0x1B) that is no character; ten in the default extension table.
    assert len(GSM7_BASIC) == 127
    assert len(GSM7_EXTENSION) == 10
    assert not GSM7_BASIC & GSM7_EXTENSION


def test_the_twilio_module_offers_the_same_helper() -> None:
    assert exported is gsm7_segments
