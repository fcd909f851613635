"""Input schemas: the Pydantic base of each feature's schemas (`domain/<feature>/schemas.py`), and
the one translation of a Pydantic `ValidationError` into the domain's `ValidationFailed`: a 422
naming every field with a sentence for people ("Name is required; Latitude must be between -90
and 90"). Domain functions validate with these models before any write, so a refused input
never leaves a half-written record.

The pages call the domain directly; the API takes the same models as request bodies, and its
error handler (`api/http/envelope.py`) words a body's errors with `Schema.failure`, so both get
the same rules and the same messages.

A field's metadata (in its `Annotated`) may carry a `Label` (its name in messages) and a
`Wording` (messages of its own, by Pydantic error type)."""

from __future__ import annotations

import typing
from collections.abc import Mapping, Sequence
from copy import copy
from datetime import date, datetime
from typing import Annotated, Any, ClassVar, Self, TypeVar, cast

import email_validator
from annotated_types import Interval
from pydantic import BaseModel, BeforeValidator, ConfigDict, StringConstraints, ValidationError, create_model
from pydantic.fields import FieldInfo

from db.models.base import MAX_ROW_ID
from domain.errors import ValidationFailed

# EmailStr (email-validator) refuses the special-use domain names; `.test` (RFC 2606) stays valid
# as it was before the schemas: the demo data, the bench and the tests use addresses there.
email_validator.SPECIAL_USE_DOMAIN_NAMES = [n for n in email_validator.SPECIAL_USE_DOMAIN_NAMES if n != "test"]

#: A database row id: a positive 32-bit integer.
RowId = Annotated[int, Interval(ge=1, le=MAX_ROW_ID)]


def row_id_in(text: str) -> int | None:
    """The row id that `text` names (ASCII digits, e.g. a token's `sub` or a `#123` search), or
    None when it names none that can exist: a query with a larger id fails in PostgreSQL rather
    than finding nothing. `str.isdigit` alone also takes digits `int` refuses (`²`)."""
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(MAX_ROW_ID)):
        return None
    value = int(text)
    return value if 1 <= value <= MAX_ROW_ID else None

#: A calendar day, far from the ends of the calendar (a day or a time zone either side still exists).
Day = Annotated[date, Interval(ge=date(1900, 1, 1), le=date(2999, 12, 31))]

#: A moment in the same years (with or without an offset).
Moment = Annotated[datetime, Interval(ge=datetime(1900, 1, 1), le=datetime(3000, 1, 1))]


class Label:
    """Field metadata: how messages name the field."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name


class Wording:
    """Field metadata: the field's own messages by Pydantic error type ("required" for a value
    missing, null or blank; "*" for any error). `{label}` is the field's label, `{input}` the
    value sent, other names come from the error's context (`{max_length}`, ...)."""

    __slots__ = ("messages",)

    def __init__(self, **messages: str) -> None:
        self.messages = messages


def limit(max_length: int) -> StringConstraints:
    """Text of 1 to `max_length` characters once surrounding blanks are dropped (empty is missing)."""
    return StringConstraints(strip_whitespace=True, min_length=1, max_length=max_length)


def _blank_is_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


#: Optional text: empty or blank is no value (it clears the field in an edit).
Blank = BeforeValidator(_blank_is_none)

#: The words of a problem, by Pydantic error type; "{label} " + Pydantic's message for the others
#: (the custom errors of the features' own validators are written for that).
WORDING: Mapping[str, str] = {
    "required": "{label} is required",
    "string_type": "{label} must be text",
    "string_too_short": "{label} must be at least {min_length} characters",
    "string_too_long": "{label} must be at most {max_length} characters",
    "too_long": "{label} is too long (at most {max_length})",
    "int_type": "{label} must be an integer",
    "int_parsing": "{label} must be an integer",
    "int_from_float": "{label} must be an integer",
    "float_type": "{label} must be a number",
    "float_parsing": "{label} must be a number",
    "finite_number": "{label} must be a number",
    "decimal_type": "{label} must be a number",
    "decimal_parsing": "{label} must be a number",
    "bool_type": "{label} must be true or false",
    "bool_parsing": "{label} must be true or false",
    "enum": "{label} must be one of {expected}",
    "greater_than_equal": "{label} must be at least {ge}",
    "less_than_equal": "{label} must be at most {le}",
    "date_type": "{label} must be a date",
    "date_parsing": "{label} must be a date",
    "date_from_datetime_parsing": "{label} must be a date",
    "date_from_datetime_inexact": "{label} must be a date",
    "datetime_type": "{label} must be a date and time",
    "datetime_parsing": "{label} must be a date and time",
    "datetime_from_date_parsing": "{label} must be a date and time",
    "list_type": "{label} must be a list",
    "model_type": "{label} must be an object",
    "dict_type": "{label} must be an object",
    "extra_forbidden": "{label} is not a field here",
}


