"""The dashboard's stored past weeks and counts (TimingWeek, InsightSnapshot) against the
straightforward live computation it replaced, on a fixture desk spread over seven weeks,
before and after writes to weeks whose figures were already stored (issue 16)."""

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

import psycopg
import pytest
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from annotations import selectors
from annotations.models import (
    Annotation,
    Claimant,
    InsightSnapshot,
    Label,
    Rating,
    TimingWeek,
    Verdict,
)
from annotations.selectors.insights import CLAIMANTS, double_review_pairs
from tests.factories import make_annotation, make_article

LONG_TEXT = " ".join(f"Satz {n}: Die Zahl {n * 7} stimmt laut Amt." for n in range(1, 40))
RATINGS = ["true", "false", "half-true", "mostly-false", "unproven", "false", "true"]


# --- the live computation as it was before the stored figures (the reference) ----------------

REFERENCE_TIMINGS_SQL = """
SELECT step, week, COUNT(*), percentile_cont(0.5) WITHIN GROUP (ORDER BY hours),
       percentile_cont(0.9) WITHIN GROUP (ORDER BY hours)
FROM (
    SELECT 0 AS step, width_bucket(first_assigned_at, %(starts)s) AS week,
           date_part('epoch', first_assigned_at - created_at) / 3600.0 AS hours
    FROM annotations_annotation WHERE first_assigned_at >= %(since)s
      AND label_id IN (SELECT id FROM annotations_label WHERE needs_verdict)
    UNION ALL
    SELECT 1, width_bucket(first_proposed_at, %(starts)s),
           date_part('epoch', first_proposed_at - created_at) / 3600.0
    FROM annotations_annotation WHERE first_proposed_at >= %(since)s
      AND label_id IN (SELECT id FROM annotations_label WHERE needs_verdict)
    UNION ALL
    SELECT 2, width_bucket(first_approved_at, %(starts)s),
           date_part('epoch', first_approved_at - created_at) / 3600.0
    FROM annotations_annotation WHERE first_approved_at >= %(since)s
      AND label_id IN (SELECT id FROM annotations_label WHERE needs_verdict)
) AS reached GROUP BY 1, 2
"""

REFERENCE_PAIRS_SQL = """
WITH blind AS (
    SELECT v.author_id, r."order" AS place, v.created_at, row_number() OVER w AS n,
           lag(v.author_id) OVER w AS other, lag(r."order") OVER w AS other_place
    FROM annotations_verdict v JOIN annotations_rating r ON r.id = v.rating_id
    WHERE v.is_blind AND NOT v.is_sealed
    WINDOW w AS (PARTITION BY v.annotation_id ORDER BY v.id)
)
SELECT LEAST(a.username, b.username), GREATEST(a.username, b.username),
       to_char(p.created_at AT TIME ZONE %(zone)s, 'YYYY-MM'), p.other_place, p.place, COUNT(*)
FROM blind p JOIN auth_user a ON a.id = p.other JOIN auth_user b ON b.id = p.author_id
WHERE p.n = 2
GROUP BY 1, 2, 3, 4, 5
"""


def reference_timings(now: datetime, weeks: int) -> list[dict[str, Any]]:
    local = timezone.localtime(now)
    monday = (local - timedelta(days=local.weekday())).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    starts = [monday - timedelta(weeks=weeks - 1 - i) for i in range(weeks)]
    with connection.cursor() as cursor:
        cursor.execute(REFERENCE_TIMINGS_SQL, {"since": starts[0], "starts": starts})
        rows = {(step, week - 1): (n, m, p) for step, week, n, m, p in cursor.fetchall()}
    steps = ("assignment", "proposal", "approval")

    def spread(step: int, week: int) -> dict[str, Any]:
        if (step, week) not in rows:
            return {"median": None, "p90": None, "items": 0}
        items, median, p90 = rows[(step, week)]
        return {"median": round(median, 2), "p90": round(p90, 2), "items": items}

    return [
        {"week": start.date().isoformat(), **{name: spread(i, w) for i, name in enumerate(steps)}}
        for w, start in enumerate(starts)
    ]


