"""What the availability forms and API accept."""

from __future__ import annotations

from typing import Annotated, Self

from annotated_types import Interval

from db.models.availability import ALL_WEEKDAYS
from domain.availability.skills import SKILLS
from domain.errors import ValidationFailed
from domain.schemas import Day, Label, RowId, Schema, Wording, limit

#: A period longer than this is a mistake (a recurring one is a few years at most).
MAX_PERIOD_DAYS = 3 * 366


class NewPeriod(Schema):
    """Time off of a person (`user_id`) or a truck out of service (`truck_id`): one of the two."""

    user_id: Annotated[RowId | None, Label("Person")] = None
    truck_id: Annotated[RowId | None, Label("Truck")] = None
    starts_on: Annotated[Day, Label("First day")]
    ends_on: Annotated[Day, Label("Last day")]
    #: Days of the week (0 Monday ... 6 Sunday); empty or missing: every day of the range.
    weekdays: Annotated[tuple[Annotated[int, Interval(ge=0, le=6)], ...], Label("Days of the week"),
                        Wording(less_than_equal="{label} are 0 (Monday) to 6 (Sunday)",
                                greater_than_equal="{label} are 0 (Monday) to 6 (Sunday)")] = ()
    reason: Annotated[str, limit(200), Label("Reason")]

    def check(self) -> Self:
        """The rules across fields (ValidationFailed naming the problem)."""
        if (self.user_id is None) == (self.truck_id is None):
            raise ValidationFailed("Choose a person or a truck")
        if self.ends_on < self.starts_on:
            raise ValidationFailed("The last day is before the first day")
        if (self.ends_on - self.starts_on).days > MAX_PERIOD_DAYS:
            raise ValidationFailed(f"A period is at most {MAX_PERIOD_DAYS} days long")
        return self

    def weekday_bits(self) -> int | None:
        bits = sum(1 << d for d in set(self.weekdays))
        return None if bits in (0, ALL_WEEKDAYS) else bits


class SkillSet(Schema):
    skills: Annotated[list[Annotated[str, limit(40)]], Label("Skills")]

    def check(self) -> Self:
        unknown = sorted(set(self.skills) - SKILLS.keys())
        if unknown:
            raise ValidationFailed(f"Unknown skill: {', '.join(unknown)}")
        return self
