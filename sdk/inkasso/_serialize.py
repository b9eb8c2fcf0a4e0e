"""Turning keyword arguments into a JSON body, without judging them: the API is the authority."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from pydantic import BaseModel

from inkasso._base_client import NotGiven

__all__ = ["body_of", "body_of_given", "path_segment", "to_json"]


def to_json(value: Any) -> Any:
    """Typed params models as the fields they were given, dates as ISO strings, the rest as it is.

    `exclude_unset` keeps a model's defaults out of the body, so that a model and the equivalent dict
    send the same JSON and the server applies its own defaults.
    """
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", exclude_unset=True)
    if isinstance(value, Mapping):
        return {key: to_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(item) for item in value]
    if isinstance(value, dt.date):  # also dt.datetime, a subclass
        return value.isoformat()
    return value


def body_of(**fields: Any) -> dict[str, Any]:
    """A JSON body of the fields that were given; None means "left out"."""
    return {name: to_json(value) for name, value in fields.items() if value is not None}


def body_of_given(**fields: Any) -> dict[str, Any]:
    """A JSON body of the fields that were given; `NOT_GIVEN` means "left out", None is sent as null."""
    return {name: to_json(value) for name, value in fields.items() if not isinstance(value, NotGiven)}


def path_segment(value: str) -> str:
    # An empty ID would turn GET /v1/claims/{id} into the list endpoint; a slash would change the route.
    if not isinstance(value, str) or not value:
        raise ValueError(f"an ID must be a non-empty string, not {value!r}")
    return quote(value, safe="")
