"""Move documents on real PostgreSQL: the bill of lading issued when pickup starts and again once
signed, the completion report when the journey completes; what they say (in words, the branch's
time), their SHA-256 in the audit trail, verifying a file, and signatures refused without consent."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from db.enums import DeliveryCheck, DocumentKind, InventorySource, ItemKind, MediaKind, Phase
from db.models import AuditEntry, InventoryItem, Journey, Media, MoveDocument, StepActivity, utcnow
from domain.documents.consent import CONSENT_SHA256, CONSENT_VERSION, evidence_words, signature_evidence
from domain.documents.content import MAX_PHOTOS, gather
from domain.documents.issue import Change, due
from domain.documents.library import document_file, journey_documents, verify_file
from domain.documents.render import render
from domain.errors import NotFound, ValidationFailed
from domain.runtime.context import request_device, request_ip
from domain.unit_of_work import read_session, unit_of_work
from domain.workflow import phases as workflow
from domain.workflow.media import upload_media
from tests.journey_factory import TZ, World, consent, fill_phase, jpeg_bytes, make_world, signature_bytes, through

pytestmark = pytest.mark.postgres_only


@pytest.fixture
async def world(db: str) -> World:
    return await make_world()


async def _documents(journey_id: int) -> list[MoveDocument]:
    async with read_session() as session:
        return list((await session.scalars(select(MoveDocument).where(MoveDocument.journey_id == journey_id)
                                           .order_by(MoveDocument.id))).all())


async def _add_inventory(world: World, photo_id: int | None = None) -> None:
    """Inventory lines as the inventory part writes them (fixture data, not its code)."""
    async with unit_of_work() as session:
        session.add_all([
            InventoryItem(company_id=world.company_id, journey_id=world.journey_id, source=InventorySource.CREW,
                          position=1, room="Living room", name="Sofa", quantity=1, pickup_conditions=["SC", "R"],
                          pickup_note="scratch on the left arm"),
            InventoryItem(company_id=world.company_id, journey_id=world.journey_id, source=InventorySource.CREW,
                          position=2, room="Kitchen", name="Glass table", quantity=1, delivery=DeliveryCheck.DAMAGED,
                          delivery_conditions=["BR"], delivery_note="leg broken",
                          delivery_photo_ids=[photo_id] if photo_id else []),
            InventoryItem(company_id=world.company_id, journey_id=world.journey_id, source=InventorySource.CREW,
                          position=3, room="Bedroom", name="Lamp", quantity=2, delivery=DeliveryCheck.MISSING),
        ])


def test_documents_are_due_when_pickup_starts_is_signed_and_the_move_completes() -> None:
    assert due([Change(Phase.PICKUP, "started")]) == [DocumentKind.BILL_OF_LADING]
    assert due([Change(Phase.PICKUP, "recorded", ItemKind.SIGNATURE),
                Change(Phase.PICKUP, "recorded", ItemKind.SIGNATURE)]) == [DocumentKind.BILL_OF_LADING]
    assert due([Change(Phase.PICKUP, "recorded", ItemKind.PHOTO), Change(Phase.DELIVERY, "started"),
                Change(Phase.PICKUP, "completed")]) == []
    assert due([Change(Phase.COMPLETION, "completed")]) == [DocumentKind.COMPLETION_REPORT]


async def test_bill_of_lading_is_issued_when_pickup_starts_then_again_once_signed(world: World) -> None:
    await through(world, Phase.MORNING_PREP)  # completing morning prep starts pickup
    [first] = await _documents(world.journey_id)
    assert (first.kind, first.version) == (DocumentKind.BILL_OF_LADING, 1)
    assert first.content.startswith(b"%PDF-") and first.content.rstrip().endswith(b"%%EOF")
    assert first.sha256 == hashlib.sha256(first.content).hexdigest() and first.size_bytes == len(first.content)
    async with read_session() as session:
        entry = await session.scalar(select(AuditEntry).where(AuditEntry.action == "document.issued",
                                                              AuditEntry.entity_id == str(first.id)))
    assert entry is not None and entry.new_values is not None and entry.new_values["sha256"] == first.sha256
    assert entry.company_id == world.company_id and entry.user_id == world["driver"].user_id

    await fill_phase(world, Phase.PICKUP)  # records the customer's signature
    documents = await _documents(world.journey_id)
    assert [(d.kind, d.version) for d in documents] == [(DocumentKind.BILL_OF_LADING, 1),
                                                        (DocumentKind.BILL_OF_LADING, 2)]
    assert documents[1].sha256 != first.sha256  # the signed one
    listed = await journey_documents(world["manager"], world.journey_id)
    assert [d.version for d in listed] == [2, 1] and listed[0].title == "Bill of lading"


async def test_the_completion_report_is_issued_when_the_journey_completes(world: World) -> None:
    await through(world, Phase.DELIVERY)
    assert {d.kind for d in await _documents(world.journey_id)} == {DocumentKind.BILL_OF_LADING}
    await through_completion(world)
    kinds = [d.kind for d in await _documents(world.journey_id)]
    assert kinds.count(DocumentKind.COMPLETION_REPORT) == 1


async def through_completion(world: World) -> None:
    await fill_phase(world, Phase.COMPLETION)
    await workflow.complete_phase(world["driver"], world.journey_id, Phase.COMPLETION)


async def test_the_content_says_everything_in_words_with_exceptions_photos_and_evidence(world: World) -> None:
    await through(world, Phase.MORNING_PREP)
    photo = await workflow.record_photo(world["driver"], world.journey_id, Phase.PICKUP, "condition_photos",
                                        jpeg_bytes())
    await _add_inventory(world, photo.media_id)
    ip, device = request_ip.set("203.0.113.7"), request_device.set("Mozilla/5.0 (Linux; Android 14) Test")
    try:
        await workflow.record_signature(world["driver"], world.journey_id, Phase.PICKUP, "pickup_signature",
                                        signature_bytes(), consent=consent(
                                            "Ada Lovelace", position={"lat": 43.6532, "lng": -79.3832, "accuracy": 8}))
    finally:
        request_ip.reset(ip)
        request_device.reset(device)
    async with read_session() as session:
        journey = await session.get(Journey, world.journey_id)
        assert journey is not None
        content = await gather(session, journey, DocumentKind.COMPLETION_REPORT, 3, utcnow())
    assert content.title == "Completion report" and content.company == "Test Movers"
    assert content.branch == "Toronto" and content.customer == "Ada Lovelace"
    assert content.origin == "1 King St W, Toronto" and content.destination == "99 Queen St E, Toronto"
    assert content.truck.endswith("(26 ft)") and "Driver (driver)" in content.crew
    assert [line.name for line in content.exceptions] == ["Glass table", "Lamp"]
    assert content.inventory[0].at_pickup == "scratched, rubbed · scratch on the left arm"
    assert content.exceptions[0].at_delivery == "Damaged: broken · leg broken"
    assert content.photos[0].caption == "Glass table at delivery" and content.photos[0].path is not None
    [signature] = content.signatures
    assert signature.signer == "Ada Lovelace" and signature.label == "Pickup · Customer signature"
    assert signature.ip == "203.0.113.7" and signature.device.startswith("Mozilla/5.0 (Linux; Android 14)")
    assert signature.position == "43.65320, -79.38320 (within 8 m)"
    assert "accepted" in signature.consent and CONSENT_VERSION in signature.consent
    for text in (signature.signed_at, content.issued_words):  # words in the branch's zone, 24-hour, no ISO
        assert "T" not in text.split(",")[-1] and ":" in text and "+" not in text
    pdf = render(content)
    assert pdf.startswith(b"%PDF-") and pdf.count(b"/Subtype /Image") >= 2  # the photo and the signature
    assert render(content) == pdf  # the same content gives the same bytes


async def test_photos_per_document_are_bounded(world: World) -> None:
    await through(world, Phase.MORNING_PREP)
    for n in range(MAX_PHOTOS + 2):
        await workflow.record_photo(world["driver"], world.journey_id, Phase.PICKUP, "condition_photos",
                                    jpeg_bytes(colour=f"#{n * 16:02x}4080"))
    async with read_session() as session:
        journey = await session.get(Journey, world.journey_id)
        assert journey is not None
        content = await gather(session, journey, DocumentKind.BILL_OF_LADING, 1, utcnow())
    assert len(content.photos) == MAX_PHOTOS and content.photos_left_out == 3  # with morning prep's photo


async def test_a_signature_without_consent_is_refused_and_writes_nothing(world: World) -> None:
    await through(world, Phase.MORNING_PREP)
    uploaded = await upload_media(world["driver"], world.journey_id, MediaKind.SIGNATURE, signature_bytes(4))
    async with read_session() as session:
        before = (await session.scalar(select(func.count()).select_from(Media)),
                  await session.scalar(select(func.count()).select_from(StepActivity)),
                  await session.scalar(select(func.count()).select_from(MoveDocument)))
    stale = consent(accepted_at=(utcnow() - timedelta(hours=3)).isoformat())
    for given, problem in ((None, "must first accept the consent"),
                           ({"version": "esign-1999", "accepted_at": utcnow().isoformat(), "name": "Ada"},
                            "no longer the current one"),
                           (consent(name="  "), "type the signer's full name"),
                           (stale, "accepted too long before")):
        with pytest.raises(ValidationFailed, match=problem):
            await workflow.record_signature(world["driver"], world.journey_id, Phase.PICKUP, "pickup_signature",
                                            signature_bytes(), consent=given)
    with pytest.raises(ValidationFailed, match="must first accept the consent"):  # an uploaded id, no consent
        await workflow.complete_phase(world["driver"], world.journey_id, Phase.PICKUP,
                                      {"pickup_signature": {"media_id": uploaded.id, "signer": "Ada"}})
    async with read_session() as session:
        after = (await session.scalar(select(func.count()).select_from(Media)),
                 await session.scalar(select(func.count()).select_from(StepActivity)),
                 await session.scalar(select(func.count()).select_from(MoveDocument)))
    assert after == before


async def test_the_signature_record_keeps_the_evidence(world: World) -> None:
    await through(world, Phase.MORNING_PREP)
    recorded = await workflow.record_signature(world["driver"], world.journey_id, Phase.PICKUP, "pickup_signature",
                                               signature_bytes(), signer="ignored", consent=consent("Grace Hopper"))
    evidence = recorded.data["evidence"]
    assert recorded.data["signer"] == "Grace Hopper"
    assert evidence["consent_version"] == CONSENT_VERSION and evidence["consent_sha256"] == CONSENT_SHA256
    assert evidence["accepted_at"] <= evidence["signed_at"] and "position" not in evidence
    words = evidence_words(recorded.data, TZ)  # as the journey page shows the record
    assert words.startswith("Signed by Grace Hopper; consent to sign electronically accepted ")
    assert "T" not in words.split("accepted ")[1][:5] and "+00:00" not in words
    assert evidence_words({"signer": "Old Record"}, TZ) == "Signed by Old Record; no consent recorded"


def test_evidence_refuses_a_bad_position() -> None:
    with pytest.raises(ValidationFailed, match="lat must be within"):
        signature_evidence(consent(position={"lat": 200, "lng": 0}), signed_at=utcnow(), device=None, ip=None)


async def test_verify_knows_an_issued_file_and_not_a_changed_one(world: World) -> None:
    await through(world, Phase.MORNING_PREP)
    [issued] = await _documents(world.journey_id)
    found = await verify_file(world["manager"], issued.content)
    assert found.issued and found.document is not None and found.document.version == 1
    assert found.message.startswith("Issued here: Bill of lading, version 1, for Manual job · Ada Lovelace")
    tampered = bytearray(issued.content)
    tampered[len(tampered) // 2] ^= 0x01
    changed = await verify_file(world["manager"], bytes(tampered))
    assert not changed.issued and changed.message.startswith("Not issued here")
    outsider = await verify_file(world["outsider_manager"], issued.content)  # another branch's manager
    assert not outsider.issued
    with pytest.raises(ValidationFailed, match="empty"):
        await verify_file(world["manager"], b"")


async def test_downloads_follow_the_journey_scope(world: World) -> None:
    await through(world, Phase.MORNING_PREP)
    [issued] = await _documents(world.journey_id)
    for who in ("driver", "manager", "dispatcher", "auditor", "admin"):
        assert (await document_file(world[who], issued.id)).content == issued.content
    other = await make_world(company_name="Other Movers")
    for outsider in (world["other_driver"], world["outsider_manager"], other["admin"]):
        with pytest.raises(NotFound):
            await document_file(outsider, issued.id)
        with pytest.raises(NotFound):
            await journey_documents(outsider, world.journey_id)
