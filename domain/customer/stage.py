"""Where the move stands, in the customer's words, from the journey's status and phase.

The workflow has no "on the way" or "arrived" status of its own: completing morning prep starts
the pickup phase at once, while the truck is still driving. So the pickup phase is read by what
the crew has recorded on it: nothing yet → on the way; one record (the arrival time, the pickup
phase's first item) → arrived; more → loading."""

from __future__ import annotations

import enum

from db.enums import JourneyStatus, Phase


class Stage(str, enum.Enum):
    SCHEDULED = "scheduled"
    PREPARING = "preparing"
    ON_THE_WAY = "on_the_way"
    ARRIVED = "arrived"
    LOADING = "loading"
    IN_TRANSIT = "in_transit"
    DELIVERING = "delivering"
    DONE = "done"
    CANCELLED = "cancelled"


#: The headline and the sentence under it, per stage.
STAGE_WORDS: dict[Stage, tuple[str, str]] = {
    Stage.SCHEDULED: ("Scheduled", "Your move is booked."),
    Stage.PREPARING: ("Getting ready", "The crew is preparing the truck."),
    Stage.ON_THE_WAY: ("On the way", "The crew is on the way to you."),
    Stage.ARRIVED: ("Arrived", "The crew has arrived."),
    Stage.LOADING: ("Loading", "The crew is loading your belongings."),
    Stage.IN_TRANSIT: ("In transit", "Your belongings are on the way to the destination."),
    Stage.DELIVERING: ("Delivering", "The crew is unloading at the destination."),
    Stage.DONE: ("Done", "Your move is complete. Thank you!"),
    Stage.CANCELLED: ("Cancelled", "This move was cancelled. Please contact us."),
}

#: The stages shown as steps on the tracking page, in order.
TRACKED = (Stage.ON_THE_WAY, Stage.ARRIVED, Stage.LOADING, Stage.IN_TRANSIT, Stage.DELIVERING, Stage.DONE)

_BY_PHASE = {
    Phase.CREATION: Stage.SCHEDULED,
    Phase.MORNING_PREP: Stage.PREPARING,
    Phase.TRANSPORT: Stage.IN_TRANSIT,
    Phase.DELIVERY: Stage.DELIVERING,
    Phase.COMPLETION: Stage.DONE,  # the crew's return to base: the customer's part is over
}


def stage_of(status: JourneyStatus, current_phase: Phase, pickup_records: int) -> Stage:
    if status is JourneyStatus.CANCELLED:
        return Stage.CANCELLED
    if status in (JourneyStatus.COMPLETED, JourneyStatus.AUDITED):
        return Stage.DONE
    if current_phase is Phase.PICKUP:
        return Stage.ON_THE_WAY if pickup_records == 0 else Stage.ARRIVED if pickup_records == 1 else Stage.LOADING
    return _BY_PHASE[current_phase]
