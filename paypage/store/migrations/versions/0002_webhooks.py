"""webhook endpoints deliveries attempts notices

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 20:04:17.564111
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import paypage.store.types
from sqlalchemy.dialects import postgresql
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    
    op.create_table('notices',
    sa.Column('creditor_id', sa.String(length=32), nullable=False),
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('livemode', sa.Boolean(), nullable=False),
    sa.Column('kind', sa.String(length=64), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('subject_id', sa.String(length=32), nullable=True),
    sa.Column('created_at', paypage.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('read_at', paypage.store.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['creditor_id'], ['creditors.id'], name=op.f('fk_notices_creditor_id_creditors')),
    sa.PrimaryKeyConstraint('creditor_id', 'id', name=op.f('pk_notices'))
    )
    op.create_table('webhook_attempts',
    sa.Column('creditor_id', sa.String(length=32), nullable=False),
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('delivery_id', sa.String(length=32), nullable=False),
    sa.Column('endpoint_id', sa.String(length=32), nullable=False),
    sa.Column('event_id', sa.String(length=32), nullable=False),
    sa.Column('event_type', sa.String(length=64), nullable=False),
    sa.Column('attempt', sa.Integer(), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=True),
    sa.Column('duration_ms', sa.Integer(), nullable=False),
    sa.Column('response_body', sa.Text(), nullable=True),
    sa.Column('error', sa.String(length=500), nullable=True),
    sa.Column('succeeded', sa.Boolean(), nullable=False),
    sa.Column('created_at', paypage.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['creditor_id'], ['creditors.id'], name=op.f('fk_webhook_attempts_creditor_id_creditors')),
    sa.PrimaryKeyConstraint('creditor_id', 'id', name=op.f('pk_webhook_attempts'))
    )
    with op.batch_alter_table('webhook_attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_webhook_attempts_creditor_id_endpoint_id_id'), ['creditor_id', 'endpoint_id', 'id'], unique=False)

    op.create_table('webhook_deliveries',
    sa.Column('creditor_id', sa.String(length=32), nullable=False),
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('endpoint_id', sa.String(length=32), nullable=False),
    sa.Column('event_id', sa.String(length=32), nullable=False),
    sa.Column('claim_id', sa.String(length=32), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', paypage.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('locked_until', paypage.store.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', paypage.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('completed_at', paypage.store.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['creditor_id'], ['creditors.id'], name=op.f('fk_webhook_deliveries_creditor_id_creditors')),
    sa.PrimaryKeyConstraint('creditor_id', 'id', name=op.f('pk_webhook_deliveries'))
    )
    with op.batch_alter_table('webhook_deliveries', schema=None) as batch_op:
        batch_op.create_index('ix_webhook_deliveries_claim_order', ['creditor_id', 'endpoint_id', 'claim_id', 'status', 'event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_webhook_deliveries_status_next_attempt_at'), ['status', 'next_attempt_at'], unique=False)

    op.create_table('webhook_endpoints',
    sa.Column('creditor_id', sa.String(length=32), nullable=False),
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('livemode', sa.Boolean(), nullable=False),
    sa.Column('url', sa.String(length=2048), nullable=False),
    sa.Column('events', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('description', sa.String(length=200), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('disabled_reason', sa.String(length=200), nullable=True),
    sa.Column('secret', sa.String(length=128), nullable=False),
    sa.Column('previous_secret', sa.String(length=128), nullable=True),
    sa.Column('previous_secret_expires_at', paypage.store.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('failing_since', paypage.store.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', paypage.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', paypage.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', paypage.store.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['creditor_id'], ['creditors.id'], name=op.f('fk_webhook_endpoints_creditor_id_creditors')),
    sa.PrimaryKeyConstraint('creditor_id', 'id', name=op.f('pk_webhook_endpoints'))
    )
    with op.batch_alter_table('webhook_endpoints', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_webhook_endpoints_creditor_id_livemode_id'), ['creditor_id', 'livemode', 'id'], unique=False)

    


def downgrade() -> None:
    
    with op.batch_alter_table('webhook_endpoints', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_webhook_endpoints_creditor_id_livemode_id'))

    op.drop_table('webhook_endpoints')
    with op.batch_alter_table('webhook_deliveries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_webhook_deliveries_status_next_attempt_at'))
        batch_op.drop_index('ix_webhook_deliveries_claim_order')

    op.drop_table('webhook_deliveries')
    with op.batch_alter_table('webhook_attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_webhook_attempts_creditor_id_endpoint_id_id'))

    op.drop_table('webhook_attempts')
    op.drop_table('notices')
    
