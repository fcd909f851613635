"""move documents: the inventory lines crews check at pickup and delivery, and the issued PDFs
(bill of lading, completion report) kept byte for byte with their SHA-256

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 07:09:25.894632
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('inventory_items',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('journey_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.Enum('SMARTMOVING', 'CREW', name='inventory_source', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('external_id', sa.String(length=64), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('room', sa.String(length=80), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('pickup_conditions', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('pickup_note', sa.Text(), nullable=True),
    sa.Column('pickup_photo_ids', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('loaded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('loaded_by_id', sa.Integer(), nullable=True),
    sa.Column('delivery', sa.Enum('PENDING', 'DELIVERED', 'MISSING', 'DAMAGED', name='delivery_check', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('delivery_conditions', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('delivery_note', sa.Text(), nullable=True),
    sa.Column('delivery_photo_ids', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('checked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('checked_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('quantity BETWEEN 1 AND 999', name=op.f('ck_inventory_items_quantity_range')),
    sa.ForeignKeyConstraint(['checked_by_id'], ['users.id'], name=op.f('fk_inventory_items_checked_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_inventory_items_company_id_companies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['journey_id'], ['journeys.id'], name=op.f('fk_inventory_items_journey_id_journeys'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['loaded_by_id'], ['users.id'], name=op.f('fk_inventory_items_loaded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inventory_items'))
    )
    op.create_index('ix_inventory_items_journey', 'inventory_items', ['journey_id', 'position'], unique=False)
    op.create_table('move_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('journey_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('BILL_OF_LADING', 'COMPLETION_REPORT', name='document_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=120), nullable=False),
    sa.Column('content_type', sa.String(length=40), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('issued_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('size_bytes > 0', name=op.f('ck_move_documents_size_positive')),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_move_documents_company_id_companies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['issued_by_id'], ['users.id'], name=op.f('fk_move_documents_issued_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['journey_id'], ['journeys.id'], name=op.f('fk_move_documents_journey_id_journeys'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_move_documents'))
    )
    op.create_index('ix_move_documents_journey', 'move_documents', ['journey_id', 'kind', 'version'], unique=True)
    op.create_index('ix_move_documents_sha256', 'move_documents', ['sha256'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_move_documents_sha256', table_name='move_documents')
    op.drop_index('ix_move_documents_journey', table_name='move_documents')
    op.drop_table('move_documents')
    op.drop_index('ix_inventory_items_journey', table_name='inventory_items')
    op.drop_table('inventory_items')
