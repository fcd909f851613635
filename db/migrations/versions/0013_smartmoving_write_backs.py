"""smartmoving write-backs: the durable outbox of what a completed journey sends to SmartMoving
(the completion report as an attachment, a job note), one row per journey and kind

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 07:14:37.929072
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('smartmoving_write_backs',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('integration_id', sa.Integer(), nullable=False),
    sa.Column('journey_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('ATTACHMENT', 'NOTE', name='write_back_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('status', sa.Enum('QUEUED', 'SENDING', 'SENT', 'FAILED', 'SKIPPED', name='write_back_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('opportunity_id', sa.String(length=100), nullable=False),
    sa.Column('job_id', sa.String(length=100), nullable=True),
    sa.Column('note_text', sa.Text(), nullable=True),
    sa.Column('document_id', sa.Integer(), nullable=True),
    sa.Column('sent_sha256', sa.String(length=64), nullable=True),
    sa.Column('file_name', sa.String(length=300), nullable=True),
    sa.Column('generation', sa.Integer(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('api_calls', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_attempt_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('remote_id', sa.String(length=100), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_smartmoving_write_backs_company_id_companies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['document_id'], ['move_documents.id'], name=op.f('fk_smartmoving_write_backs_document_id_move_documents'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['integration_id'], ['company_integrations.id'], name=op.f('fk_smartmoving_write_backs_integration_id_company_integrations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['journey_id'], ['journeys.id'], name=op.f('fk_smartmoving_write_backs_journey_id_journeys'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_smartmoving_write_backs')),
    sa.UniqueConstraint('journey_id', 'kind', name=op.f('uq_smartmoving_write_backs_journey_id_kind'))
    )
    op.create_index('ix_smartmoving_write_backs_company', 'smartmoving_write_backs', ['company_id', 'status'], unique=False)
    op.create_index('ix_smartmoving_write_backs_due', 'smartmoving_write_backs', ['status', 'next_attempt_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_smartmoving_write_backs_due', table_name='smartmoving_write_backs')
    op.drop_index('ix_smartmoving_write_backs_company', table_name='smartmoving_write_backs')
    op.drop_table('smartmoving_write_backs')
