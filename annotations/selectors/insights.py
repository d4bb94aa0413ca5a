"""The desk's dashboard: verdicts, timings, queues, source checks and agreement, in SQL.

Every figure is an aggregate the database computes (counts, PostgreSQL's percentile_cont
per week), so the page costs a fixed number of queries however many claims the desk has
(bench/insights_bench.py). Only the agreement reads rows: the two ratings of each
double-reviewed claim, counted by reviewers, month and ratings, for Krippendorff's alpha
(agreement.py). Elsewhere than PostgreSQL (the SQLite of `make run`) the percentiles and
pairs are computed in Python from the same rows.

On PostgreSQL what the weeks before this one contribute is stored rather than aggregated
on every request (issue 16: 100,000 claims in well under 300 ms): each past week's
timings (TimingWeek) and the counts of approved verdicts and of double reviews before this
week (InsightSnapshot); this week is computed live, from indexes. A stored figure is
deleted by a database trigger in the transaction of any write that would change it
(insights_triggers), so the figures are exactly those of a live computation
(tests/services/test_insights_summaries.py). The first dashboard of a week stores them.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, QuerySet
from django.utils import timezone

from .. import agreement, insights_triggers
from ..models import (
    Annotation,
    Assignment,
    InsightSnapshot,
    Label,
    Rating,
    SourceCheck,
    TimingWeek,
    Verdict,
)

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
    if connection.vendor == "postgresql" and has_claimants():
        rows = _approved_counts(approved)
    else:
        rows = list(approved.values_list(*by).annotate(n=Count("*")).order_by())
    for *claimant, rating_id, n in rows:
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


def _this_week() -> datetime:
    """Monday 00:00 of this week, desk time: where the stored counts end (InsightSnapshot)."""
    return _week_start(timezone.now(), 1)


def _snapshot(
    kind: str, upto: datetime, compute: Callable[[datetime], dict[str, Any]], *, data: bool
) -> tuple[int, datetime, dict[str, Any] | None] | None:
    """The stored counts of `kind` before some time (InsightSnapshot) as (id, that time,
    its data if `data`): the one of this week (`upto`), computed by `compute(upto)` and
    stored when missing, or an older one while a write that may change it is in flight
    (still true: a write that changes it deletes it); None when there is none. The rest
    is counted live."""
    fields = ["pk", "upto", "data"] if data else ["pk", "upto"]
    stored = InsightSnapshot.objects.filter(kind=kind).values_list(*fields).first()
    if stored is not None and stored[1] == upto:
        return (*stored, None) if not data else stored
    with transaction.atomic(), connection.cursor() as cursor:
        # Computed and stored only while no write that changes it is in flight (the
        # triggers of insights_triggers hold this lock shared until they commit).
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [insights_triggers.LOCK_KEY])
        if not cursor.fetchone()[0]:
            return (*stored, None) if stored is not None and not data else stored
        counted = compute(upto)
        InsightSnapshot.objects.filter(kind=kind).delete()
        created = InsightSnapshot.objects.create(kind=kind, upto=upto, data=counted)
    return created.pk, upto, counted if data else None


# Approved verdicts by claimant (CLAIMANTS of them: those with the most, ties by id; the
# others' together with those of no claimant) and rating, from `{rows}` (claimant, rating,
# count): the snapshot's and the live ones, added up in PostgreSQL.
_APPROVED_SQL = """
WITH counted AS (
    SELECT claimant, rating, SUM(n::integer)::integer AS n
    FROM ({rows}) AS r (claimant, rating, n)
    GROUP BY 1, 2
), top AS (
    SELECT claimant FROM counted WHERE claimant IS NOT NULL
    GROUP BY 1 ORDER BY SUM(n) DESC, claimant LIMIT %s
)
SELECT CASE WHEN claimant IN (SELECT claimant FROM top) THEN claimant END, rating, SUM(n)
FROM counted GROUP BY 1, 2
"""
_SNAPSHOT_ROWS = (
    "SELECT (e->>0)::bigint, (e->>1)::bigint, (e->>2)::bigint "
    "FROM {table} s, jsonb_array_elements(s.data->'counts') e WHERE s.id = %s"
)


def _approved_counts(approved: QuerySet[Verdict]) -> list[tuple[int | None, int, int]]:
    """(claimant id or None, rating id, approved verdicts) on PostgreSQL, for the CLAIMANTS
    claimants with the most (None for the rest): those decided before this week from the
    snapshot, the others (from the index verdict_approved_decided) live."""

    def count(verdicts: QuerySet[Verdict]) -> QuerySet[Verdict, tuple[int | None, int, int]]:
        # COUNT(*): read from the indexes verdict_approved_decided and
        # annotation_id_claimant alone.
        by = verdicts.values_list("annotation__claimant_id", "rating_id")
        return by.annotate(n=Count("*")).order_by()

    snapshot = _snapshot(
        InsightSnapshot.Kind.VERDICTS,
        _this_week(),
        lambda upto: {"counts": [list(row) for row in count(approved.filter(decided_at__lt=upto))]},
        data=False,
    )
    if snapshot is None:
        rows, params = count(approved).query.sql_with_params()
    else:
        # Decided from the snapshot's time on, or (were there any) approved without a
        # time: an index range each.
        live = count(approved.filter(decided_at__gte=snapshot[1])).union(
            count(approved.filter(decided_at__isnull=True)), all=True
        )
        sql, live_params = live.query.sql_with_params()
        table = InsightSnapshot._meta.db_table
        rows = f"{_SNAPSHOT_ROWS.format(table=table)} UNION ALL {sql}"
        params = (snapshot[0], *live_params)
    with connection.cursor() as cursor:
        cursor.execute(_APPROVED_SQL.format(rows=rows), [*params, CLAIMANTS])
        return cursor.fetchall()


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
    spreads: dict[tuple[str, str], Spread]
    if connection.vendor == "postgresql":
        spreads = {
            (STEPS[step], week_starts[week]): spread
            for (step, week), spread in _timings_in_postgresql(starts, now).items()
        }
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


def _timings_sql() -> str:
    """Per step and week (1-based among %(starts)s; the last takes every later time too):
    the claims that reached the step from %(since)s on, their median and p90 hours."""
    # The table and column names come from the models, never from a request.
    claims = f"SELECT id FROM {Label._meta.db_table} WHERE needs_verdict"  # noqa: S608
    parts = [
        f"SELECT {index} AS step, width_bucket({column}, %(starts)s) AS week, "  # noqa: S608
        f"date_part('epoch', {column} - created_at) / 3600.0 AS hours "
        f"FROM {Annotation._meta.db_table} "
        f"WHERE {column} >= %(since)s AND label_id IN ({claims})"
        for index, column in enumerate(STEP_COLUMNS.values())
    ]
    return (
        "SELECT step, week, COUNT(*), "  # noqa: S608
        "percentile_cont(0.5) WITHIN GROUP (ORDER BY hours), "
        "percentile_cont(0.9) WITHIN GROUP (ORDER BY hours) "
        f"FROM ({' UNION ALL '.join(parts)}) AS reached GROUP BY 1, 2"
    )


def _timings_in_postgresql(starts: list[datetime], now: datetime) -> dict[tuple[int, int], Spread]:
    """The spreads by (step, week index). A week that is over is read from TimingWeek
    where stored, else computed and stored (its figures change only by a write that also
    deletes them: insights_triggers); this week is always computed, from the index of
    each step's column (annotation_first_*), so a request aggregates one week's claims."""
    over = min(now, timezone.now())
    closed = [i for i in range(len(starts) - 1) if starts[i + 1] <= over]
    bounds = {(starts[i], starts[i + 1]): i for i in closed}
    spreads: dict[tuple[int, int], Spread] = {}
    for step, start, end, items, median, p90 in TimingWeek.objects.filter(
        week_start__in=[start for start, _ in bounds]
    ).values_list("step", "week_start", "week_end", "items", "median", "p90"):
        week = bounds.get((start, end))
        if week is not None and 0 <= step < len(STEPS):
            spreads[(step, week)] = Spread(median, p90, items)
    missing = [i for i in closed if any((step, i) not in spreads for step in range(len(STEPS)))]
    first = missing[0] if missing else len(starts) - 1
    with transaction.atomic(), connection.cursor() as cursor:
        # Room to sort the durations in memory rather than on disk.
        cursor.execute("SET LOCAL work_mem = '64MB'")
        store = False
        if missing:
            # Stored only while no write to a step time is in flight (insights_triggers),
            # and computed after that is known.
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [insights_triggers.LOCK_KEY])
            store = cursor.fetchone()[0]
        cursor.execute(_timings_sql(), {"since": starts[first], "starts": starts})
        # The weeks from `first` on as this query found them (a stored one read before
        # it may since have been deleted by a write).
        spreads = {key: spread for key, spread in spreads.items() if key[1] < first}
        for step, week, items, median, p90 in cursor.fetchall():
            spreads[(step, week - 1)] = Spread(float(median), float(p90), items)
        if store:
            TimingWeek.objects.bulk_create(
                [
                    TimingWeek(
                        step=step,
                        week_start=starts[week],
                        week_end=starts[week + 1],
                        items=spread.items,
                        median=spread.median,
                        p90=spread.p90,
                    )
                    for week in missing
                    for step in range(len(STEPS))
                    for spread in [spreads.get((step, week), Spread(None, None, 0))]
                ],
                ignore_conflicts=True,
            )
    return spreads


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
        # COUNT(*): counted from the index check_outcome alone.
        SourceCheck.objects.values_list("status", "quote_found").annotate(n=Count("*")).order_by()
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
# by reviewer pair, month of the second (desk time) and the two ratings: the coincidences
# alpha needs, a few hundred rows however many claims. The verdicts are read in claim order
# from the index verdict_blind_revealed alone, of the claims `{claims}` picks, and counted
# by ids; names and places on the scale are read for the counted rows only.
_PAIRS_SQL = """
WITH blind AS (
    SELECT v.author_id, v.rating_id, v.created_at, row_number() OVER w AS n,
           lag(v.author_id) OVER w AS other, lag(v.rating_id) OVER w AS other_rating
    FROM {verdict} v
    WHERE v.is_blind AND NOT v.is_sealed AND {claims}
    WINDOW w AS (PARTITION BY v.annotation_id ORDER BY v.id)
)
SELECT other, author_id, to_char(created_at AT TIME ZONE %(zone)s, 'YYYY-MM'), other_rating,
       rating_id, COUNT(*)
