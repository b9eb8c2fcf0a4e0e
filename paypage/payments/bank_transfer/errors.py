"""The one error type of the bank-transfer helpers: a `ValueError` that names the offending field."""

from __future__ import annotations


class FieldError(ValueError):
    """A value that a payment standard does not allow; `field` names it, the message says why."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason
