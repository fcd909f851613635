"""The six-phase journey workflow: a state machine over `JourneyStep` rows.

Rules (decided here, once):
- Phases run in order. Only the *next* phase (the first not completed) can be started, recorded
  on or completed; recording on or completing a PENDING next phase starts it implicitly.
- CREATION is worked by dispatch (roles that assign crews, within their scope) and needs a truck
  and at least one crew member; every later phase is worked only by the journey's crew.
- A phase completes only when every required item of the company's template is there; otherwise
  the server answers 422 and lists the missing items by label. Completing starts the next phase.
- A manager or dispatcher (`can_approve_steps`, in scope) approves or rejects a COMPLETED phase.
  Approval is final. A rejection needs a reason and sends the phase back to IN_PROGRESS; only the
  latest completed phase can be rejected (reject later ones first), and the phase after it, which
  completing had started, goes back to PENDING. Nothing recorded is ever deleted: the records of
  both phases stay and count again when the phases are worked again.
- Journey status follows (`PHASE_STATUS`); all six phases done → COMPLETED; COMPLETION approved →
  AUDITED. Progress = done (completed or approved) phases / 6 × 100, rounded.
- A cancelled journey refuses everything. Each change is audited and raises its event.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import PHASE_ORDER, ActivityKind, ItemKind, JourneyStatus, MediaKind, Phase, StepStatus
from db.models import Journey, JourneyStep, Media, StepActivity, User, utcnow
from db.models.base import MAX_ROW_ID
from db.workflow_defaults import PHASE_STATUS
from domain.access.rbac import Permission, Principal
from domain.audit import record as audit
from domain.audit.record import audited_write
from domain.documents.consent import signature_evidence
from domain.documents.issue import Change, issue_due
from domain.errors import Conflict, ValidationFailed
from domain.events import bus as events
from domain.events.bus import DomainEvent, EventType
from domain.inventory.views import unchecked_lines, unchecked_words
from domain.journeys.access import load_journey
from domain.journeys.labels import PHASE_LABELS
from domain.runtime.context import request_device, request_ip
from domain.unit_of_work import read_session, unit_of_work
from domain.workflow.access import crew_ids, refuse_if_cancelled, require_worker
from domain.workflow.items import ItemSpec, Recorded, is_satisfied, validate_signer, validate_value
from domain.workflow.media import store_media
from domain.workflow.stamps import ClientStamp, keep, refuse_if_applied
from domain.workflow.template import Template, load_template
from domain.writeback.queue import queue_write_back

DONE = frozenset({StepStatus.COMPLETED, StepStatus.APPROVED})
_R = TypeVar("_R")
REASON_MAX_LENGTH = 1000
#: What CREATION needs besides its checklist.
TRUCK_ASSIGNED = "Truck assigned"
CREW_ASSIGNED = "Crew assigned"
#: What of a change's details travels in its event (the audit entry keeps everything).
EVENT_FACTS = frozenset({"item_key", "activity_id", "media_id", "reset"})
#: The audit actions of the changes that may cause a document (domain/documents/issue.py).
_DOCUMENT_CHANGES = {"phase.started": "started", "phase.completed": "completed", "phase.item_recorded": "recorded"}
_STEP_FIELDS = ("phase", "status", "started_at", "completed_at", "approved_at", "rejection_reason")


# --- read models ---------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class RecordView:
    id: int
    item_key: str | None
    kind: ActivityKind
    data: dict[str, Any]
    media_id: int | None
    created_by_id: int | None
    created_by_name: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ItemView:
    key: str
    label: str
    kind: ItemKind
    required: bool
    options: dict[str, Any]
    done: bool
    records: tuple[RecordView, ...]

    @property
    def latest(self) -> RecordView | None:
        return self.records[-1] if self.records else None


@dataclass(frozen=True, slots=True)
class PhaseView:
    phase: Phase
    label: str
    position: int
    status: StepStatus
    started_at: datetime | None
    completed_at: datetime | None
    approved_at: datetime | None
    rejection_reason: str | None
    items: tuple[ItemView, ...]
    #: Labels of what still stops the phase from completing.
    missing: tuple[str, ...]
    #: Records of items no longer in the template (kept, shown in the record).
    other_records: tuple[RecordView, ...] = ()

    @property
    def done(self) -> bool:
        return self.status in DONE


@dataclass(frozen=True, slots=True)
class WorkflowView:
    journey_id: int
    journey_status: JourneyStatus
    current_phase: Phase
    progress: int
    phases: tuple[PhaseView, ...]
    viewer_is_crew: bool
    viewer_can_dispatch: bool
    viewer_can_approve: bool

    @property
    def current(self) -> PhaseView:
        return next(p for p in self.phases if p.phase is self.current_phase)

    def phase(self, phase: Phase) -> PhaseView:
        return next(p for p in self.phases if p.phase is phase)

    def can_work(self, phase: Phase) -> bool:
        """Whether the viewer is the one who works this phase (the server decides again)."""
        if self.journey_status is JourneyStatus.CANCELLED:
            return False
        return self.viewer_can_dispatch if phase is Phase.CREATION else self.viewer_is_crew


@dataclass(frozen=True, slots=True)
class Transition:
    """Where a journey stands after a workflow change."""

    journey_id: int
    phase: Phase
    step_status: StepStatus
    journey_status: JourneyStatus
    current_phase: Phase
    progress: int


def _missing(journey: Journey, phase: Phase, items: list[ItemView], crew: tuple[int, ...],
             unchecked: int = 0) -> tuple[str, ...]:
    """Labels of what stops the phase; DELIVERY also waits for every inventory line's check."""
    missing = [i.label for i in items if i.required and not i.done]
    if phase is Phase.CREATION:
        missing += [TRUCK_ASSIGNED] * (journey.truck_id is None) + [CREW_ASSIGNED] * (not crew)
    if phase is Phase.DELIVERY and unchecked:
        missing.append(unchecked_words(unchecked))
    return tuple(missing)


