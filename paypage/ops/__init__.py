"""Operations: health and readiness endpoints for load balancers and orchestrators.

`init_app(app)` registers the blueprint and applies the logging setup (`paypage.logging_setup`).
"""

from __future__ import annotations

from flask import Flask

from paypage.ops.health import bp

__all__ = ["bp", "init_app"]


def init_app(app: Flask) -> None:
    from paypage import logging_setup

    logging_setup.init_app(app)
    app.register_blueprint(bp)