def reference_verdicts() -> dict[str, Any]:
    slugs = dict(Rating.objects.values_list("id", "slug"))
    counts: dict[str, int] = defaultdict(int)
    by_claimant: dict[str, dict[str, int]] = defaultdict(dict)
    approved = Verdict.objects.filter(status=Verdict.Status.APPROVED)
    for name, rating_id, n in (
        approved.values_list("annotation__claimant__name", "rating_id")
        .annotate(n=Count("id"))
        .order_by()
    ):
        counts[slugs[rating_id]] += n
        if name is not None:
            by_claimant[name][slugs[rating_id]] = n
    return {"ratings": dict(counts), "by_claimant": dict(by_claimant)}


def reference_pairs() -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(REFERENCE_PAIRS_SQL, {"zone": timezone.get_current_timezone_name()})
        return sorted(cursor.fetchall())


def assert_same_as_live(now: datetime, weeks: int = 12) -> dict[str, Any]:
    figures = selectors.insights(now=now, weeks=weeks)
    assert figures["timings"]["weeks"] == reference_timings(now, weeks)
    verdicts = figures["verdicts_by_rating"]
    expected = reference_verdicts()
    assert {r["rating"]: r["count"] for r in verdicts["ratings"] if r["count"]} == expected[
        "ratings"
    ]
    # The claimants with the most approved verdicts (all of them, on a small desk).
    shown = {c["claimant"]: c["ratings"] for c in verdicts["by_claimant"]}
    assert len(shown) == min(len(expected["by_claimant"]), CLAIMANTS)
    assert shown == {name: expected["by_claimant"][name] for name in shown}
    totals = sorted((sum(r.values()) for r in expected["by_claimant"].values()), reverse=True)
    assert sorted((sum(r.values()) for r in shown.values()), reverse=True) == totals[: len(shown)]
    assert sorted(double_review_pairs()) == reference_pairs()
    return figures


# --- the fixture desk ------------------------------------------------------------------------


@pytest.fixture
def desk(editor, reviewer, other_reviewer, chief):
    """36 claims tagged over this week and the six before (desk time), each assigned,
    proposed and approved some hours later (the first steps of some a week later), most
    with an approved verdict decided then, a third naming a claimant, every third double
    reviewed blind; and two spans that need no verdict."""
    article = make_article(editor, title="Viele Behauptungen", body=LONG_TEXT)
    claimants = [
        Claimant.objects.create(name=name, kind="person")
        for name in ("Ministerin Muster", "Minister Beispiel", "Frau Probe")
    ]
    ratings = dict(Rating.objects.values_list("slug", "pk"))
    local = timezone.localtime()
    monday = (local - timedelta(days=local.weekday())).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    claims = []
    for n in range(1, 37):
        weeks_back = n % 7
        tagged = monday - timedelta(weeks=weeks_back) + timedelta(hours=(n * 13) % 100 + 1)
        if weeks_back == 0:  # this week's: every step already behind us
            tagged = min(tagged, timezone.now() - timedelta(hours=40))
        claim = make_annotation(editor, article, f"Die Zahl {n * 7} stimmt laut Amt")
        hours = (n * 7) % 23 + 1
        Annotation.objects.filter(pk=claim.pk).update(
            created_at=tagged,
            first_assigned_at=tagged + timedelta(hours=hours),
            first_proposed_at=tagged + timedelta(hours=2 * hours + (n % 3)),
            first_approved_at=tagged + timedelta(hours=3 * hours + 1.5 * (n % 5)),
            claimant=claimants[n % 4] if n % 4 < 3 and n % 3 else None,
        )
        claim.refresh_from_db()
        claims.append(claim)
        if n % 5:
            Verdict.objects.create(
                annotation=claim,
                rating_id=ratings[RATINGS[n % len(RATINGS)]],
                rationale="Laut Haushaltsplan.",
                author=reviewer,
                status=Verdict.Status.APPROVED if n % 6 else Verdict.Status.REJECTED,
                decided_by=chief,
                decided_at=claim.first_approved_at,
            )
        if n % 3 == 0:
            for author, shift, rating in (
                (reviewer, 0, RATINGS[n % 7]),
                (other_reviewer, 1, RATINGS[(n + n % 2) % 7]),
            ):
                Verdict.objects.create(
                    annotation=claim,
                    rating_id=ratings[rating],
                    rationale="Blind.",
                    author=author,
                    is_blind=True,
                    created_at=claim.first_assigned_at + timedelta(hours=shift + 2),
                )
    for n, label in ((37, "opinion"), (38, "speculation")):
        other = make_annotation(editor, article, f"Die Zahl {n * 7} stimmt laut Amt", label=label)
        tagged = monday - timedelta(weeks=2, hours=-5)
        Annotation.objects.filter(pk=other.pk).update(
            created_at=tagged,
            first_assigned_at=tagged + timedelta(hours=3),
            first_proposed_at=tagged + timedelta(hours=4),
        )
    return {"claims": claims, "monday": monday, "claimants": claimants, "ratings": ratings}


