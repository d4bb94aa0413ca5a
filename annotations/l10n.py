"""How people read numbers and times: in their language's formats, and times in the desk's
time zone (settings.DESK_TIME_ZONE), whatever the browser's zone.

Due dates are days in the desk's time zone. A due date picked as a day (`<input
type="date">`, "2026-12-10") is stored as the *end* of that day in the desk's zone,
23:59:59: the reviewer has the whole day, and "overdue" starts at the desk's midnight.
Shown again, a stored due date is turned back into its day in the desk's zone, so the day
picked is the day read, in Los Angeles as in Tokyo.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, tzinfo
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.formats import number_format

END_OF_DAY = time(23, 59, 59)
_PLAIN_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def desk_zone() -> tzinfo:
    """The desk's time zone."""
    return ZoneInfo(settings.DESK_TIME_ZONE)


def due_at_of_day(day: date) -> datetime:
    """The due time of a due day: the end of that day in the desk's zone."""
    return datetime.combine(day, END_OF_DAY, tzinfo=desk_zone())


def plain_day(value: object) -> date | None:
    """The day of a plain `YYYY-MM-DD` value (what a date input sends), else None."""
    if not isinstance(value, str) or not _PLAIN_DATE.fullmatch(value.strip()):
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        return None


def desk_day(value: datetime) -> date:
    """The day of a time in the desk's zone (a due date as the desk reads it)."""
    return value.astimezone(desk_zone()).date()


def desk_today(now: datetime) -> date:
    """Today, at the desk."""
    return desk_day(now)


def grouped(number: int) -> str:
    """A count with the active language's thousands separator: 588,000 or 588.000."""
    return number_format(number, force_grouping=True)
