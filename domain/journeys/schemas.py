"""What creating, editing and cancelling a journey accept: a new manual journey (`NewJourney`),
the changes of one (`JourneyChanges`, any of the editable fields) and a cancellation's reason.
The domain (`domain/journeys/edit.py`) validates with them before any write; the API takes them
as request bodies. Rules that need the location's time zone or the stored journey (the date near
today, times on that date and in order) stay in the domain."""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, ClassVar

from pydantic import AfterValidator, BeforeValidator, EmailStr, Field, StringConstraints
from pydantic_core import PydanticCustomError

from domain.schemas import WORDING, Blank, Day, Label, Moment, RowId, Schema, Wording, changes_of, limit

MAX_CUSTOMER_NAME = 200
MAX_PHONE = 40
MAX_EMAIL = 254
MAX_ADDRESS = 400
MAX_CATALOGUE_LABEL = 120  # service type, move size
MAX_NOTES = 4000
MAX_ESTIMATED_VALUE = Decimal("9999999999.99")  # Numeric(12, 2)

_PHONE = re.compile(r"^[0-9+().\-\s/x]+$")


def _phone_number(value: str | None) -> str | None:
    if value is not None and (not _PHONE.match(value) or sum(c.isdigit() for c in value) < 7):
        raise PydanticCustomError("phone_number", "{value} is not a phone number", {"value": repr(value)})
    return value


def _cents(value: Decimal | None) -> Decimal | None:
    return value.quantize(Decimal("0.01")) if value is not None else None


#: Optional texts (empty is none).
Address = Annotated[str | None, limit(MAX_ADDRESS), Blank]
CatalogueLabel = Annotated[str | None, limit(MAX_CATALOGUE_LABEL), Blank]
Notes = Annotated[str | None, limit(MAX_NOTES), Blank]

_VALUE_RANGE = f"{{label}} must be between 0 and {MAX_ESTIMATED_VALUE}"


class JourneySchema(Schema):
    wording: ClassVar[Mapping[str, str]] = {
        **WORDING, "string_too_long": "{label} is too long (at most {max_length} characters)"}
    unknown_fields = "these fields cannot be set: {names}"


class JourneyFields(JourneySchema):
    """The fields of a journey a request may set. Naive times are wall-clock times of the location."""

    journey_date: Annotated[Day, Label("journey date")]
    customer_name: Annotated[str, limit(MAX_CUSTOMER_NAME), Label("customer name")]
    customer_phone: Annotated[str | None, limit(MAX_PHONE), Blank, AfterValidator(_phone_number),
                              Label("customer phone")] = None
    customer_email: Annotated[Annotated[EmailStr, AfterValidator(str.lower)] | None,
                              StringConstraints(strip_whitespace=True, max_length=MAX_EMAIL), Blank,
                              Wording(value_error="{label} {input!r} is not an email address"),
                              Label("customer email")] = None
    origin_address: Annotated[Address, Label("pickup address")] = None
    destination_address: Annotated[Address, Label("delivery address")] = None
    service_type: Annotated[CatalogueLabel, Label("service type")] = None
    move_size: Annotated[CatalogueLabel, Label("move size")] = None
    #: ISO 8601; without an offset it is the location's wall-clock time.
    scheduled_start: Annotated[Moment | None, Label("scheduled start")] = None
    scheduled_end: Annotated[Moment | None, Label("scheduled end")] = None
    notes: Annotated[Notes, Label("notes")] = None
    #: Rounded to the cent; only roles that see financial data may set it.
    estimated_value: Annotated[Decimal | None, Field(ge=0, le=MAX_ESTIMATED_VALUE), Blank, AfterValidator(_cents),
                               Wording(greater_than_equal=_VALUE_RANGE, less_than_equal=_VALUE_RANGE),
                               Label("estimated value")] = None
    confirmed: Annotated[bool, BeforeValidator(lambda value: False if value is None else value),
                         Label("confirmed")] = False


class NewJourney(JourneyFields):
    """A new manual journey at a location."""

    location_id: Annotated[RowId, Label("location")]


#: On an edit only the fields sent change.
if TYPE_CHECKING:  # a type checker sees the fields (all may be left out at run time)
    JourneyChanges = JourneyFields
else:
    JourneyChanges = changes_of(JourneyFields, "JourneyChanges")


class Cancellation(JourneySchema):
    reason: Annotated[Notes, Label("reason")] = None