# --- the tests -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_figures_equal_the_live_computation_and_past_weeks_are_stored(desk):
    now = timezone.now()
    assert TimingWeek.objects.count() == 0 and InsightSnapshot.objects.count() == 0
    first = assert_same_as_live(now)
    # The eleven weeks before this one, each step; the counts before this week.
    assert TimingWeek.objects.count() == 11 * 3
    assert set(InsightSnapshot.objects.values_list("kind", flat=True)) == {"verdicts", "pairs"}
    assert sum(w["assignment"]["items"] for w in first["timings"]["weeks"]) == 36
    assert first["agreement"]["overall"]["items"] == 12
    # Stored weeks are read back as they were computed, and stay (no write touched them).
    computed_at = set(TimingWeek.objects.values_list("computed_at", flat=True))
    second = assert_same_as_live(now)
    assert second["timings"] == first["timings"]
    assert second["verdicts_by_rating"] == first["verdicts_by_rating"]
    assert second["agreement"] == first["agreement"]
    assert set(TimingWeek.objects.values_list("computed_at", flat=True)) == computed_at
    # A longer window stores the weeks it adds; a shorter one reads what is there.
    assert_same_as_live(now, weeks=20)
    assert TimingWeek.objects.count() == 19 * 3
    assert_same_as_live(now, weeks=3)


@pytest.mark.django_db
def test_a_change_to_a_stored_week_is_counted_at_once(desk):
    now = timezone.now()
    monday = desk["monday"]
    assert_same_as_live(now)
    before = assert_same_as_live(now)["timings"]["weeks"]

    # A claim two weeks back is approved much later than it was: its week's approval
    # figures change, the other weeks' stay stored.
    claim = next(
        c
        for c in desk["claims"]
        if monday - timedelta(weeks=2) <= c.created_at < monday - timedelta(weeks=1)
    )
    stored = TimingWeek.objects.count()
    Annotation.objects.filter(pk=claim.pk).update(
        first_approved_at=claim.first_approved_at + timedelta(hours=50)
    )
    assert TimingWeek.objects.count() < stored
    after = assert_same_as_live(now)["timings"]["weeks"]
    assert after != before
    assert TimingWeek.objects.count() == stored

    # Tagged earlier than recorded (every step's hours change), and moved to another
    # week's first assignment.
    Annotation.objects.filter(pk=claim.pk).update(
        created_at=claim.created_at - timedelta(hours=30),
        first_assigned_at=claim.first_assigned_at - timedelta(weeks=1),
    )
    assert_same_as_live(now)

    # Its label no longer needs a verdict: it leaves the timings.
    Annotation.objects.filter(pk=claim.pk).update(label=Label.objects.get(slug="opinion"))
    assert_same_as_live(now)
    # Every claim of a label changes at once when the label does.
    Label.objects.filter(slug="opinion").update(needs_verdict=True)
    assert TimingWeek.objects.count() == 0
    assert_same_as_live(now)
    Label.objects.filter(slug="opinion").update(needs_verdict=False)
    assert_same_as_live(now)

    # A claim deleted (after what protects it), and one inserted with past steps.
    victim = desk["claims"][8]
    Verdict.objects.filter(annotation=victim).delete()
    victim.events.all().delete()
    Annotation.objects.filter(pk=victim.pk).delete()
    assert_same_as_live(now)
    fresh = Annotation.objects.get(pk=claim.pk)
    fresh.pk = None
    fresh.start, fresh.end = 0, 5
    fresh.first_assigned_at = monday - timedelta(weeks=4, hours=-9)
    fresh.save()
    assert_same_as_live(now)


