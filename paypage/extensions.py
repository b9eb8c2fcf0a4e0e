"""Typed access to what `create_app` attaches to the Flask app."""

from __future__ import annotations

from flask import current_app

from paypage.config import Settings
from paypage.services.claims import LinkMaker
from paypage.store.db import Database


def database() -> Database:
    db = current_app.extensions["inkasso.db"]
    assert isinstance(db, Database)  # noqa: S101 - set once by create_app
    return db


def settings() -> Settings:
    value = current_app.extensions["inkasso.settings"]
    assert isinstance(value, Settings)  # noqa: S101 - set once by create_app
    return value


def links() -> LinkMaker:
    value = current_app.extensions["inkasso.links"]
    assert isinstance(value, LinkMaker)  # noqa: S101 - set once by create_app
    return value