async def _records(session: AsyncSession, step_ids: list[int]) -> dict[int, list[RecordView]]:
    rows = await session.execute(
        select(StepActivity, User.full_name)
        .outerjoin(User, User.id == StepActivity.created_by_id)
        .where(StepActivity.step_id.in_(step_ids))
        .order_by(StepActivity.id)
    )
    by_step: dict[int, list[RecordView]] = {}
    for activity, name in rows.all():
        by_step.setdefault(activity.step_id, []).append(_record_view(activity, name or ""))
    return by_step


def _record_view(activity: StepActivity, name: str) -> RecordView:
    return RecordView(id=activity.id, item_key=activity.item_key, kind=activity.kind, data=dict(activity.data or {}),
                      media_id=activity.media_id, created_by_id=activity.created_by_id, created_by_name=name,
                      created_at=activity.created_at)


def _item_views(specs: list[ItemSpec], records: list[RecordView]) -> list[ItemView]:
    views = []
    for spec in specs:
        mine = tuple(r for r in records if r.item_key == spec.key)
        done = is_satisfied(spec, [Recorded(r.data, r.media_id) for r in mine])
        views.append(ItemView(key=spec.key, label=spec.label, kind=spec.kind, required=spec.required,
                              options=spec.options, done=done, records=mine))
    return views


async def workflow_view(session: AsyncSession, principal: Principal, journey: Journey) -> WorkflowView:
    """The six phases of a journey the principal may see, with items, records and what is missing."""
    steps = {s.phase: s for s in (await session.scalars(select(JourneyStep).where(
        JourneyStep.journey_id == journey.id))).all()}
    records = await _records(session, [s.id for s in steps.values()])
    template = await load_template(session, journey.company_id)
    crew = await crew_ids(session, journey.id)
    unchecked = await unchecked_lines(session, journey.id)
    phases = []
    for position, phase in enumerate(PHASE_ORDER, start=1):
        step = steps.get(phase)
        mine = records.get(step.id, []) if step else []
        items = _item_views(template[phase], mine)
        keys = {spec.key for spec in template[phase]}
        phases.append(PhaseView(
            phase=phase, label=PHASE_LABELS[phase], position=position,
            status=step.status if step else StepStatus.PENDING,
            started_at=step.started_at if step else None, completed_at=step.completed_at if step else None,
            approved_at=step.approved_at if step else None,
            rejection_reason=step.rejection_reason if step else None,
            items=tuple(items), missing=_missing(journey, phase, items, crew, unchecked),
            other_records=tuple(r for r in mine if r.item_key not in keys),
        ))
    return WorkflowView(
        journey_id=journey.id, journey_status=journey.status, current_phase=journey.current_phase,
        progress=journey.progress, phases=tuple(phases), viewer_is_crew=principal.user_id in crew,
        viewer_can_dispatch=principal.can(Permission.ASSIGN_CREW),
        viewer_can_approve=principal.can(Permission.APPROVE_STEPS),
    )