@pytest.mark.django_db
def test_a_change_to_a_counted_verdict_or_claimant_is_counted_at_once(desk, reviewer, chief):
    now = timezone.now()
    monday = desk["monday"]
    first = assert_same_as_live(now)["verdicts_by_rating"]
    old = Verdict.objects.filter(
        status=Verdict.Status.APPROVED, decided_at__lt=monday - timedelta(weeks=1)
    )
    assert old.count() >= 5

    # Set aside (the text under it changed), its rating corrected, a decision backdated.
    Verdict.objects.filter(pk=old[0].pk).update(
        status=Verdict.Status.SET_ASIDE, set_aside_at=timezone.now()
    )
    assert not InsightSnapshot.objects.filter(kind="verdicts").exists()
    assert assert_same_as_live(now)["verdicts_by_rating"] != first
    assert InsightSnapshot.objects.filter(kind="verdicts").exists()
    corrected = next(pk for pk in desk["ratings"].values() if pk != old[1].rating_id)
    Verdict.objects.filter(pk=old[1].pk).update(rating_id=corrected)
    assert not InsightSnapshot.objects.filter(kind="verdicts").exists()
    assert_same_as_live(now)
    rejected = Verdict.objects.filter(status=Verdict.Status.REJECTED).first()
    Verdict.objects.filter(pk=rejected.pk).update(status=Verdict.Status.APPROVED)
    assert_same_as_live(now)

    # A claim of the past names another claimant; two claimants merged into one.
    claim = old[2].annotation
    Annotation.objects.filter(pk=claim.pk).update(claimant=desk["claimants"][2])
    assert_same_as_live(now)
    muster, beispiel, _ = desk["claimants"]
    Annotation.objects.filter(claimant=beispiel).update(claimant=muster)
    beispiel.delete()
    assert_same_as_live(now)

    # An approval of this week (counted live) leaves the snapshot alone.
    snapshot = InsightSnapshot.objects.get(kind="verdicts")
    fresh = desk["claims"][-1]
    Verdict.objects.create(
        annotation=fresh, rating_id=desk["ratings"]["false"], rationale="Neu.", author=reviewer,
        status=Verdict.Status.APPROVED, decided_by=chief, decided_at=timezone.now(),
    )  # fmt: skip
    assert InsightSnapshot.objects.get(kind="verdicts").pk == snapshot.pk
    assert_same_as_live(now)

    # An approved verdict inserted with a past decision, and one deleted.
    Verdict.objects.create(
        annotation=fresh, rating_id=desk["ratings"]["true"], rationale="Alt.", author=reviewer,
        status=Verdict.Status.APPROVED, decided_by=chief,
        decided_at=monday - timedelta(weeks=3),
    )  # fmt: skip
    assert_same_as_live(now)
    Verdict.objects.filter(pk=old[3].pk).delete()
    assert_same_as_live(now)


