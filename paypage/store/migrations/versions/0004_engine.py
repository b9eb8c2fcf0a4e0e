"""engine

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 20:44:14.197602
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import paypage.store.types
from sqlalchemy.dialects import postgresql

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    
    op.create_table('messages',
    sa.Column('creditor_id', sa.String(length=32), nullable=False),
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('livemode', sa.Boolean(), nullable=False),
    sa.Column('claim_id', sa.String(length=32), nullable=False),
    sa.Column('step_key', sa.String(length=64), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('template', sa.String(length=64), nullable=False),
    sa.Column('tone', sa.String(length=16), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('recipient', sa.Text(), nullable=False),
    sa.Column('subject', sa.Text(), nullable=True),
    sa.Column('body_text', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=True),
    sa.Column('provider_reference', sa.String(length=255), nullable=True),
    sa.Column('detail', sa.String(length=500), nullable=True),
    sa.Column('created_at', paypage.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent_at', paypage.store.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('updated_at', paypage.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['creditor_id'], ['creditors.id'], name=op.f('fk_messages_creditor_id_creditors')),
    sa.PrimaryKeyConstraint('creditor_id', 'id', name=op.f('pk_messages')),
    sa.UniqueConstraint('creditor_id', 'claim_id', 'step_key', 'channel', name=op.f('uq_messages_creditor_id_claim_id_step_key_channel'))
    )
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_messages_creditor_id_claim_id_id'), ['creditor_id', 'claim_id', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_messages_provider_reference'), ['provider_reference'], unique=False)

    with op.batch_alter_table('claims', schema=None) as batch_op:
        batch_op.add_column(sa.Column('strategy_id', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('strategy_step', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('last_step_at', paypage.store.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('interest_accrued_until', sa.Date(), nullable=True))
        batch_op.create_index(batch_op.f('ix_claims_next_action_at'), ['next_action_at'], unique=False)

    


def downgrade() -> None:
    
    with op.batch_alter_table('claims', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_claims_next_action_at'))
        batch_op.drop_column('interest_accrued_until')
        batch_op.drop_column('last_step_at')
        batch_op.drop_column('strategy_step')
        batch_op.drop_column('strategy_id')

    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_messages_provider_reference'))
        batch_op.drop_index(batch_op.f('ix_messages_creditor_id_claim_id_id'))

    op.drop_table('messages')
    
