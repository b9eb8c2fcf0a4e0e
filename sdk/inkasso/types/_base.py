"""Base classes for the wire models.

Request models refuse unknown fields (a typo must not be dropped silently); response models ignore
fields they do not know, so an older SDK keeps working when the API adds one.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class RequestModel(BaseModel):
    """A body the API accepts."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, use_attribute_docstrings=True)


class ResponseModel(BaseModel):
    """A body the API returns."""

    model_config = ConfigDict(extra="ignore", use_attribute_docstrings=True)
