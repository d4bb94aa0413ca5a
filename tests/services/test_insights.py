"""The dashboard's figures: alpha against the krippendorff package, timings, queues, checks."""

from datetime import timedelta

import krippendorff
import numpy as np
import pytest
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from annotations import agreement, selectors, services
from annotations.models import Annotation, Rating, SourceCheck
from tests.factories import make_annotation, make_article

SCALE = [1, 2, 3, 4, 5, 6, 7]
RATIONALE = "Der Haushaltsplan nennt exakt diese Summe auf Seite 12."
EVIDENCE = [services.EvidenceInput(url="https://example.org/haushalt")]


def package_alpha(rows: list[list[float | None]]) -> float | str:
    """The krippendorff package's ordinal alpha of raters × units (None missing), or
    "error" where it refuses (fewer than two values in every unit)."""
    data = np.array([[np.nan if v is None else v for v in row] for row in rows], dtype=float)
    try:
        return float(
            krippendorff.alpha(
                reliability_data=data, level_of_measurement="ordinal", value_domain=SCALE
            )
        )
    except ValueError:
        return "error"


def ours(rows: list[list[float | None]]) -> agreement.Alpha:
    return agreement.ordinal_alpha(list(zip(*rows, strict=True)), SCALE)


# --- the pure computation against the package -----------------------------------------------

