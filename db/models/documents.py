"""A move's paperwork: the inventory the crew checks at pickup and at delivery, and the documents
issued from it (bill of lading, completion report), each kept byte for byte with its SHA-256 so
that a file shown later can be verified as the one issued."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.enums import DeliveryCheck, DocumentKind, InventorySource
from db.models.base import Base, BigId, JSONType, TimestampMixin, enum_column, utcnow


class InventoryItem(TimestampMixin, Base):
    """One line of a journey's inventory: what was loaded (room, name, count, its condition at
    pickup as household-goods condition codes, photos) and how it arrived (the delivery check)."""

    __tablename__ = "inventory_items"
    __table_args__ = (
        CheckConstraint("quantity BETWEEN 1 AND 999", name="quantity_range"),
        Index("ix_inventory_items_journey", "journey_id", "position"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"))
    journey_id: Mapped[int] = mapped_column(ForeignKey("journeys.id", ondelete="CASCADE"))
    source: Mapped[InventorySource] = mapped_column(enum_column(InventorySource, "inventory_source"))
    #: SmartMoving's inventory item id when the line came from there (re-imports update, not add).
    external_id: Mapped[str | None] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(default=0)
    room: Mapped[str] = mapped_column(String(80))
    name: Mapped[str] = mapped_column(String(120))
    quantity: Mapped[int] = mapped_column(default=1)
    #: Condition codes at pickup (BE, BR, CH, ...; see domain/inventory), and the crew's words.
    pickup_conditions: Mapped[list[str]] = mapped_column(JSONType, default=list)
    pickup_note: Mapped[str | None] = mapped_column(Text)
    #: Media ids of the photos taken at pickup / at delivery.
    pickup_photo_ids: Mapped[list[int]] = mapped_column(JSONType, default=list)
    loaded_at: Mapped[datetime | None]
    loaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    delivery: Mapped[DeliveryCheck] = mapped_column(enum_column(DeliveryCheck, "delivery_check"),
                                                    default=DeliveryCheck.PENDING)
    delivery_conditions: Mapped[list[str]] = mapped_column(JSONType, default=list)
    delivery_note: Mapped[str | None] = mapped_column(Text)
    delivery_photo_ids: Mapped[list[int]] = mapped_column(JSONType, default=list)
    checked_at: Mapped[datetime | None]
    checked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class MoveDocument(Base):
    """An issued PDF (bill of lading, completion report). Never changed once written: a new issue
    of the same kind is a new row (`version` + 1), and the newest is the journey's current one."""

    __tablename__ = "move_documents"
    __table_args__ = (
        CheckConstraint("size_bytes > 0", name="size_positive"),
        Index("ix_move_documents_journey", "journey_id", "kind", "version", unique=True),
        Index("ix_move_documents_sha256", "sha256"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"))
    journey_id: Mapped[int] = mapped_column(ForeignKey("journeys.id", ondelete="CASCADE"))
    kind: Mapped[DocumentKind] = mapped_column(enum_column(DocumentKind, "document_kind"))
    version: Mapped[int] = mapped_column(default=1)
    filename: Mapped[str] = mapped_column(String(120))
    content_type: Mapped[str] = mapped_column(String(40), default="application/pdf")
    size_bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