@pytest.mark.django_db
def test_a_change_to_a_counted_double_review_is_counted_at_once(desk, reviewer, chief):
    now = timezone.now()
    monday = desk["monday"]
    assert_same_as_live(now)
    first = double_review_pairs()
    blind = Verdict.objects.filter(is_blind=True, created_at__lt=monday - timedelta(weeks=1))
    blind = blind.order_by("annotation_id", "id")
    assert blind.count() >= 4

    # The second reviewer's rating of a past double review corrected.
    second = blind[1]
    corrected = next(pk for pk in desk["ratings"].values() if pk != second.rating_id)
    Verdict.objects.filter(pk=second.pk).update(rating_id=corrected)
    assert not InsightSnapshot.objects.filter(kind="pairs").exists()
    assert_same_as_live(now)
    assert double_review_pairs() != first
    # Sealed again, then a new round on the same claim (a third verdict: not one of the two).
    Verdict.objects.filter(pk=blind[2].pk).update(is_sealed=True)
    assert_same_as_live(now)
    Verdict.objects.create(
        annotation_id=second.annotation_id, rating_id=desk["ratings"]["true"],
        rationale="Runde zwei.", author=chief, is_blind=True,
    )  # fmt: skip
    assert_same_as_live(now)
    # The first verdict of a past double review deleted: the third becomes the second.
    Verdict.objects.filter(pk=blind[0].pk).delete()
    assert_same_as_live(now)

    # A double review of this week (paired live) leaves the snapshot alone.
    snapshot = InsightSnapshot.objects.get(kind="pairs")
    fresh = next(c for c in desk["claims"] if not c.verdicts.filter(is_blind=True).exists())
    for author in (reviewer, chief):
        Verdict.objects.create(
            annotation=fresh, rating_id=desk["ratings"]["false"], rationale="Neu.",
            author=author, is_blind=True,
        )  # fmt: skip
    assert InsightSnapshot.objects.get(kind="pairs").pk == snapshot.pk
    assert_same_as_live(now)
    # A username changed is read live.
    type(reviewer).objects.filter(pk=reviewer.pk).update(username="a-reviewer")
    assert_same_as_live(now)


def _other_connection() -> psycopg.Connection:
    settings = connection.settings_dict
    return psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        password=settings["PASSWORD"] or None,
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
    )


@pytest.mark.django_db(transaction=True)
def test_nothing_is_stored_while_a_write_to_it_is_in_flight(desk):
    """A writer that changes a past week holds the lock until it commits: a dashboard
    meanwhile computes that week (without the uncommitted change) but stores nothing,
    and the next one after the commit counts the change."""
    now = timezone.now()
    monday = desk["monday"]
    claim = next(
        c
        for c in desk["claims"]
        if monday - timedelta(weeks=3) <= c.created_at < monday - timedelta(weeks=2)
    )
    verdict = Verdict.objects.filter(
        status=Verdict.Status.APPROVED, decided_at__lt=monday - timedelta(weeks=1)
    ).first()
    writer = _other_connection()
    try:
        with writer.transaction():
            writer.execute(
                "UPDATE annotations_annotation SET first_assigned_at = first_assigned_at "
                "+ interval '7 days' WHERE id = %s",
                [claim.pk],
            )
            writer.execute(
                "UPDATE annotations_verdict SET status = 'set_aside' WHERE id = %s", [verdict.pk]
            )
            during = assert_same_as_live(now)
            assert TimingWeek.objects.count() == 0
            assert InsightSnapshot.objects.count() == 0
        after = assert_same_as_live(now)
    finally:
        writer.close()
    assert after["timings"] != during["timings"]
    assert after["verdicts_by_rating"] != during["verdicts_by_rating"]
    assert TimingWeek.objects.count() == 11 * 3 and InsightSnapshot.objects.count() == 2

    # Stored first, then changed by the other connection: the next dashboard counts it.
    writer = _other_connection()
    try:
        with writer.transaction():
            writer.execute(
                "UPDATE annotations_annotation SET first_approved_at = first_approved_at "
                "- interval '7 days' WHERE id = %s",
                [claim.pk],
            )
    finally:
        writer.close()
    assert assert_same_as_live(now)["timings"] != after["timings"]
