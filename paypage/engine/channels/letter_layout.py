"""Where the address goes on an A4 letter so that it shows in the envelope window, per destination country.

Measurements in millimetres from the top-left corner of the sheet. Each layout keeps its source and
whether the numbers were checked against it (DOMAIN.md: rules are data with a source; an unverified one
is not applied silently, so `verified` is there for the portal to warn about).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class WindowLayout:
    name: str
    window_side: Literal["left", "right"]
    """Which window envelope the print shop must use (Pingen's `address_position`)."""
    field_left_mm: float
    field_top_mm: float
    field_width_mm: float
    field_height_mm: float
    """The whole window field, the return-address zone included."""
    return_zone_mm: float
    """The top of the field kept for the sender's return line and postal endorsements; 0 for none."""
    text_inset_mm: float
    """The address text starts this far right of the field's left edge."""
    date_left_mm: float
    date_top_mm: float
    subject_top_mm: float
    source: str
    verified: bool

    @property
    def address_top_mm(self) -> float:
        return self.field_top_mm + self.return_zone_mm

    @property
    def address_bottom_mm(self) -> float:
        return self.field_top_mm + self.field_height_mm

    @property
    def text_left_mm(self) -> float:
        return self.field_left_mm + self.text_inset_mm


DIN_5008_B = WindowLayout(
    name="DIN 5008 form B",
    window_side="left",
    # Field 45 mm from the top and 20 mm from the left, 85 x 45 mm: 17.7 mm (5 lines) for the return line
    # and endorsements, written bottom-up, then 27.3 mm (6 lines) for the address from 62.7 mm down. The
    # text itself starts on the 25 mm alignment line. Information block at 125 mm / 50 mm; the subject two
    # blank lines (2 x 4.23 mm) below the field.
    field_left_mm=20,
    field_top_mm=45,
    field_width_mm=85,
    field_height_mm=45,
    return_zone_mm=17.7,
    text_inset_mm=5,
    date_left_mm=125,
    date_top_mm=50,
    subject_top_mm=98.46,
    source=(
        "DIN 5008:2020 form B as summarised by din-5008-richtlinien.de (Anschriftenfeld: 45 x 85 mm, "
        "62.7 mm line, 17.7 + 27.3 mm) and korrespondenz-din-5008.de; the address zone lies inside Pingen's "
        "left address area (22 mm from the left, 60 mm from the top, 85.5 x 25.5 mm) and the Deutsche Post "
        "window block (45 mm from the top, 20 mm from the left, 85 x 45 mm)"
    ),
    verified=True,
)

LA_POSTE_RIGHT_WINDOW = WindowLayout(
    name="France, right window",
    window_side="right",
    field_left_mm=110,
    field_top_mm=55,
    field_width_mm=85,
    field_height_mm=33,
    return_zone_mm=0,
    text_inset_mm=0,
    date_left_mm=110,
    date_top_mm=95,
    subject_top_mm=105,
    source=(
        "a French mailing service's guide (edics.fr): address frame 85 x 33 mm, 55 mm from the top and "
        "110 mm from the left; not checked against La Poste's own specification"
    ),
    verified=False,
)

WINDOW_LAYOUTS: Mapping[str, WindowLayout] = {
    "DE": DIN_5008_B,
    # Swiss Post accepts left windows (SN 010130:2016 has both sides) and Pingen, a Swiss print shop,
    # places the left address area where DIN 5008 B puts it. The right-window SN 010130 layout is not here.
    "CH": DIN_5008_B,
    "FR": LA_POSTE_RIGHT_WINDOW,
}


def window_layout_for(country: str) -> WindowLayout:
    """The layout for letters to `country` (ISO 3166-1 alpha-2); DIN 5008 form B where none is known."""
    return WINDOW_LAYOUTS.get(country.upper(), DIN_5008_B)