async def journey_workflow(principal: Principal, journey_id: int) -> WorkflowView:
    async with read_session() as session:
        journey, _location = await load_journey(session, principal, journey_id)
        return await workflow_view(session, principal, journey)


# --- changes -------------------------------------------------------------------------------

@dataclass(slots=True)
class _Note:
    event: EventType | None
    action: str
    step: JourneyStep
    old: dict[str, Any]
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class _Work:
    """One journey locked for a workflow change: its steps, crew and template; audits and events
    are written by `finish()` once the journey's status and progress are settled."""

    session: AsyncSession
    principal: Principal
    journey: Journey
    steps: dict[Phase, JourneyStep]
    crew: tuple[int, ...]
    template: Template
    notes: list[_Note] = field(default_factory=list)
    #: The phone's key and time when the change comes from its outbox (else: now, no key).
    stamp: ClientStamp | None = None

    @property
    def next_phase(self) -> Phase | None:
        return next((p for p in PHASE_ORDER if self.steps[p].status not in DONE), None)

    def spec(self, phase: Phase, key: str) -> ItemSpec:
        spec = next((s for s in self.template[phase] if s.key == key), None)
        if spec is None:
            raise ValidationFailed(f"{PHASE_LABELS[phase]} has no item '{key}'")
        return spec

    def note(self, event: EventType | None, action: str, step: JourneyStep, old: dict[str, Any], **extra: Any) -> None:
        self.notes.append(_Note(event, action, step, old, extra))

    def at(self, floor: datetime | None = None) -> datetime:
        """When the change happened: now, or the phone's time of an outbox action (bounded)."""
        return self.stamp.at(floor) if self.stamp is not None else utcnow()

    def done(self, result: _R) -> _R:
        """Keep an outbox action's key with its answer (same transaction), and return the answer."""
        keep(self.session, self.principal, self.journey, self.stamp, result)
        return result

    def workable(self, phase: Phase) -> JourneyStep:
        """The step if it can be worked now, starting it when it is the PENDING next phase."""
        step = self.steps[phase]
        label = PHASE_LABELS[phase]
        if step.status in DONE:
            raise Conflict(f"{label} is already completed: nothing more can be recorded on it")
        if step.status is StepStatus.PENDING:
            if self.next_phase is not phase:
                raise Conflict(f"{label} has not started: finish {PHASE_LABELS[self.next_phase or phase]} first")
            self.start(step)
        return step

    def start(self, step: JourneyStep) -> None:
        old = audit.snapshot(step, _STEP_FIELDS)
        step.status = StepStatus.IN_PROGRESS
        before = PHASE_ORDER[PHASE_ORDER.index(step.phase) - 1] if step.phase is not PHASE_ORDER[0] else None
        step.started_at = self.at(self.steps[before].completed_at if before else None)
        step.started_by_id = self.principal.user_id
        if step.phase is Phase.MORNING_PREP and self.journey.actual_start is None:
            self.journey.actual_start = step.started_at
        self.note(EventType.PHASE_STARTED, "phase.started", step, old)

    async def activities(self, step: JourneyStep) -> list[StepActivity]:
        return list((await self.session.scalars(
            select(StepActivity).where(StepActivity.step_id == step.id).order_by(StepActivity.id))).all())

    async def missing(self, phase: Phase) -> tuple[str, ...]:
        records = [_record_view(a, "") for a in await self.activities(self.steps[phase])]
        unchecked = await unchecked_lines(self.session, self.journey.id) if phase is Phase.DELIVERY else 0
        return _missing(self.journey, phase, _item_views(self.template[phase], records), self.crew, unchecked)

    def settle(self) -> None:
        done = sum(self.steps[p].status in DONE for p in PHASE_ORDER)
        journey = self.journey
        journey.progress = round(done * 100 / len(PHASE_ORDER))
        journey.current_phase = self.next_phase or Phase.COMPLETION
        if self.steps[Phase.COMPLETION].status is StepStatus.APPROVED:
            journey.status = JourneyStatus.AUDITED
        elif done == len(PHASE_ORDER):
            journey.status = JourneyStatus.COMPLETED
        else:
            journey.status = PHASE_STATUS[journey.current_phase]

    def changes(self) -> list[Change]:
        """What this transaction did to the phases, for the documents it causes."""
        found = []
        for n in self.notes:
            if n.action in _DOCUMENT_CHANGES:
                key = n.extra.get("item_key")
                kind = self.spec(n.step.phase, key).kind if key else None
                found.append(Change(n.step.phase, _DOCUMENT_CHANGES[n.action], kind))
        return found

    async def finish(self, phase: Phase) -> Transition:
        self.settle()
        await self.session.flush()
        journey = self.journey
        await issue_due(self.session, self.principal, journey, self.changes())
        where = {"journey_status": journey.status, "progress": journey.progress, "current_phase": journey.current_phase}
        phone = self.stamp.facts() if self.stamp is not None else {}
        for n in self.notes:
            audit.record(self.session, self.principal, n.action, "journey_step", n.step.id, old=n.old,
                         new={**audit.snapshot(n.step, _STEP_FIELDS), "journey_id": journey.id, **where, **n.extra,
                              **phone},
                         company_id=journey.company_id)
            if n.event is not None:  # ids and small facts only: values and reasons are re-read
                facts = {k: v for k, v in n.extra.items() if k in EVENT_FACTS}
                events.queue(self.session, DomainEvent(
                    n.event, journey.company_id, journey.location_id, journey.id, self.crew,
                    audit.jsonable({"phase": n.step.phase, "step_status": n.step.status, **where, **facts}),
                ))
        return Transition(journey_id=journey.id, phase=phase, step_status=self.steps[phase].status,
                          journey_status=journey.status, current_phase=journey.current_phase,
                          progress=journey.progress)