def between(low: float, high: float) -> Wording:
    """The wording of a number outside `[low, high]`."""
    said = f"{{label}} must be between {low:g} and {high:g}"
    return Wording(greater_than_equal=said, less_than_equal=said)


def one_of(choices: type[Any]) -> Wording:
    """The wording of a value that is none of an Enum's."""
    return Wording(enum="{label} must be one of " + ", ".join(m.value for m in choices))


S = TypeVar("S", bound="Schema")


class Schema(BaseModel):
    """The input of one domain action. Unknown fields are refused."""

    model_config = ConfigDict(extra="forbid")

    #: The feature's wording (see WORDING).
    wording: ClassVar[Mapping[str, str]] = WORDING
    #: The whole message when fields the schema does not have are sent.
    unknown_fields: ClassVar[str] = "unknown field(s): {names}"

    @classmethod
    def parse(cls, data: Mapping[str, Any] | Self) -> Self:
        """`data` checked (an instance of this very schema is already); ValidationFailed otherwise."""
        if type(data) is cls:
            return data
        try:
            return cls.model_validate(dict(data) if isinstance(data, Mapping) else data)
        except ValidationError as exc:
            raise cls.failure(exc.errors()) from None

    @classmethod
    def failure(cls, errors: Sequence[Mapping[str, Any]]) -> ValidationFailed:
        """The 422 for Pydantic's `errors` of this schema: unknown fields alone, else every
        problem, each naming its field (`details.errors`: [{field, problem}])."""
        unknown = sorted(str(e["loc"][0]) for e in errors if e["type"] == "extra_forbidden" and len(e["loc"]) == 1)
        if unknown:
            return ValidationFailed(cls.unknown_fields.format(names=", ".join(unknown)))
        problems: list[dict[str, str]] = []
        for error in errors:
            problem = {"field": ".".join(str(p) for p in error["loc"]), "problem": cls._problem(error)}
            if problem not in problems:
                problems.append(problem)
        said = list(dict.fromkeys(p["problem"] for p in problems))
        return ValidationFailed("; ".join(said), details={"errors": problems})

    @classmethod
    def _problem(cls, error: Mapping[str, Any]) -> str:
        field, name = _field_at(cls, error["loc"])
        metadata = field.metadata if field is not None else []
        label = next((m.name for m in reversed(metadata) if isinstance(m, Label)), name.replace("_", " "))
        own: dict[str, str] = {}
        for m in metadata:
            if isinstance(m, Wording):
                own.update(m.messages)
        value = error.get("input")
        stripped = any(getattr(m, "strip_whitespace", False) for m in metadata)
        required = (error["type"] == "missing" or value is None or value == ""
                    or (stripped and isinstance(value, str) and not value.strip()))
        key = "required" if required else error["type"]
        template = own.get(key) or own.get("*") or cls.wording.get(key)
        if template is not None:
            try:
                return template.format(**{**(error.get("ctx") or {}), "label": label, "input": value})
            except (KeyError, IndexError, ValueError):
                pass
        message = str(error.get("msg", "is not valid"))
        return f"{label} {message[:1].lower()}{message[1:]}"


def _field_at(model: type[BaseModel] | None, loc: Sequence[Any]) -> tuple[FieldInfo | None, str]:
    """The innermost field a location names (through nested models and lists), and its name."""
    field: FieldInfo | None = None
    name = "input"
    for part in loc:
        if isinstance(part, int):
            continue
        fields = model.model_fields if model is not None else {}
        if part not in fields:
            break
        field, name = fields[part], str(part)
        model = _model_in(field.annotation)
    return field, name


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        if (found := _model_in(arg)) is not None:
            return found
    return None


def changes_of(schema: type[S], name: str) -> type[S]:
    """`schema` for an edit: any field may be left out (and stays as it is: read the fields sent
    with `model_dump(exclude_unset=True)`); a field `schema` requires may not be emptied."""
    fields: dict[str, Any] = {}
    for field_name, info in schema.model_fields.items():
        if info.is_required():
            optional = copy(info)
            optional.default = None  # not validated: only a field left out gets it
            fields[field_name] = (info.annotation, optional)
    doc = f"Changes of a {schema.__name__}: only the fields sent change."
    return cast(type[S], create_model(name, __base__=schema, __module__=schema.__module__, __doc__=doc,
                                      **fields))
