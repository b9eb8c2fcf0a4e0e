"""data protection

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 22:35:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import paypage.store.types

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