async def _open(session: AsyncSession, principal: Principal, journey_id: int,
                stamp: ClientStamp | None = None) -> _Work:
    journey, _location = await load_journey(session, principal, journey_id, for_update=True)
    await refuse_if_applied(session, principal, stamp)
    refuse_if_cancelled(journey)
    steps = {s.phase: s for s in (await session.scalars(
        select(JourneyStep).where(JourneyStep.journey_id == journey.id))).all()}
    added = [JourneyStep(journey_id=journey.id, phase=p, position=i) for i, p in enumerate(PHASE_ORDER, 1)
             if p not in steps]
    if added:  # journeys created without their steps get them on first use
        session.add_all(added)
        await session.flush()
        steps.update({s.phase: s for s in added})
    return _Work(session, principal, journey, steps, await crew_ids(session, journey.id),
                 await load_template(session, journey.company_id), stamp=stamp)


@audited_write
async def start_phase(principal: Principal, journey_id: int, phase: Phase, *,
                      stamp: ClientStamp | None = None) -> Transition:
    async with unit_of_work() as session:
        work = await _open(session, principal, journey_id, stamp)
        require_worker(principal, phase, work.crew)
        step = work.steps[phase]
        if step.status is not StepStatus.PENDING:
            raise Conflict(f"{PHASE_LABELS[phase]} has already started")
        work.workable(phase)
        return work.done(await work.finish(phase))


# A recorder turns the request into (data, media) for a spec, inside the transaction.
Recorder = Callable[[_Work, ItemSpec], Awaitable[tuple[dict[str, Any], Media | None]]]


async def _add_record(work: _Work, phase: Phase, key: str, recorder: Recorder) -> StepActivity:
    step = work.workable(phase)
    spec = work.spec(phase, key)
    data, media = await recorder(work, spec)
    activity = StepActivity(step_id=step.id, item_key=spec.key, kind=spec.activity_kind, data=data,
                            media_id=media.id if media else None, created_by_id=work.principal.user_id,
                            created_at=work.at(step.started_at), client_key=work.stamp.key if work.stamp else None)
    work.session.add(activity)
    await work.session.flush()
    work.note(EventType.STEP_RECORDED, "phase.item_recorded", step, {}, item_key=spec.key, activity_id=activity.id,
              value=data, media_id=activity.media_id)
    return activity


async def _record(principal: Principal, journey_id: int, phase: Phase, key: str, recorder: Recorder,
                  stamp: ClientStamp | None = None) -> RecordView:
    async with unit_of_work() as session:
        work = await _open(session, principal, journey_id, stamp)
        require_worker(principal, phase, work.crew)
        activity = await _add_record(work, phase, key, recorder)
        await work.finish(phase)
        return work.done(_record_view(activity, principal.full_name))


