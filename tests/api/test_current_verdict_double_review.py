"""`current_verdict` of a blind double review is the claim's live verdict everywhere: the
approved one when there is one, else the open proposal, never a sealed one and never the one
closed as not chosen, even when that one is the newest (the chosen proposal came first).
The API's detail and list, the rating filter, the bulk CSV and JSON Lines exports, the
article's JSON export and the annotate page's data agree."""

import csv
import io
import json

import pytest
from rest_framework.test import APIClient

from annotations import representation, selectors, services
from annotations.models import Verdict
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

RATIONALE = "Der Haushaltsplan nennt exakt diese Summe auf Seite 12."
FINAL_RATIONALE = "Beide Prüfungen zusammen: die Summe stimmt, der Zeitraum nicht."


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def propose(reviewer, claim, rating):
    return services.verdict_propose(
        actor=reviewer,
        annotation_id=claim.pk,
        rating=rating,
        rationale=RATIONALE,
        evidence=[services.EvidenceInput(url=f"https://example.org/{rating}")],
    )


@pytest.fixture
def double(chief, reviewer, other_reviewer, claim):
    services.double_review_request(
        actor=chief, annotation_id=claim.pk, reviewers=[reviewer, other_reviewer]
    )
    return claim


@pytest.fixture
def chosen_first(chief, reviewer, other_reviewer, double):
    """The first proposal chosen; the second, the newest verdict, closed as not chosen."""
    first = propose(reviewer, double, "false")
    second = propose(other_reviewer, double, "mostly-false")
    services.verdict_approve(actor=chief, verdict_id=first.pk)
    second.refresh_from_db()
    assert second.status == Verdict.Status.REJECTED and second.pk > first.pk
    return first


def current_in_detail(user, claim):
    response = api(user).get(f"/api/v1/annotations/{claim.pk}/")
    assert response.status_code == 200
    return response.json()["current_verdict"]


def current_in_list(user, claim, **filters):
    response = api(user).get("/api/v1/annotations/", {"article": claim.article_id, **filters})
    assert response.status_code == 200, response.json()
    return {row["id"]: row["current_verdict"] for row in response.json()["results"]}


def bulk_rows(user, export_format):
    response = api(user).get("/api/v1/export/annotations/", {"format": export_format})
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode()
    if export_format == "csv":
        return {int(row["id"]): row for row in csv.DictReader(io.StringIO(text, newline=""))}
    return {row["id"]: row for row in map(json.loads, text.splitlines())}


def test_the_api_detail_names_the_chosen_verdict(editor, double, chosen_first):
    current = current_in_detail(editor, double)
    assert (current["id"], current["rating"], current["status"]) == (
        chosen_first.pk,
        "false",
        "approved",
    )


def test_the_api_list_names_the_chosen_verdict_as_the_detail_does(editor, double, chosen_first):
    assert current_in_list(editor, double)[double.pk] == current_in_detail(editor, double)


def test_the_rating_filter_finds_the_claim_by_the_chosen_rating_only(editor, double, chosen_first):
    assert double.pk in current_in_list(editor, double, rating="false")
    assert double.pk not in current_in_list(editor, double, rating="mostly-false")


@pytest.mark.parametrize("export_format", ["csv", "jsonl"])
def test_the_bulk_export_gives_the_chosen_rating(editor, double, chosen_first, export_format):
    row = bulk_rows(editor, export_format)[double.pk]
    assert (row["rating"], row["verdict_status"]) == ("false", "approved")


def test_the_articles_json_export_names_the_chosen_verdict_and_keeps_both(
    editor, double, chosen_first
):
    response = api(editor).get(f"/api/v1/articles/{double.article_id}/export/", {"format": "json"})
    assert response.status_code == 200
    record = next(a for a in response.json()["annotations"] if a["id"] == double.pk)
    assert record["current_verdict"]["id"] == chosen_first.pk
    assert [v["status"] for v in record["verdicts"]] == ["approved", "rejected"]


def test_the_annotate_pages_data_names_the_chosen_verdict(double, chosen_first):
    rows, assignees, histories, _dues = selectors.article_span_rows(double.article)
    row = next(row for row in rows if row.id == double.pk)
    span = representation.page_span(
        row, assignees.get(row.id, []), histories[row.id], representation.api_time()
    )
    assert span["current_verdict"]["id"] == chosen_first.pk
    assert len(span["verdicts"]) == 2


def test_a_sealed_proposal_is_nobodys_current_verdict(editor, reviewer, double):
    propose(reviewer, double, "false")
    assert current_in_detail(editor, double) is None
    assert current_in_detail(reviewer, double) is None
    assert current_in_list(editor, double)[double.pk] is None
    assert bulk_rows(editor, "jsonl")[double.pk]["rating"] is None


def test_after_a_rejected_final_verdict_the_current_verdict_is_an_open_proposal(
    editor, chief, reviewer, other_reviewer, double
):
    first = propose(reviewer, double, "false")
    second = propose(other_reviewer, double, "mostly-false")
    final = services.double_review_finalise(
        actor=chief, annotation_id=double.pk, rating="half-true", rationale=FINAL_RATIONALE
    )
    second_chief = UserFactory(username="chief2", roles=["chief"])
    services.verdict_reject(actor=second_chief, verdict_id=final.pk, note="Bitte neu entscheiden.")
    for current in (current_in_detail(editor, double), current_in_list(editor, double)[double.pk]):
        assert current["status"] == "proposed"
        assert current["id"] in (first.pk, second.pk)
    assert current_in_detail(editor, double)["id"] == second.pk  # the newest open one
    assert bulk_rows(editor, "csv")[double.pk]["verdict_status"] == "proposed"
