"""decisions

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 22:35:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import paypage.store.types

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # contact decisions and policy state (contact policy)
    op.create_table('contact_decisions',
    sa.Column('creditor_id', sa.String(length=32), nullable=False),
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('livemode', sa.Boolean(), nullable=False),
    sa.Column('claim_id', sa.String(length=32), nullable=False),
    sa.Column('step_key', sa.String(length=64), nullable=False),
    sa.Column('template', sa.String(length=64), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('hour', sa.Integer(), nullable=False),
    sa.Column('tone', sa.String(length=16), nullable=False),
    sa.Column('send_at', paypage.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('propensity', sa.Float(), nullable=False),
    sa.Column('explored', sa.Boolean(), nullable=False),
    sa.Column('explanation', sa.Text(), nullable=False),
    sa.Column('context', paypage.store.types.JSONDocument, nullable=False),
    sa.Column('options', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('message_id', sa.String(length=32), nullable=True),
    sa.Column('settle_after', paypage.store.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reward', sa.Integer(), nullable=True),
    sa.Column('settled_at', paypage.store.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', paypage.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['creditor_id'], ['creditors.id'], name=op.f('fk_contact_decisions_creditor_id_creditors')),
    sa.PrimaryKeyConstraint('creditor_id', 'id', name=op.f('pk_contact_decisions'))
    )
    with op.batch_alter_table('contact_decisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contact_decisions_creditor_id_claim_id_id'), ['creditor_id', 'claim_id', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contact_decisions_status_settle_after'), ['status', 'settle_after'], unique=False)

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
    # end of contact decisions and policy state

    # propensity models, claim scores, experiments (propensity and experiments)
    op.create_table('propensity_models',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('creditor_id', sa.String(length=32), nullable=True),
    sa.Column('livemode', sa.Boolean(), nullable=False),
    sa.Column('format_version', sa.Integer(), nullable=False),
    sa.Column('parameters', paypage.store.types.JSONDocument, nullable=False),
    sa.Column('metrics', paypage.store.types.JSONDocument, nullable=False),
    sa.Column('trained_at', paypage.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['creditor_id'], ['creditors.id'], name=op.f('fk_propensity_models_creditor_id_creditors')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_propensity_models'))
    )
    with op.batch_alter_table('propensity_models', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_propensity_models_creditor_id_livemode_trained_at'), ['creditor_id', 'livemode', 'trained_at'], unique=False)

    op.create_table('claim_scores',
    sa.Column('creditor_id', sa.String(length=32), nullable=False),
    sa.Column('claim_id', sa.String(length=32), nullable=False),
    sa.Column('livemode', sa.Boolean(), nullable=False),
    sa.Column('p_paid_30', sa.Float(), nullable=False),
    sa.Column('p_paid_90', sa.Float(), nullable=False),
    sa.Column('expected_90', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('priority', sa.BigInteger(), nullable=False),
    sa.Column('model_id', sa.String(length=32), nullable=True),
    sa.Column('scored_at', paypage.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['creditor_id'], ['creditors.id'], name=op.f('fk_claim_scores_creditor_id_creditors')),
    sa.PrimaryKeyConstraint('creditor_id', 'claim_id', name=op.f('pk_claim_scores'))
    )

    op.create_table('experiments',
    sa.Column('creditor_id', sa.String(length=32), nullable=False),
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('livemode', sa.Boolean(), nullable=False),
    sa.Column('name', sa.String(length=140), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('segment', paypage.store.types.JSONDocument, nullable=False),
    sa.Column('champion', paypage.store.types.JSONDocument, nullable=False),
    sa.Column('challenger', paypage.store.types.JSONDocument, nullable=False),
    sa.Column('challenger_percent', sa.Integer(), nullable=False),
    sa.Column('plan', paypage.store.types.JSONDocument, nullable=False),
    sa.Column('created_at', paypage.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('stopped_at', paypage.store.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('stop_reason', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['creditor_id'], ['creditors.id'], name=op.f('fk_experiments_creditor_id_creditors')),
    sa.PrimaryKeyConstraint('creditor_id', 'id', name=op.f('pk_experiments'))
    )
    with op.batch_alter_table('experiments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_experiments_creditor_id_livemode_status_id'), ['creditor_id', 'livemode', 'status', 'id'], unique=False)

    op.create_table('experiment_assignments',
    sa.Column('creditor_id', sa.String(length=32), nullable=False),
    sa.Column('claim_id', sa.String(length=32), nullable=False),
    sa.Column('experiment_id', sa.String(length=32), nullable=False),
    sa.Column('arm', sa.String(length=16), nullable=False),
    sa.Column('assigned_at', paypage.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['creditor_id'], ['creditors.id'], name=op.f('fk_experiment_assignments_creditor_id_creditors')),
    sa.ForeignKeyConstraint(['creditor_id', 'experiment_id'], ['experiments.creditor_id', 'experiments.id'], name=op.f('fk_experiment_assignments_creditor_id_experiment_id_experiments')),
    sa.PrimaryKeyConstraint('creditor_id', 'claim_id', name=op.f('pk_experiment_assignments'))
    )
    with op.batch_alter_table('experiment_assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_experiment_assignments_creditor_id_experiment_id_claim_id'), ['creditor_id', 'experiment_id', 'claim_id'], unique=False)
    # end of propensity models, claim scores, experiments

    # inbound messages and inbox items (message intents)
    op.create_table('inbound_messages',
    sa.Column('creditor_id', sa.String(length=32), nullable=False),
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('livemode', sa.Boolean(), nullable=False),
    sa.Column('claim_id', sa.String(length=32), nullable=True),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('provider_reference', sa.String(length=255), nullable=True),
    sa.Column('sender', sa.Text(), nullable=False),
    sa.Column('subject', sa.Text(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=True),
    sa.Column('matched_by', sa.String(length=16), nullable=False),
    sa.Column('intent', sa.String(length=16), nullable=True),
    sa.Column('confidence', sa.Float(), nullable=True),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.String(length=32), nullable=False),
    sa.Column('answer_message_id', sa.String(length=32), nullable=True),
    sa.Column('received_at', paypage.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['creditor_id'], ['creditors.id'], name=op.f('fk_inbound_messages_creditor_id_creditors')),
    sa.PrimaryKeyConstraint('creditor_id', 'id', name=op.f('pk_inbound_messages')),
    sa.UniqueConstraint('creditor_id', 'channel', 'provider_reference', name=op.f('uq_inbound_messages_creditor_id_channel_provider_reference'))
    )
    with op.batch_alter_table('inbound_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inbound_messages_creditor_id_claim_id_id'), ['creditor_id', 'claim_id', 'id'], unique=False)
    op.create_table('inbox_items',
    sa.Column('creditor_id', sa.String(length=32), nullable=False),
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('livemode', sa.Boolean(), nullable=False),
    sa.Column('claim_id', sa.String(length=32), nullable=True),
    sa.Column('inbound_message_id', sa.String(length=32), nullable=True),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('intent', sa.String(length=16), nullable=True),
    sa.Column('priority', sa.String(length=8), nullable=False),
    sa.Column('reason', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('assignee', sa.String(length=64), nullable=True),
    sa.Column('resolution', sa.String(length=500), nullable=True),
    sa.Column('reply_message_id', sa.String(length=32), nullable=True),
    sa.Column('created_at', paypage.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', paypage.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('closed_at', paypage.store.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['creditor_id'], ['creditors.id'], name=op.f('fk_inbox_items_creditor_id_creditors')),
    sa.PrimaryKeyConstraint('creditor_id', 'id', name=op.f('pk_inbox_items'))
    )
    with op.batch_alter_table('inbox_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inbox_items_creditor_id_claim_id'), ['creditor_id', 'claim_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inbox_items_creditor_id_livemode_status_id'), ['creditor_id', 'livemode', 'status', 'id'], unique=False)
    # end of inbound messages and inbox items


def downgrade() -> None:
    # inbound messages and inbox items (message intents)
    with op.batch_alter_table('inbox_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inbox_items_creditor_id_livemode_status_id'))
        batch_op.drop_index(batch_op.f('ix_inbox_items_creditor_id_claim_id'))
    op.drop_table('inbox_items')
    with op.batch_alter_table('inbound_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inbound_messages_creditor_id_claim_id_id'))
    op.drop_table('inbound_messages')
    # end of inbound messages and inbox items

    # contact decisions and policy state (contact policy)
    op.drop_table('policy_arms')
    with op.batch_alter_table('contact_decisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contact_decisions_status_settle_after'))
        batch_op.drop_index(batch_op.f('ix_contact_decisions_creditor_id_claim_id_id'))
    op.drop_table('contact_decisions')
    # end of contact decisions and policy state

    # propensity models, claim scores, experiments (propensity and experiments)
    op.drop_table('experiment_assignments')
    op.drop_table('experiments')
    op.drop_table('claim_scores')
    op.drop_table('propensity_models')
    # end of propensity models, claim scores, experiments