FROM blind WHERE n = 2
GROUP BY 1, 2, 3, 4, 5
"""
# The claims with a blind verdict from before %(upto)s (the snapshot), and the others.
_BEFORE = (
    "v.annotation_id IN (SELECT b.annotation_id FROM {verdict} b "
    "WHERE b.is_blind AND b.created_at < %(upto)s)"
)
_SINCE = (
    "v.annotation_id IN (SELECT b.annotation_id FROM {verdict} b "
    "WHERE b.is_blind AND b.created_at >= %(upto)s) "
    "AND NOT EXISTS (SELECT 1 FROM {verdict} b WHERE b.annotation_id = v.annotation_id "
    "AND b.is_blind AND b.created_at < %(upto)s)"
)


def _pairs_in_postgresql() -> list[tuple[str, str, str, int, int, int]]:
    """double_review_pairs on PostgreSQL: the claims with a blind verdict from before this
    week from the snapshot (by ids, in the desk's time zone), the others live."""
    from django.contrib.auth import get_user_model

    table = Verdict._meta.db_table
    zone = timezone.get_current_timezone_name()

    def count(claims: str, upto: datetime | None) -> list[list[Any]]:
        # The table names come from the models, never from a request.
        sql = _PAIRS_SQL.format(verdict=table, claims=claims.format(verdict=table))
        with connection.cursor() as cursor:
            cursor.execute(sql, {"zone": zone, "upto": upto})
            return [list(row) for row in cursor.fetchall()]

    snapshot = _snapshot(
        InsightSnapshot.Kind.PAIRS,
        _this_week(),
        lambda upto: {"zone": zone, "counts": count(_BEFORE, upto)},
        data=True,
    )
    if snapshot is not None and snapshot[2]["zone"] == zone:
        rows = [*snapshot[2]["counts"], *count(_SINCE, snapshot[1])]
    else:
        rows = count("true", None)
    with connection.cursor() as cursor:
        # One query however many reviewers (none included).
        cursor.execute(
            f"SELECT id, username FROM {get_user_model()._meta.db_table} "  # noqa: S608
            "WHERE id = ANY(%s)",
            [sorted({row[0] for row in rows} | {row[1] for row in rows})],
        )
        names = dict(cursor.fetchall())
    places = dict(Rating.objects.values_list("id", "order"))
    counted: dict[tuple[str, str, str, int, int], int] = defaultdict(int)
    for other, author, month, other_rating, rating, n in rows:
        low, high = sorted((names[other], names[author]))
        counted[(low, high, month, places[other_rating], places[rating])] += n
    return [(*key, n) for key, n in sorted(counted.items())]


def double_review_pairs() -> list[tuple[str, str, str, int, int, int]]:
    """The revealed double reviews as (reviewer, other reviewer, month, one rating's place,
    the other's, how many claims). Sealed verdicts are left out: their ratings are nobody's
    but their authors' until both are in."""
    if connection.vendor == "postgresql":
        return _pairs_in_postgresql()
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
    postgresql = connection.vendor == "postgresql"
    # One transaction on PostgreSQL (its settings below); not on SQLite, where `make run`
    # begins every transaction IMMEDIATE, taking the write lock the worker needs.
    with transaction.atomic() if postgresql else nullcontext():
        if postgresql:
            with connection.cursor() as cursor:
                # Each aggregate reads up to some 100,000 index entries: one process does
                # that sooner than a gather of parallel workers on a few busy cores.
                cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        # A dashboard that stores figures (the first of a week) holds the lock against
        # the writes that would change them until this transaction commits
        # (insights_triggers): a fraction of a second, once a week.
        by_rating = verdicts_by_rating()
        pending = queues(now=now)
        checks = source_checks()
        alpha = agreement_figures()
        spreads = timings(now=now, weeks=weeks)
    return {
        "generated_at": now.isoformat(),
        "verdicts_by_rating": by_rating,
        "timings": spreads,
        "queues": pending,
        "source_checks": checks,
        "agreement": alpha,
    }
