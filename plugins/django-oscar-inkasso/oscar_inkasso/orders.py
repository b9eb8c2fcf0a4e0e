"""Changes to Oscar orders through Oscar's own means: the status pipeline and system notes."""

from __future__ import annotations

from typing import Any

from oscar.core.loading import get_class

# Through Oscar's loader, so a shop that forked the order app gets its own class.
InvalidOrderStatus = get_class("order.exceptions", "InvalidOrderStatus")

NOTE_TYPE = "System"
"""Oscar's type for notes written by the shop itself; the dashboard does not let staff edit them."""


def add_note(order: Any, message: str) -> None:
    order.notes.create(note_type=NOTE_TYPE, message=message)


def move_to_status(order: Any, status: str) -> bool:
    """Move the order along the pipeline (`OSCAR_ORDER_STATUS_PIPELINE`); a move the pipeline forbids
    leaves the status alone and says so in a note. True when the order has the status afterwards."""
    if order.status == status:
        return True
    try:
        order.set_status(status)
    except InvalidOrderStatus:
        add_note(order, f"inkasso: the order was not moved from '{order.status}' to '{status}': the order "
                 "status pipeline does not allow it.")
        return False
    return True
