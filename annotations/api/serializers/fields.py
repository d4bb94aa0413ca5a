"""Field helpers and the strict base every input serializer of the API uses."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from django.core.validators import MinValueValidator
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ...l10n import due_at_of_day, plain_day


class StrictSerializer(serializers.Serializer):
    """Refuses unknown (and read-only) keys with 400 instead of ignoring them."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            unknown = sorted(str(key) for key in data if key not in writable)
            if unknown:
                raise serializers.ValidationError(
                    {name: ["Unknown field; this endpoint does not accept it."] for name in unknown}
                )
        return super().to_internal_value(data)


def text_field(**kwargs: Any) -> serializers.CharField:
    """A CharField that keeps whitespace: quotes and article text must stay byte-exact."""
    return serializers.CharField(trim_whitespace=False, **kwargs)


# A database id: larger values cannot exist, and saying so early keeps them out of SQL.
MAX_ID = 2**63 - 1


def id_field(**kwargs: Any) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


# Before 1893 Europe/Berlin kept local mean time, an offset with seconds (+00:53:28) that
# no RFC 3339 timestamp can carry: the API could not give such a date back. No article or
# deadline of a newsroom is that old.
EARLIEST_DATE = datetime(1900, 1, 1, tzinfo=UTC)


def date_time_field(**kwargs: Any) -> serializers.DateTimeField:
    """An optional input date and time, from 1900 on."""
    return serializers.DateTimeField(
        required=False,
        allow_null=True,
        validators=[MinValueValidator(EARLIEST_DATE, message="give a date from 1900 on")],
        **kwargs,
    )


class DueDateTimeField(serializers.DateTimeField):
    """A due date: an RFC 3339 date-time, or a plain day (`YYYY-MM-DD`, what a date input
    sends), which means the end of that day in the desk's time zone (annotations.l10n)."""

    def to_internal_value(self, value: Any) -> datetime:
        day = plain_day(value)
        if day is not None and day >= EARLIEST_DATE.date():
            return due_at_of_day(day)
        return super().to_internal_value(value)


def due_date_field() -> DueDateTimeField:
    """An optional due date (DueDateTimeField), from 1900 on."""
    return DueDateTimeField(
        required=False,
        allow_null=True,
        validators=[MinValueValidator(EARLIEST_DATE, message="give a date from 1900 on")],
        help_text="RFC 3339 date-time, or a day (YYYY-MM-DD): the end of that day in the "
        "desk's time zone.",
    )


@extend_schema_field({"oneOf": [{"type": "string"}, {"type": "integer"}]})
class UsernameOrIdField(serializers.Field):
    def to_internal_value(self, data: Any) -> str:
        if isinstance(data, bool) or not isinstance(data, (str, int)):
            raise serializers.ValidationError("give the reviewer's username or id")
        value = str(data).strip()
        if not value or len(value) > 150:
            raise serializers.ValidationError("give the reviewer's username or id")
        if value.isdecimal() and int(value) > MAX_ID:  # not isdigit: int() refuses "²"
            raise serializers.ValidationError(f"unknown reviewer '{value}'")
        return value

    def to_representation(self, value: Any) -> Any:
        return value


@extend_schema_field(OpenApiTypes.OBJECT)
class ObjectField(serializers.JSONField):
    """A JSON object (an event's data)."""