def _given(value: Any, media_id: int | None = None, signer: str | None = None, consent: Any = None) -> Recorder:
    """A recorder for a value or an already uploaded media id (API and page alike)."""

    async def recorder(work: _Work, spec: ItemSpec) -> tuple[dict[str, Any], Media | None]:
        if not spec.needs_media:
            if media_id is not None:
                raise ValidationFailed(f"{spec.label}: takes a value, not a media id")
            return validate_value(spec, value), None
        kind = MediaKind.PHOTO if spec.kind is ItemKind.PHOTO else MediaKind.SIGNATURE
        valid_id = isinstance(media_id, int) and not isinstance(media_id, bool) and 1 <= media_id <= MAX_ROW_ID
        media = await work.session.get(Media, media_id) if valid_id else None
        if media is None or media.journey_id != work.journey.id or media.kind is not kind:
            raise ValidationFailed(f"{spec.label}: needs the id of a {kind.value.lower()} uploaded to this journey")
        return _signed(work, spec, signer, consent), media

    return recorder


def _signed(work: _Work, spec: ItemSpec, signer: str | None, consent: Any) -> dict[str, Any]:
    """A signature's signer and evidence (refused without the customer's consent; see
    domain/documents/consent.py); nothing for a photo. The typed name is the consent's, or
    `signer` when the consent leaves it out."""
    if spec.kind is not ItemKind.SIGNATURE:
        return {}
    if isinstance(consent, dict) and not consent.get("name"):
        consent = {**consent, "name": validate_signer(signer)}
    return signature_evidence(consent, signed_at=work.at(work.steps[spec.phase].started_at),
                              device=request_device.get(), ip=request_ip.get())


def _upload(content: bytes, kind: MediaKind, signer: str | None = None, consent: Any = None) -> Recorder:
    """A recorder that stores the file in the same transaction as the record (phone page)."""

    async def recorder(work: _Work, spec: ItemSpec) -> tuple[dict[str, Any], Media | None]:
        expected = ItemKind.PHOTO if kind is MediaKind.PHOTO else ItemKind.SIGNATURE
        if spec.kind is not expected:
            raise ValidationFailed(f"{spec.label} does not take a {kind.value.lower()}")
        data = _signed(work, spec, signer, consent)
        return data, await store_media(work.session, work.principal, work.journey, kind, content)

    return recorder


@audited_write
async def record_item(principal: Principal, journey_id: int, phase: Phase, item_key: str, value: Any = None, *,
                      media_id: int | None = None, signer: str | None = None, consent: Any = None,
                      stamp: ClientStamp | None = None) -> RecordView:
    """Record an answer (or an uploaded photo/signature by its media id) for an item; a signature
    needs the customer's `consent` (see domain/documents/consent.py)."""
    return await _record(principal, journey_id, phase, item_key, _given(value, media_id, signer, consent), stamp)


@audited_write
async def record_photo(principal: Principal, journey_id: int, phase: Phase, item_key: str, content: bytes
                       ) -> RecordView:
    """Store a photo and record it for an item, in one transaction."""
    return await _record(principal, journey_id, phase, item_key, _upload(content, MediaKind.PHOTO))


@audited_write
async def record_signature(principal: Principal, journey_id: int, phase: Phase, item_key: str, png: bytes,
                           signer: str | None = None, consent: Any = None) -> RecordView:
    """Store a signature (PNG from the signature pad) and record it for an item, in one transaction
    (refused, nothing stored, without the customer's `consent`)."""
    return await _record(principal, journey_id, phase, item_key, _upload(png, MediaKind.SIGNATURE, signer, consent))


