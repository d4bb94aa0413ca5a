"""Counts in the reader's format and due days at the desk (annotations.l10n)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from django.utils import translation

from annotations import l10n


def test_counts_are_grouped_the_english_way_in_english():
    with translation.override("en"):
        assert l10n.grouped(588_000) == "588,000"


def test_counts_are_grouped_the_german_way_in_german():
    with translation.override("de"):
        assert l10n.grouped(588_000) == "588.000"


def test_a_due_day_is_the_end_of_that_day_in_berlin():
    due_at = l10n.due_at_of_day(date(2026, 12, 10))
    assert due_at.astimezone(UTC) == datetime(2026, 12, 10, 22, 59, 59, tzinfo=UTC)


def test_a_due_time_reads_as_its_berlin_day_even_when_utc_is_a_day_behind():
    # 00:30 on 11 December in Berlin is still 10 December in UTC.
    assert l10n.desk_day(datetime(2026, 12, 10, 23, 30, tzinfo=UTC)) == date(2026, 12, 11)


def test_only_a_plain_iso_day_is_a_day():
    assert l10n.plain_day("2026-12-10") == date(2026, 12, 10)
    assert l10n.plain_day("2026-12-10T10:00:00Z") is None
    assert l10n.plain_day("10.12.2026") is None
    assert l10n.plain_day("2026-02-30") is None
    assert l10n.plain_day(20261210) is None
