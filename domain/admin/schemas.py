"""What company administration accepts: for each record a model of a create (`New…`) and one of an
edit (`…Changes`, any of the fields), with the limits of the columns and each field's rules. The
domain (`domain/admin/*.py`) validates with them before any write; the API takes them as request
bodies. Every problem is reported at once: one 422 naming each field."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Annotated
from zoneinfo import available_timezones

from annotated_types import Interval
from pydantic import AfterValidator, BeforeValidator, EmailStr, Field, Strict, StringConstraints
from pydantic_core import PydanticCustomError

from db.enums import LocationLinkKind, Role
from db.models.base import MAX_ROW_ID
from domain.access.passwords import MIN_PASSWORD_LENGTH
from domain.schemas import Blank, Label, RowId, Schema, Wording, between, changes_of, limit, one_of

MAX_PASSWORD_LENGTH = 128
#: More links than a company has branches is a mistake, not a need.
MAX_LOCATION_LINKS = 200
DEFAULT_TIMEZONE = "America/Toronto"


@lru_cache(maxsize=1)
def _timezones() -> frozenset[str]:
    return frozenset(available_timezones())


def _known_zone(value: str) -> str:
    if value not in _timezones():
        raise PydanticCustomError("time_zone", "is not a known time zone (e.g. America/Toronto)")
    return value


TimeZone = Annotated[str, limit(64), AfterValidator(_known_zone), Label("Time zone")]

#: Stored lower-case: emails are unique regardless of case.
Email = Annotated[EmailStr, StringConstraints(strip_whitespace=True, max_length=254), AfterValidator(str.lower),
                  Wording(value_error="{label} is not a valid email address"), Label("Email")]

#: Not stripped: a password is taken as typed.
Password = Annotated[str, StringConstraints(min_length=MIN_PASSWORD_LENGTH, max_length=MAX_PASSWORD_LENGTH),
                     Label("Password")]


# --- companies ---------------------------------------------------------------------------------

class CompanyFields(Schema):
    name: Annotated[str, limit(200), Label("Name")]
    timezone: TimeZone


class NewCompany(CompanyFields):
    """Without a time zone (or with an empty one), DEFAULT_TIMEZONE."""

    timezone: Annotated[TimeZone, BeforeValidator(lambda value: value or DEFAULT_TIMEZONE)] = DEFAULT_TIMEZONE


if TYPE_CHECKING:  # a type checker sees the fields (all may be left out at run time)
    CompanyChanges = CompanyFields
else:
    CompanyChanges = changes_of(CompanyFields, "CompanyChanges")


# --- locations ---------------------------------------------------------------------------------

class LocationFields(Schema):
    name: Annotated[str, limit(120), Label("Name")]
    code: Annotated[str | None, limit(40), Blank, Label("Code")] = None
    timezone: TimeZone
    address: Annotated[str | None, limit(300), Blank, Label("Address")] = None
    city: Annotated[str | None, limit(120), Blank, Label("City")] = None
    province: Annotated[str | None, limit(40), Blank, Label("Province")] = None
    country: Annotated[str | None, limit(2), Blank, Label("Country")] = None
    postal_code: Annotated[str | None, limit(20), Blank, Label("Postal code")] = None
    phone: Annotated[str | None, limit(40), Blank, Label("Phone")] = None
    lat: Annotated[float | None, Strict(), Field(ge=-90, le=90, allow_inf_nan=False), between(-90, 90),
                   Label("Latitude")] = None
    lng: Annotated[float | None, Strict(), Field(ge=-180, le=180, allow_inf_nan=False), between(-180, 180),
                   Label("Longitude")] = None


class NewLocation(LocationFields):
    #: Required of a super admin; an admin's own company otherwise.
    company_id: RowId | None = None


if TYPE_CHECKING:  # a type checker sees the fields (all may be left out at run time)
    LocationChanges = LocationFields
else:
    LocationChanges = changes_of(LocationFields, "LocationChanges")


# --- trucks ------------------------------------------------------------------------------------

_OUT_OF_RANGE = "{label} is out of range"


class TruckFields(Schema):
    number: Annotated[str, limit(40), Label("Truck number")]
    #: Integer columns (ids) are 32-bit.
    location_id: Annotated[int, Strict(), Interval(ge=-MAX_ROW_ID, le=MAX_ROW_ID),
                           Wording(greater_than_equal=_OUT_OF_RANGE, less_than_equal=_OUT_OF_RANGE),
                           Label("Location")]
    size: Annotated[str | None, limit(40), Blank, Label("Size")] = None


class NewTruck(TruckFields):
    company_id: RowId | None = None


if TYPE_CHECKING:  # a type checker sees the fields (all may be left out at run time)
    TruckChanges = TruckFields
else:
    TruckChanges = changes_of(TruckFields, "TruckChanges")


# --- users -------------------------------------------------------------------------------------

class LocationLink(Schema):
    location_id: Annotated[RowId, Strict(), Wording(**{"*": "each location link needs an integer location_id"})]
    kind: Annotated[LocationLinkKind, Wording(**{"*": "a location link's kind must be ASSIGNED or MANAGED"})] = \
        LocationLinkKind.ASSIGNED


class UserFields(Schema):
    email: Email
    full_name: Annotated[str, limit(200), Label("Full name")]
    phone: Annotated[str | None, limit(40), Blank, Label("Phone")] = None
    role: Annotated[Role, one_of(Role), Label("Role")]
    #: The whole list of the user's links; in an edit, left out (or null) leaves them as they are.
    locations: Annotated[list[LocationLink] | None, Field(max_length=MAX_LOCATION_LINKS), Wording(
        list_type="locations must be a list of {{location_id, kind}}",
        too_long=f"at most {MAX_LOCATION_LINKS} location links",
        model_type="each location link needs an integer location_id",
    ), Label("Locations")] = None


class NewUser(UserFields):
    password: Password
    #: Required of a super admin (except for a new super admin, who belongs to no company).
    company_id: RowId | None = None


if TYPE_CHECKING:  # a type checker sees the fields (all may be left out at run time)
    UserChanges = UserFields
else:
    UserChanges = changes_of(UserFields, "UserChanges")


class PasswordReset(Schema):
    password: Password
