"""creditor portal

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 22:35:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import paypage.store.types
from sqlalchemy.dialects import postgresql

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # -- users, sessions, invitations, login attempts
    op.create_table('portal_users',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('creditor_id', sa.String(length=32), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('name', sa.String(length=140), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('is_operator', sa.Boolean(), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('totp_secret', sa.String(length=64), nullable=True),
    sa.Column('totp_enabled_at', paypage.store.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('recovery_codes', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('created_at', paypage.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', paypage.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_login_at', paypage.store.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('disabled_at', paypage.store.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['creditor_id'], ['creditors.id'], name=op.f('fk_portal_users_creditor_id_creditors')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_portal_users')),
    sa.UniqueConstraint('email', name=op.f('uq_portal_users_email'))
    )
    with op.batch_alter_table('portal_users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_portal_users_creditor_id_id'), ['creditor_id', 'id'], unique=False)

    op.create_table('portal_sessions',
    sa.Column('token_digest', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.String(length=32), nullable=False),
    sa.Column('creditor_id', sa.String(length=32), nullable=True),
    sa.Column('livemode', sa.Boolean(), nullable=True),
    sa.Column('stage', sa.String(length=16), nullable=False),
    sa.Column('created_at', paypage.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', paypage.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', paypage.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', paypage.store.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['portal_users.id'], name=op.f('fk_portal_sessions_user_id_portal_users')),
    sa.PrimaryKeyConstraint('token_digest', name=op.f('pk_portal_sessions'))
    )
    with op.batch_alter_table('portal_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_portal_sessions_user_id'), ['user_id'], unique=False)

    op.create_table('portal_invitations',
    sa.Column('creditor_id', sa.String(length=32), nullable=False),
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('token_digest', sa.String(length=64), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('invited_by', sa.String(length=32), nullable=False),
    sa.Column('created_at', paypage.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', paypage.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('accepted_at', paypage.store.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', paypage.store.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['creditor_id'], ['creditors.id'], name=op.f('fk_portal_invitations_creditor_id_creditors')),
    sa.PrimaryKeyConstraint('creditor_id', 'id', name=op.f('pk_portal_invitations')),
    sa.UniqueConstraint('token_digest', name=op.f('uq_portal_invitations_token_digest'))
    )

    op.create_table('portal_login_attempts',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('scope', sa.String(length=8), nullable=False),
    sa.Column('key_digest', sa.String(length=64), nullable=False),
    sa.Column('created_at', paypage.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_portal_login_attempts'))
    )
    with op.batch_alter_table('portal_login_attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_portal_login_attempts_scope_key_digest_created_at'), ['scope', 'key_digest', 'created_at'], unique=False)

    with op.batch_alter_table('claims', schema=None) as batch_op:
        batch_op.create_index('ix_claims_portal_time_to_pay', ['creditor_id', 'livemode', 'state', 'closed_at', 'created_at'], unique=False)
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.create_index('ix_ledger_entries_portal_created', ['creditor_id', 'created_at'], unique=False)

    # -- workspace: imports, branding (below)
    _create_workspace_tables()


def downgrade() -> None:
    # -- workspace (above the core tables, reverse order)
    _drop_workspace_tables()

    # -- users, sessions, invitations, login attempts
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_ledger_entries_portal_created')
    with op.batch_alter_table('claims', schema=None) as batch_op:
        batch_op.drop_index('ix_claims_portal_time_to_pay')
    with op.batch_alter_table('portal_login_attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_portal_login_attempts_scope_key_digest_created_at'))
    op.drop_table('portal_login_attempts')
    op.drop_table('portal_invitations')
    with op.batch_alter_table('portal_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_portal_sessions_user_id'))
    op.drop_table('portal_sessions')
    with op.batch_alter_table('portal_users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_portal_users_creditor_id_id'))
    op.drop_table('portal_users')


# -- workspace: CSV imports and the pay page's logo


def _create_workspace_tables() -> None:
    op.create_table('import_jobs',
    sa.Column('creditor_id', sa.String(length=32), nullable=False),
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('livemode', sa.Boolean(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('partial', sa.Boolean(), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=True),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('processed', sa.Integer(), nullable=False),
    sa.Column('created', sa.Integer(), nullable=False),
    sa.Column('failed', sa.Integer(), nullable=False),
    sa.Column('message', sa.Text(), nullable=True),
    sa.Column('created_by', sa.String(length=32), nullable=True),
    sa.Column('locked_until', paypage.store.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', paypage.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', paypage.store.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['creditor_id'], ['creditors.id'], name=op.f('fk_import_jobs_creditor_id_creditors')),
    sa.PrimaryKeyConstraint('creditor_id', 'id', name=op.f('pk_import_jobs'))
    )
    with op.batch_alter_table('import_jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_import_jobs_creditor_id_livemode_id'), ['creditor_id', 'livemode', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_import_jobs_status_locked_until'), ['status', 'locked_until'], unique=False)

    op.create_table('import_row_errors',
    sa.Column('creditor_id', sa.String(length=32), nullable=False),
    sa.Column('job_id', sa.String(length=32), nullable=False),
    sa.Column('seq', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('line', sa.Integer(), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['creditor_id'], ['creditors.id'], name=op.f('fk_import_row_errors_creditor_id_creditors')),
    sa.PrimaryKeyConstraint('creditor_id', 'job_id', 'seq', name=op.f('pk_import_row_errors'))
    )

    op.create_table('brand_logos',
    sa.Column('creditor_id', sa.String(length=32), nullable=False),
    sa.Column('content_type', sa.String(length=32), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('updated_at', paypage.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['creditor_id'], ['creditors.id'], name=op.f('fk_brand_logos_creditor_id_creditors')),
    sa.PrimaryKeyConstraint('creditor_id', name=op.f('pk_brand_logos'))
    )


def _drop_workspace_tables() -> None:
    op.drop_table('brand_logos')
    op.drop_table('import_row_errors')
    with op.batch_alter_table('import_jobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_import_jobs_status_locked_until'))
        batch_op.drop_index(batch_op.f('ix_import_jobs_creditor_id_livemode_id'))
    op.drop_table('import_jobs')