@audited_write
async def complete_phase(principal: Principal, journey_id: int, phase: Phase,
                         items: dict[str, Any] | None = None, *, stamp: ClientStamp | None = None) -> Transition:
    """Complete a phase (recording `items` first, in the same transaction) and start the next.
    422 listing the missing items if a required one is not there."""
    async with unit_of_work() as session:
        work = await _open(session, principal, journey_id, stamp)
        require_worker(principal, phase, work.crew)
        step = work.workable(phase)
        for key, value in (items or {}).items():
            spec = work.spec(phase, key)
            if spec.needs_media and isinstance(value, dict):
                recorder = _given(None, value.get("media_id"), value.get("signer"), value.get("consent"))
            else:
                recorder = _given(value)
            await _add_record(work, phase, key, recorder)
        missing = await work.missing(phase)
        if missing:
            raise ValidationFailed(f"{PHASE_LABELS[phase]} cannot be completed yet: still missing "
                                   + ", ".join(missing), details={"missing": list(missing)})
        old = audit.snapshot(step, _STEP_FIELDS)
        step.status = StepStatus.COMPLETED
        step.completed_at = work.at(step.started_at)
        step.completed_by_id = principal.user_id
        step.rejection_reason = None
        work.note(EventType.PHASE_COMPLETED, "phase.completed", step, old)
        if phase is Phase.COMPLETION:
            work.journey.actual_end = step.completed_at
        following = work.next_phase
        if following is not None and work.steps[following].status is StepStatus.PENDING:
            work.start(work.steps[following])
        transition = await work.finish(phase)
        if transition.journey_status is JourneyStatus.COMPLETED:  # the last phase done: tell SmartMoving
            await queue_write_back(session, work.journey)
        return work.done(transition)


@audited_write
async def approve_phase(principal: Principal, journey_id: int, phase: Phase) -> Transition:
    principal.require(Permission.APPROVE_STEPS)
    async with unit_of_work() as session:
        work = await _open(session, principal, journey_id)
        step = work.steps[phase]
        if step.status is not StepStatus.COMPLETED:
            state = "already approved" if step.status is StepStatus.APPROVED else "not completed yet"
            raise Conflict(f"{PHASE_LABELS[phase]} is {state}")
        old = audit.snapshot(step, _STEP_FIELDS)
        step.status = StepStatus.APPROVED
        step.approved_at = utcnow()
        step.approved_by_id = principal.user_id
        work.note(EventType.PHASE_APPROVED, "phase.approved", step, old)
        return await work.finish(phase)


@audited_write
async def reject_phase(principal: Principal, journey_id: int, phase: Phase, reason: str) -> Transition:
    """Send a completed phase back to the crew (or dispatch, for CREATION) with a reason."""
    principal.require(Permission.APPROVE_STEPS)
    reason = reason.strip() if isinstance(reason, str) else ""
    if not reason or len(reason) > REASON_MAX_LENGTH:
        raise ValidationFailed(f"say why the phase is rejected (1 to {REASON_MAX_LENGTH} characters)")
    async with unit_of_work() as session:
        work = await _open(session, principal, journey_id)
        step = work.steps[phase]
        label = PHASE_LABELS[phase]
        if step.status is not StepStatus.COMPLETED:
            state = "approved, which is final" if step.status is StepStatus.APPROVED else "not completed"
            raise Conflict(f"{label} is {state}: it cannot be rejected")
        later = PHASE_ORDER[PHASE_ORDER.index(phase) + 1:]
        done_later = [PHASE_LABELS[p] for p in later if work.steps[p].status in DONE]
        if done_later:
            raise Conflict(f"{label} is followed by completed phases: reject {done_later[-1]} first")
        old = audit.snapshot(step, _STEP_FIELDS)
        step.status = StepStatus.IN_PROGRESS
        step.completed_at = None
        step.completed_by_id = None
        step.rejection_reason = reason
        reset = []
        for p in later:
            if work.steps[p].status is StepStatus.IN_PROGRESS:
                following = work.steps[p]
                work.note(None, "phase.reset", following, audit.snapshot(following, _STEP_FIELDS),
                          reason=f"{label} was rejected")
                following.status, following.started_at, following.started_by_id = StepStatus.PENDING, None, None
                reset.append(p.value)
        work.note(EventType.PHASE_REJECTED, "phase.rejected", step, old, reason=reason, reset=reset)
        return await work.finish(phase)



@audited_write
async def hand_over(principal: Principal, journey_id: int) -> Transition:
    """Complete the job setup (CREATION), ticking its checklist's tick boxes — what dispatch
    confirms by handing the journey to its crew; anything else the company requires there must
    be recorded first (the usual 422 lists it)."""
    async with read_session() as session:
        journey, _location = await load_journey(session, principal, journey_id)
        template = await load_template(session, journey.company_id)
    ticks = {spec.key: True for spec in template[Phase.CREATION] if spec.kind is ItemKind.CHECK}
    return await complete_phase(principal, journey_id, Phase.CREATION, ticks)
