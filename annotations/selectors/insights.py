"""The desk's dashboard: verdicts, timings, queues, source checks and agreement, in SQL.

Every figure is an aggregate the database computes (counts, PostgreSQL's percentile_cont
per week by date_trunc), so the page costs a handful of queries however many claims the
desk has (bench/insights_bench.py). Only the agreement reads rows: the two ratings of each
double-reviewed claim, a small share of all claims, for Krippendorff's alpha (agreement.py).
Elsewhere than PostgreSQL (the SQLite of `make run`) the percentiles are computed in
Python from the same rows.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from .. import agreement
from ..models import Annotation, Assignment, Label, Rating, SourceCheck, Verdict

WEEKS = 12  # the timings' window, in weeks back from this one
MONTHS = 12  # the agreement's months shown (the overall and per-pair figures take all)
CLAIMANTS = 20  # the claimants with the most approved verdicts


@dataclass(frozen=True)
class Spread:
    """Hours from tagging to a step, over the claims that reached it in one week."""

    median: float | None
    p90: float | None
    items: int


def has_claimants() -> bool:
    """Whether annotations name their claimant (services.claimants, issue 16)."""
    return any(field.name == "claimant" for field in Annotation._meta.get_fields())


def verdicts_by_rating() -> dict[str, Any]:
    """Approved verdicts (each claim's current one) by rating, every rating of the scale
    listed, and by claimant for the CLAIMANTS claimants with the most."""
    ratings = list(Rating.objects.order_by("order", "slug"))
    slugs = {rating.pk: rating.slug for rating in ratings}
    approved = Verdict.objects.filter(status=Verdict.Status.APPROVED)
    # One pass: counted by claimant (None for none) and rating; the names are read for the
    # top claimants only.
    by = ["annotation__claimant_id", "rating_id"] if has_claimants() else ["rating_id"]
    counts: dict[int, int] = defaultdict(int)
    counted: dict[int, dict[str, int]] = defaultdict(dict)
    for *claimant, rating_id, n in approved.values_list(*by).annotate(n=Count("id")).order_by():
        counts[rating_id] += n
        if claimant and claimant[0] is not None:
            counted[claimant[0]][slugs[rating_id]] = n
    by_claimant: list[dict[str, Any]] = []
    if counted:
        claimant_model = Annotation._meta.get_field("claimant").related_model
        names = dict(
            (pk, (name, kind))
            for pk, name, kind in claimant_model.objects.filter(
                pk__in=sorted(counted, key=lambda pk: -sum(counted[pk].values()))[:CLAIMANTS]
            ).values_list("id", "name", "kind")
        )
        by_claimant = sorted(
            (
                {
                    "claimant": names[pk][0],
                    "kind": names[pk][1],
                    "total": sum(counted[pk].values()),
                    "ratings": counted[pk],
                }
                for pk in names
            ),
            key=lambda entry: (-entry["total"], entry["claimant"]),
        )
    return {
        "total": sum(counts.values()),
        "ratings": [
            {
                "rating": rating.slug,
                "name": rating.display_name,
                "colour": rating.colour,
                "count": counts.get(rating.pk, 0),
            }
            for rating in ratings
        ],
        "by_claimant": by_claimant,
    }


STEPS = ("assignment", "proposal", "approval")
# Each step's column on the annotation (services.base.FIRST_REACHED): when the claim
# first became assigned, proposed (for a double review: both verdicts in) and approved.
STEP_COLUMNS = {
    "assignment": "first_assigned_at",
    "proposal": "first_proposed_at",
    "approval": "first_approved_at",
}


def _week_start(now: datetime, weeks: int) -> datetime:
    """Monday 00:00 (desk time) of the week `weeks - 1` weeks before this one."""
    local = timezone.localtime(now)
    monday = (local - timedelta(days=local.weekday())).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    return monday - timedelta(weeks=weeks - 1)


def timings(*, now: datetime, weeks: int = WEEKS) -> dict[str, Any]:
    """Hours from tagging a claim to its first assignment, first proposal (for a double
    review: when both verdicts were in) and first approval: the median and the 90th
    percentile per week (the week, desk time, in which the step was reached), with the
    number of claims behind each."""
    since = _week_start(now, weeks)
    # Each week's first instant, desk time (adding weeks to an aware time keeps the wall
    # clock across a daylight-saving change): PostgreSQL finds a row's week among them by
    # width_bucket, cheaper than converting every row's time zone.
    starts = [since + timedelta(weeks=i) for i in range(weeks)]
    week_starts = [start.date().isoformat() for start in starts]
    spreads: dict[tuple[str, str], Spread] = {}
    if connection.vendor == "postgresql":
        # The table and column names come from the models, never from a request.
        claims = f"SELECT id FROM {Label._meta.db_table} WHERE needs_verdict"  # noqa: S608
        parts = [
            f"SELECT {index} AS step, width_bucket({column}, %(starts)s) AS week, "  # noqa: S608
            f"date_part('epoch', {column} - created_at) / 3600.0 AS hours "
            f"FROM {Annotation._meta.db_table} "
            f"WHERE {column} >= %(since)s AND label_id IN ({claims})"
            for index, column in enumerate(STEP_COLUMNS.values())
        ]
        sql = (
            "SELECT step, week, COUNT(*), "  # noqa: S608
            "percentile_cont(0.5) WITHIN GROUP (ORDER BY hours), "
            "percentile_cont(0.9) WITHIN GROUP (ORDER BY hours) "
            f"FROM ({' UNION ALL '.join(parts)}) AS reached GROUP BY 1, 2"
        )
        with transaction.atomic(), connection.cursor() as cursor:
            # Room to sort some 100,000 durations in memory rather than on disk.
            cursor.execute("SET LOCAL work_mem = '64MB'")
            cursor.execute(sql, {"since": since, "starts": starts})
            for step, week, items, median, p90 in cursor.fetchall():
                key = (STEPS[step], week_starts[week - 1])
                spreads[key] = Spread(float(median), float(p90), items)
    else:
        spreads = _timings_in_python(since)
    empty = Spread(None, None, 0)
    return {
        "unit": "hours",
        "since": since.isoformat(),
        "weeks": [
            {
                "week": week,
                **{step: _spread_dict(spreads.get((step, week), empty)) for step in STEPS},
            }
            for week in week_starts
        ],
    }


def _spread_dict(spread: Spread) -> dict[str, Any]:
    rounded = {
        name: None if value is None else round(value, 2)
        for name, value in (("median", spread.median), ("p90", spread.p90))
    }
    return {**rounded, "items": spread.items}


def _timings_in_python(since: datetime) -> dict[tuple[str, str], Spread]:
    """The same figures as the PostgreSQL query, from rows (SQLite has no percentiles)."""
    columns = list(STEP_COLUMNS.values())
    hours: dict[tuple[str, str], list[float]] = defaultdict(list)
    claims = Annotation.objects.filter(label__needs_verdict=True)
    for created_at, *reached in claims.values_list("created_at", *columns):
        for step, when in zip(STEP_COLUMNS, reached, strict=True):
            if when is None or when < since:
                continue
            local = timezone.localtime(when)
            week = (local - timedelta(days=local.weekday())).date().isoformat()
            hours[(step, week)].append((when - created_at).total_seconds() / 3600)
    return {key: _spread(values) for key, values in hours.items()}


def _spread(values: list[float]) -> Spread:
    """Median and p90 with linear interpolation between ranks, as percentile_cont."""
    ordered = sorted(values)

    def at(fraction: float) -> float:
        position = fraction * (len(ordered) - 1)
        low = int(position)
        high = min(low + 1, len(ordered) - 1)
        return ordered[low] + (ordered[high] - ordered[low]) * (position - low)

    return Spread(statistics.median(ordered), at(0.9), len(ordered))


def queues(*, now: datetime) -> list[dict[str, Any]]:
    """Per reviewer with pending assignments: how many, how many overdue, and their age in
    hours (the median and the oldest)."""
    pending = Assignment.objects.filter(state=Assignment.State.PENDING)
    if connection.vendor == "postgresql":
        from django.contrib.auth import get_user_model

        users = get_user_model()._meta.db_table
        sql = (
            "SELECT u.username, COUNT(*), COUNT(*) FILTER (WHERE s.due_at < %(now)s), "  # noqa: S608
            "percentile_cont(0.5) WITHIN GROUP "
            "(ORDER BY EXTRACT(EPOCH FROM %(now)s - s.created_at) / 3600.0), "
            "MAX(EXTRACT(EPOCH FROM %(now)s - s.created_at) / 3600.0) "
            f"FROM {Assignment._meta.db_table} s JOIN {users} u ON u.id = s.reviewer_id "
            "WHERE s.state = %(pending)s GROUP BY u.username ORDER BY u.username"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, {"now": now, "pending": Assignment.State.PENDING})
            rows = cursor.fetchall()
    else:
        ages: dict[str, list[tuple[float, bool]]] = defaultdict(list)
        for username, created_at, due_at in pending.values_list(
            "reviewer__username", "created_at", "due_at"
        ):
            late = due_at is not None and due_at < now
            ages[username].append(((now - created_at).total_seconds() / 3600, late))
        rows = [
            (
                username,
                len(items),
                sum(late for _, late in items),
                statistics.median(age for age, _ in items),
                max(age for age, _ in items),
            )
            for username, items in sorted(ages.items())
        ]
    return [
        {
            "reviewer": username,
            "pending": count,
            "overdue": overdue,
            "median_age_hours": round(float(median), 1),
            "oldest_age_hours": round(float(oldest), 1),
        }
        for username, count, overdue, median, oldest in rows
    ]


def source_checks() -> dict[str, Any]:
    """Source checks by status, and whether the quote was found in the finished ones."""
    rows = (
        SourceCheck.objects.values_list("status", "quote_found").annotate(n=Count("id")).order_by()
    )
    statuses: dict[str, int] = defaultdict(int)
    quotes = {"found": 0, "missing": 0, "unknown": 0}
    for status, quote_found, n in rows:
        statuses[status] += n
        if status == SourceCheck.Status.DONE:
            key = {True: "found", False: "missing"}.get(quote_found, "unknown")
            quotes[key] += n
    return {
        "total": sum(statuses.values()),
        "statuses": [
            {"status": value, "name": str(label), "count": statuses.get(value, 0)}
            for value, label in SourceCheck.Status.choices
        ],
        "quote": quotes,
    }


# A double review's two blind verdicts (the first two: a later round is not one), counted
# by reviewer pair, month of the second (desk time) and the two ratings' places on the
# scale: the coincidences alpha needs, a few hundred rows however many claims.
_PAIRS_SQL = """
WITH blind AS (
    SELECT v.author_id, r."order" AS place, v.created_at, row_number() OVER w AS n,
           lag(v.author_id) OVER w AS other, lag(r."order") OVER w AS other_place
    FROM {verdict} v JOIN {rating} r ON r.id = v.rating_id
    WHERE v.is_blind AND NOT v.is_sealed
    WINDOW w AS (PARTITION BY v.annotation_id ORDER BY v.id)
)
SELECT LEAST(a.username, b.username), GREATEST(a.username, b.username),
       to_char(p.created_at AT TIME ZONE %(zone)s, 'YYYY-MM'), p.other_place, p.place, COUNT(*)
FROM blind p JOIN {user} a ON a.id = p.other JOIN {user} b ON b.id = p.author_id
WHERE p.n = 2
GROUP BY 1, 2, 3, 4, 5
"""


def double_review_pairs() -> list[tuple[str, str, str, int, int, int]]:
    """The revealed double reviews as (reviewer, other reviewer, month, one rating's place,
    the other's, how many claims). Sealed verdicts are left out: their ratings are nobody's
    but their authors' until both are in."""
    if connection.vendor == "postgresql":
        from django.contrib.auth import get_user_model

        tables = {
            "verdict": Verdict._meta.db_table,
            "rating": Rating._meta.db_table,
            "user": get_user_model()._meta.db_table,
        }
        with connection.cursor() as cursor:
            cursor.execute(
                _PAIRS_SQL.format(**tables), {"zone": timezone.get_current_timezone_name()}
            )
            return cursor.fetchall()
    claims: dict[int, list[tuple[str, int, datetime]]] = defaultdict(list)
    for annotation_id, author, place, created_at in (
        Verdict.objects.filter(is_blind=True, is_sealed=False)
        .order_by("annotation_id", "id")
        .values_list("annotation_id", "author__username", "rating__order", "created_at")
    ):
        claims[annotation_id].append((author, place, created_at))
    counted: dict[tuple[str, str, str, int, int], int] = defaultdict(int)
    for verdicts in claims.values():
        if len(verdicts) < 2:
            continue
        (first, a, _), (second, b, when) = verdicts[:2]
        low, high = sorted((first, second))
        counted[(low, high, timezone.localtime(when).strftime("%Y-%m"), a, b)] += 1
    return [(*key, n) for key, n in counted.items()]


def agreement_figures(*, months: int = MONTHS) -> dict[str, Any]:
    """Krippendorff's alpha, ordinal, on the rating scale (its `order`), over every claim
    with both blind verdicts revealed: overall, per reviewer pair and per month (of the
    second verdict, desk time), each with the number of claims behind it; None with a
    reason where alpha is undefined (agreement.NO_PAIRS, agreement.NO_VARIATION)."""
    scale = list(Rating.objects.order_by("order", "slug").values_list("order", "slug"))
    domain = sorted({order for order, _ in scale})
    Counted = list[tuple[tuple[int, int], int]]
    everything: Counted = []
    by_pair: dict[tuple[str, str], Counted] = defaultdict(list)
    by_month: dict[str, Counted] = defaultdict(list)
    for first, second, month, a, b, n in double_review_pairs():
        unit = ((a, b), n)
        everything.append(unit)
        by_pair[(first, second)].append(unit)
        by_month[month].append(unit)

    def figure(counted: Counted) -> dict[str, Any]:
        result = agreement.ordinal_alpha(
            [unit for unit, _ in counted], domain, weights=[n for _, n in counted]
        )
        return {
            "alpha": None if result.value is None else round(result.value, 4),
            "items": result.items,
            "reason": result.reason,
        }

    return {
        "level": "ordinal",
        "scale": [slug for _, slug in scale],
        "overall": figure(everything),
        "pairs": [
            {"reviewers": list(pair), **figure(rows)} for pair, rows in sorted(by_pair.items())
        ],
        "months": [
            {"month": month, **figure(by_month[month])} for month in sorted(by_month)[-months:]
        ],
    }


def insights(*, now: datetime | None = None, weeks: int = WEEKS) -> dict[str, Any]:
    """Every figure of the dashboard, as plain data (the page, its CSV and the API)."""
    now = now or timezone.now()
    return {
        "generated_at": now.isoformat(),
        "verdicts_by_rating": verdicts_by_rating(),
        "timings": timings(now=now, weeks=weeks),
        "queues": queues(now=now),
        "source_checks": source_checks(),
        "agreement": agreement_figures(),
    }
