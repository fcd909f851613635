"""What crew time accepts: a clock tap from a phone, an office correction or addition, an approval,
and a company's time rules. Validated before any write (one 422 naming each field)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from annotated_types import Interval
from pydantic import AfterValidator, Field, StringConstraints
from pydantic_core import PydanticCustomError

from db.enums import ClockKind
from domain.schemas import Day, Label, Moment, RowId, Schema, between, limit, one_of

REASON_MAX_LENGTH = 1000
#: The roundings a company may choose, in minutes (1: none; 6: tenths of an hour; 15: quarters).
ROUNDINGS = (1, 5, 6, 10, 15, 30)


def _rounding(value: int) -> int:
    if value not in ROUNDINGS:
        raise PydanticCustomError("rounding", "must be one of " + ", ".join(map(str, ROUNDINGS)) + " minutes")
    return value


#: A client-made idempotency key (a UUID or the like).
ClientKey = Annotated[str, StringConstraints(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$"),
                      Label("Client key")]
Reason = Annotated[str, limit(REASON_MAX_LENGTH), Label("Reason")]
Kind = Annotated[ClockKind, one_of(ClockKind), Label("Kind")]


class Position(Schema):
    """Where the phone was (the browser's Geolocation API), and how sure it was."""

    lat: Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False), between(-90, 90), Label("Latitude")]
    lng: Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False), between(-180, 180), Label("Longitude")]
    accuracy_m: Annotated[float | None, Field(ge=0, le=100_000, allow_inf_nan=False), between(0, 100_000),
                          Label("Accuracy")] = None


class ClockTap(Schema):
    """One tap on the phone: what, for whom, when the phone made it, and where."""

    kind: Kind
    #: The driver or foreman clocks the whole crew of the journey; otherwise only oneself.
    whole_crew: bool = False
    client_key: ClientKey | None = None
    #: The phone's time when the tap was made (an outbox may deliver it much later).
    made_at: Annotated[Moment | None, Label("Made at")] = None
    position: Position | None = None


class Correction(Schema):
    """The office moves a clock event to another time."""

    at: Annotated[Moment, Label("Time")]
    reason: Reason


class MissingEvent(Schema):
    """The office adds a clock event a crew member forgot."""

    journey_id: Annotated[RowId, Label("Journey")]
    user_id: Annotated[RowId, Label("Person")]
    kind: Kind
    at: Annotated[Moment, Label("Time")]
    reason: Reason


class DayApproval(Schema):
    user_id: Annotated[RowId, Label("Person")]
    work_date: Annotated[Day, Label("Day")]


class TimeRulesForm(Schema):
    """A company's rules: the distance that flags a clock event, overtime, rounding."""

    max_distance_m: Annotated[int, Interval(ge=10, le=100_000), between(10, 100_000), Label("Distance")]
    daily_overtime_after_minutes: Annotated[int | None, Interval(ge=60, le=1440), between(60, 1440),
                                            Label("Daily overtime after")] = None
    weekly_overtime_after_minutes: Annotated[int | None, Interval(ge=60, le=10_080), between(60, 10_080),
                                             Label("Weekly overtime after")] = None
    rounding_minutes: Annotated[int, AfterValidator(_rounding), Label("Rounding")]


def week_start(day: date) -> date:
    """The Monday of `day`'s week (weeks run Monday to Sunday)."""
    return date.fromordinal(day.toordinal() - day.weekday())
