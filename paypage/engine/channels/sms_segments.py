"""How many SMS segments a text costs, after GSM 03.38 / 3GPP TS 23.038 (pure, no IO).

A text that fits the GSM 7-bit default alphabet travels in septets: 160 in a single message, 153 per
segment once it is split (the user data header takes the rest). Characters of the extension table are
sent as ESC + character and cost two septets; the pair is never split across segments. Any other
character forces UCS-2 for the whole message: 70 code units alone, 67 per segment, and a character
outside the Basic Multilingual Plane (most emoji) takes two units that stay together.

The engine uses this to keep a reminder within one segment; the provider bills what it actually sends.
"""

from __future__ import annotations

from typing import Literal

SmsEncoding = Literal["GSM-7", "UCS-2"]

# The 128 characters of the default alphabet, in code order (0x1B, the escape, is left out: it is not a
# character a text may contain). 0x09 is the capital C with cedilla, as in the ETSI table; the lower-case
# ç is not in the alphabet, and counting it as GSM would under-estimate the cost.
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")

GSM7_SINGLE, GSM7_PER_SEGMENT = 160, 153
UCS2_SINGLE, UCS2_PER_SEGMENT = 70, 67


def gsm7_segments(text: str) -> tuple[SmsEncoding, int]:
    """The encoding a text needs and the number of segments it is sent in (an empty text is one)."""
    if all(char in GSM7_BASIC or char in GSM7_EXTENSION for char in text):
        costs = [2 if char in GSM7_EXTENSION else 1 for char in text]
        return "GSM-7", _segments(costs, GSM7_SINGLE, GSM7_PER_SEGMENT)
    costs = [2 if ord(char) > 0xFFFF else 1 for char in text]
    return "UCS-2", _segments(costs, UCS2_SINGLE, UCS2_PER_SEGMENT)


def _segments(costs: list[int], single: int, per_segment: int) -> int:
    if sum(costs) <= single:
        return 1
    # Fill greedily: a unit that does not fit whole into the current segment opens the next one.
    segments, used = 1, 0
    for cost in costs:
        if used + cost > per_segment:
            segments, used = segments + 1, 0
        used += cost
    return segments