FIXTURES = {
    "disagreement": [[1, 2, 3, 3, 2, 1, 4, 1, 2, 7], [1, 2, 3, 3, 2, 2, 4, 1, 2, 6]],
    "three raters with gaps": [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
        [1, 2, 3, 3, 2, 2, 4, 5, 2, None, 3, None],
        [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    ],
    "all agree": [[1, 3, 5, 7, 2], [1, 3, 5, 7, 2]],
    "missing ratings": [[1, None, 3, 6, 2, 4], [2, 5, None, 6, 2, 3]],
    "systematic disagreement": [[1, 7, 1, 7], [7, 1, 7, 1]],
}


@pytest.mark.parametrize("name", list(FIXTURES))
def test_alpha_equals_the_packages_on_fixture_ratings(name):
    rows = FIXTURES[name]
    expected = package_alpha(rows)
    result = ours(rows)
    assert isinstance(expected, float)
    assert result.value == pytest.approx(expected, abs=1e-12)


def test_all_agree_gives_alpha_one():
    assert ours(FIXTURES["all agree"]).value == pytest.approx(1.0)


def test_missing_ratings_leave_their_units_out_of_the_items():
    result = ours(FIXTURES["missing ratings"])
    assert result.items == 4


def test_one_rater_has_no_alpha_with_a_reason_where_the_package_refuses():
    rows = [[1, 2, 3, 4]]
    assert package_alpha(rows) == "error"
    assert ours(rows) == agreement.Alpha(None, 0, agreement.NO_PAIRS)


def test_raters_who_never_rate_the_same_unit_have_no_alpha():
    rows = [[1, 2, None, None], [None, None, 3, 4]]
    assert package_alpha(rows) == "error"
    assert ours(rows).reason == agreement.NO_PAIRS


def test_every_rating_the_same_has_no_alpha_where_the_package_gives_nan():
    rows = [[3, 3, 3], [3, 3, 3]]
    assert np.isnan(package_alpha(rows))
    assert ours(rows) == agreement.Alpha(None, 3, agreement.NO_VARIATION)


def test_a_value_off_the_scale_is_an_error():
    with pytest.raises(ValueError):
        agreement.ordinal_alpha([(1, 9)], SCALE)


@settings(max_examples=200, deadline=None)
@given(
    st.integers(min_value=2, max_value=4).flatmap(
        lambda raters: st.lists(
            st.lists(
                st.one_of(st.none(), st.sampled_from(SCALE)), min_size=raters, max_size=raters
            ),
            min_size=1,
            max_size=15,
        )
    )
)
def test_alpha_equals_the_packages_on_any_ratings(units):
    rows = [list(column) for column in zip(*units, strict=True)]
    expected = package_alpha(rows)
    result = ours(rows)
    if expected == "error":
        assert result.value is None and result.reason == agreement.NO_PAIRS
    elif np.isnan(expected):
        assert result.value is None and result.reason == agreement.NO_VARIATION
    else:
        assert result.value == pytest.approx(expected, abs=1e-9)


# --- the dashboard on the database ----------------------------------------------------------

LONG_TEXT = " ".join(f"Satz {n}: Die Zahl {n * 7} stimmt laut Amt." for n in range(1, 40))


@pytest.fixture
def long_article(editor):
    return make_article(editor, title="Viele Behauptungen", body=LONG_TEXT)


def claim_on(editor, article, n):
    return make_annotation(editor, article, f"Die Zahl {n * 7} stimmt laut Amt")


def double_reviewed(chief, editor, article, n, first, second, ratings):
    claim = claim_on(editor, article, n)
    services.double_review_request(actor=chief, annotation_id=claim.pk, reviewers=[first, second])
    for reviewer, rating in zip((first, second), ratings, strict=True):
        if rating is not None:
            services.verdict_propose(
                actor=reviewer,
                annotation_id=claim.pk,
                rating=rating,
                rationale=RATIONALE,
                evidence=EVIDENCE,
            )
    return claim


PAIRS = [
    ("false", "false"),
    ("false", "mostly-false"),
    ("true", "half-true"),
    ("unproven", "unproven"),
    ("mostly-true", "true"),
    ("missing-context", "false"),
]


@pytest.mark.django_db
def test_dashboard_alpha_equals_the_packages_on_double_reviews(
    chief, editor, reviewer, other_reviewer, long_article
):
    for n, ratings in enumerate(PAIRS, start=1):
        double_reviewed(chief, editor, long_article, n, reviewer, other_reviewer, ratings)
    # A claim whose second rating is missing (still sealed) counts for nothing.
    double_reviewed(chief, editor, long_article, 20, reviewer, other_reviewer, ("true", None))
    order = dict(Rating.objects.values_list("slug", "order"))
    rows = [[order[a] for a, _ in PAIRS], [order[b] for _, b in PAIRS]]
    expected = krippendorff.alpha(
        reliability_data=rows,
        level_of_measurement="ordinal",
        value_domain=sorted(order.values()),
    )
    figures = selectors.insights()["agreement"]
    assert figures["overall"]["alpha"] == pytest.approx(expected, abs=1e-4)
    assert figures["overall"]["items"] == len(PAIRS)
    assert figures["pairs"] == [
        {"reviewers": ["reviewer", "reviewer2"], "alpha": figures["overall"]["alpha"],
         "items": len(PAIRS), "reason": None}
    ]  # fmt: skip
    assert [m["items"] for m in figures["months"]] == [len(PAIRS)]


@pytest.mark.django_db
def test_dashboard_alpha_is_null_with_a_reason_before_any_double_review(chief):
    figures = selectors.insights()["agreement"]
    assert figures["overall"] == {"alpha": None, "items": 0, "reason": "no_pairs"}
    assert figures["pairs"] == [] and figures["months"] == []


@pytest.mark.django_db
def test_dashboard_alpha_is_null_when_every_rating_is_the_same(
    chief, editor, reviewer, other_reviewer, long_article
):
    for n in (1, 2):
        double_reviewed(chief, editor, long_article, n, reviewer, other_reviewer, ("true", "true"))
    overall = selectors.insights()["agreement"]["overall"]
    assert overall == {"alpha": None, "items": 2, "reason": "no_variation"}


@pytest.mark.django_db
def test_timings_are_medians_and_p90_of_hours_per_week(editor, reviewer, chief, long_article):
    local = timezone.localtime()
    monday = (local - timedelta(days=local.weekday())).replace(
        hour=1, minute=0, second=0, microsecond=0
    )
    start = monday  # every step within this week (desk time), however late in it we run
    for n, hours in ((1, 2), (2, 4)):
        claim = claim_on(editor, long_article, n)
        services.annotation_assign(actor=editor, annotation_id=claim.pk, reviewer=reviewer)
        verdict = services.verdict_propose(
            actor=reviewer, annotation_id=claim.pk, rating="true", rationale=RATIONALE,
            evidence=EVIDENCE,
        )  # fmt: skip
        services.verdict_approve(actor=chief, verdict_id=verdict.pk)
        claim.refresh_from_db()
        assert claim.first_assigned_at <= claim.first_proposed_at <= claim.first_approved_at
        Annotation.objects.filter(pk=claim.pk).update(
            created_at=start,
            first_assigned_at=start + timedelta(hours=hours),
            first_proposed_at=start + timedelta(hours=2 * hours),
            first_approved_at=start + timedelta(hours=3 * hours),
        )
    weeks = selectors.insights(weeks=2)["timings"]["weeks"]
    assert [w["week"] for w in weeks] == [
        (monday - timedelta(weeks=1)).date().isoformat(),
        monday.date().isoformat(),
    ]
    empty = {"median": None, "p90": None, "items": 0}
    assert weeks[0]["assignment"] == empty
    week = weeks[1]
    assert week["assignment"] == {"median": 3.0, "p90": 3.8, "items": 2}
    assert week["proposal"] == {"median": 6.0, "p90": 7.6, "items": 2}
    assert week["approval"] == {"median": 9.0, "p90": 11.4, "items": 2}


@pytest.mark.django_db
def test_queues_count_pending_and_overdue_per_reviewer(
    editor, reviewer, other_reviewer, long_article
):
    late = timezone.now() - timedelta(days=2)
    for n, who, due in ((1, reviewer, late), (2, reviewer, None), (3, other_reviewer, None)):
        claim = claim_on(editor, long_article, n)
        services.annotation_assign(actor=editor, annotation_id=claim.pk, reviewer=who, due_at=due)
    queues = {q["reviewer"]: q for q in selectors.insights()["queues"]}
    assert (queues["reviewer"]["pending"], queues["reviewer"]["overdue"]) == (2, 1)
    assert (queues["reviewer2"]["pending"], queues["reviewer2"]["overdue"]) == (1, 0)
    assert queues["reviewer"]["median_age_hours"] >= 0


@pytest.mark.django_db
def test_source_checks_are_counted_by_outcome(editor, long_article):
    claim = claim_on(editor, long_article, 1)
    for status, found in (("done", True), ("done", False), ("failed", None), ("blocked", None)):
        SourceCheck.objects.create(
            annotation=claim, url="https://example.org/x", status=status, quote_found=found
        )
    figures = selectors.insights()["source_checks"]
    counts = {s["status"]: s["count"] for s in figures["statuses"]}
    assert counts["done"] == 2 and counts["failed"] == 1 and counts["blocked"] == 1
    assert figures["quote"] == {"found": 1, "missing": 1, "unknown": 0}


@pytest.mark.django_db
def test_verdicts_are_counted_by_rating_with_every_rating_listed(
    editor, reviewer, chief, long_article
):
    for n, rating in ((1, "false"), (2, "false"), (3, "true")):
        claim = claim_on(editor, long_article, n)
        services.annotation_assign(actor=editor, annotation_id=claim.pk, reviewer=reviewer)
        verdict = services.verdict_propose(
            actor=reviewer, annotation_id=claim.pk, rating=rating, rationale=RATIONALE,
            evidence=EVIDENCE,
        )  # fmt: skip
        services.verdict_approve(actor=chief, verdict_id=verdict.pk)
    figures = selectors.insights()["verdicts_by_rating"]
    counts = {r["rating"]: r["count"] for r in figures["ratings"]}
    assert counts["false"] == 2 and counts["true"] == 1 and counts["unproven"] == 0
    assert len(counts) == Rating.objects.count()
    assert figures["total"] == 3


@pytest.mark.django_db
def test_verdicts_are_counted_by_claimant(editor, reviewer, chief, long_article):
    if not selectors.insights_has_claimants():  # the claimants' helper lands its field
        pytest.skip("annotations name no claimant in this tree")
    from annotations.models import Claimant

    person = Claimant.objects.create(name="Ministerin Muster", kind="person")
    for n, rating in ((1, "false"), (2, "true")):
        claim = claim_on(editor, long_article, n)
        Annotation.objects.filter(pk=claim.pk).update(claimant=person)
        services.annotation_assign(actor=editor, annotation_id=claim.pk, reviewer=reviewer)
        verdict = services.verdict_propose(
            actor=reviewer, annotation_id=claim.pk, rating=rating, rationale=RATIONALE,
            evidence=EVIDENCE,
        )  # fmt: skip
        services.verdict_approve(actor=chief, verdict_id=verdict.pk)
    by_claimant = selectors.insights()["verdicts_by_rating"]["by_claimant"]
    assert by_claimant == [
        {"claimant": "Ministerin Muster", "kind": "person", "total": 2,
         "ratings": {"false": 1, "true": 1}}
    ]  # fmt: skip
