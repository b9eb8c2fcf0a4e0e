"""contact policy: a logistic model's weights replace the Beta arms per segment

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26 03:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import paypage.store.types

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The arms' counts cannot become weights (they were kept per segment, not per feature); the policy
    # starts again from its prior, and the settled decisions in contact_decisions stay for evaluation.
    op.drop_table('policy_arms')
    op.create_table('policy_weights',
    sa.Column('creditor_id', sa.String(length=32), nullable=False),
    sa.Column('livemode', sa.Boolean(), nullable=False),
    sa.Column('feature', sa.String(length=160), nullable=False),
    sa.Column('mean', sa.Float(), nullable=False),
    sa.Column('precision', sa.Float(), nullable=False),
    sa.Column('trials', sa.Integer(), nullable=False),
    sa.Column('updated_at', paypage.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['creditor_id'], ['creditors.id'], name=op.f('fk_policy_weights_creditor_id_creditors')),
    sa.PrimaryKeyConstraint('creditor_id', 'livemode', 'feature', name=op.f('pk_policy_weights'))
    )


def downgrade() -> None:
    op.drop_table('policy_weights')
    op.create_table('policy_arms',
    sa.Column('creditor_id', sa.String(length=32), nullable=False),
    sa.Column('livemode', sa.Boolean(), nullable=False),
    sa.Column('segment', sa.String(length=120), nullable=False),
    sa.Column('arm', sa.String(length=80), nullable=False),
    sa.Column('successes', sa.Integer(), nullable=False),
    sa.Column('trials', sa.Integer(), nullable=False),
    sa.Column('updated_at', paypage.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['creditor_id'], ['creditors.id'], name=op.f('fk_policy_arms_creditor_id_creditors')),
    sa.PrimaryKeyConstraint('creditor_id', 'livemode', 'segment', 'arm', name=op.f('pk_policy_arms'))
    )
