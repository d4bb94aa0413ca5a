"""Blind double review and the desk's figures through the API: who may, and what stays sealed."""

import pytest
from rest_framework.test import APIClient

from annotations import services
from annotations.models import Verdict
from tests.factories import UserFactory, api_token

pytestmark = pytest.mark.django_db

RATIONALE = "Der Haushaltsplan nennt exakt diese Summe auf Seite 12."


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
    return client


def propose(user, claim, rating):
    return api(user).post(
        f"/api/v1/annotations/{claim.pk}/verdicts/",
        {"rating": rating, "rationale": RATIONALE, "evidence": [{"url": "https://example.org/a"}]},
        format="json",
    )


@pytest.fixture
def double(chief, reviewer, other_reviewer, claim):
    response = api(chief).post(
        f"/api/v1/annotations/{claim.pk}/double-review/",
        {"reviewers": ["reviewer", "reviewer2"]},
        format="json",
    )
    assert response.status_code == 200, response.json()
    return claim


# --- double review ------------------------------------------------------------------------------


def test_chief_marks_a_claim_for_double_review_and_both_are_assignees(double, chief):
    body = api(chief).get(f"/api/v1/annotations/{double.pk}/").json()
    assert body["status"] == "assigned"
    assert sorted(body["assignees"]) == ["reviewer", "reviewer2"]


def test_editor_is_refused_a_double_review(editor, reviewer, other_reviewer, claim):
    response = api(editor).post(
        f"/api/v1/annotations/{claim.pk}/double-review/",
        {"reviewers": ["reviewer", "reviewer2"]},
        format="json",
    )
    assert response.status_code == 403
    assert response.json() == {"detail": "only chiefs can ask for a blind double review"}


def test_double_review_of_one_reviewer_is_a_bad_request(chief, reviewer, claim):
    response = api(chief).post(
        f"/api/v1/annotations/{claim.pk}/double-review/", {"reviewers": ["reviewer"]}, format="json"
    )
    assert response.status_code == 400
    assert "reviewers" in response.json()


def test_outsider_is_refused_a_double_review(outsider, claim):
    response = api(outsider).post(
        f"/api/v1/annotations/{claim.pk}/double-review/",
        {"reviewers": ["reviewer", "reviewer2"]},
        format="json",
    )
    assert response.status_code == 403


def test_sealed_verdict_answers_its_author_but_hides_from_the_other_reviewer(
    double, reviewer, other_reviewer, chief
):
    created = propose(reviewer, double, "false")
    assert created.status_code == 201
    assert created.json()["rating"] == "false"
    for user in (other_reviewer, chief):
        listed = api(user).get(f"/api/v1/annotations/{double.pk}/verdicts/").json()
        assert listed["count"] == 0
        annotation = api(user).get(f"/api/v1/annotations/{double.pk}/").json()
        assert annotation["current_verdict"] is None
        history = api(user).get(f"/api/v1/annotations/{double.pk}/history/").json()
        assert "'false'" not in str(history)  # the rating's slug is in no event
        exported = api(user).get(
            f"/api/v1/articles/{double.article_id}/export/", {"format": "json"}
        )
        assert '"false"' not in exported.content.decode()
    bulk = api(chief).get("/api/v1/export/annotations/", {"format": "jsonl"})
    assert b'"rating": "false"' not in b"".join(bulk.streaming_content)


def test_both_verdicts_show_once_the_second_reviewer_proposed(
    double, reviewer, other_reviewer, chief
):
    propose(reviewer, double, "false")
    propose(other_reviewer, double, "mostly-false")
    listed = api(other_reviewer).get(f"/api/v1/annotations/{double.pk}/verdicts/").json()
    assert sorted(v["rating"] for v in listed["results"]) == ["false", "mostly-false"]
    assert api(chief).get(f"/api/v1/annotations/{double.pk}/").json()["status"] == "proposed"


def test_chief_approves_one_verdict_through_the_api(double, reviewer, other_reviewer, chief):
    propose(reviewer, double, "false")
    second = propose(other_reviewer, double, "mostly-false").json()
    response = api(chief).post(f"/api/v1/verdicts/{second['id']}/approve/", {}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "approved"
    assert Verdict.objects.get(annotation=double, author=reviewer).status == "rejected"


def test_chief_writes_the_final_verdict_through_the_api(double, reviewer, other_reviewer, chief):
    propose(reviewer, double, "false")
    propose(other_reviewer, double, "mostly-false")
    response = api(chief).post(
        f"/api/v1/annotations/{double.pk}/final-verdict/",
        {"rating": "half-true", "rationale": RATIONALE},
        format="json",
    )
    assert response.status_code == 201
    assert (response.json()["rating"], response.json()["status"]) == ("half-true", "proposed")


def test_final_verdict_before_both_proposed_is_a_conflict(double, reviewer, chief):
    propose(reviewer, double, "false")
    response = api(chief).post(
        f"/api/v1/annotations/{double.pk}/final-verdict/",
        {"rating": "half-true", "rationale": RATIONALE},
        format="json",
    )
    assert response.status_code == 409


def test_reviewer_cannot_write_a_final_verdict(double, reviewer):
    response = api(reviewer).post(
        f"/api/v1/annotations/{double.pk}/final-verdict/",
        {"rating": "half-true", "rationale": RATIONALE},
        format="json",
    )
    assert response.status_code == 403


# --- insights -----------------------------------------------------------------------------------


def test_chief_reads_the_figures_with_their_keys(chief):
    response = api(chief).get("/api/v1/insights/")
    assert response.status_code == 200
    body = response.json()
    assert {"verdicts_by_rating", "timings", "agreement"} <= set(body)
    assert body["agreement"]["overall"] == {"alpha": None, "items": 0, "reason": "no_pairs"}
    assert len(body["timings"]["weeks"]) == 12


def test_weeks_chooses_the_timings_window(chief):
    body = api(chief).get("/api/v1/insights/", {"weeks": "3"}).json()
    assert len(body["timings"]["weeks"]) == 3


def test_weeks_out_of_range_is_a_bad_request(chief):
    response = api(chief).get("/api/v1/insights/", {"weeks": "0"})
    assert response.status_code == 400
    assert response.json() == {"weeks": ["a whole number of weeks from 1 to 104"]}


@pytest.mark.parametrize("role", ["editor", "reviewer"])
def test_only_chiefs_read_the_figures(role):
    user = UserFactory(username=f"someone-{role}", roles=[role])
    response = api(user).get("/api/v1/insights/")
    assert response.status_code == 403
    assert response.json() == {"detail": "The desk's dashboard is for chiefs."}


def test_anonymous_is_asked_to_authenticate():
    assert api().get("/api/v1/insights/").status_code == 401


def test_figures_after_a_double_review_have_an_alpha_with_its_items(
    double, reviewer, other_reviewer, chief
):
    services.verdict_propose(
        actor=reviewer,
        annotation_id=double.pk,
        rating="false",
        rationale=RATIONALE,
        evidence=[services.EvidenceInput(url="https://example.org/a")],
    )
    services.verdict_propose(
        actor=other_reviewer,
        annotation_id=double.pk,
        rating="true",
        rationale=RATIONALE,
        evidence=[services.EvidenceInput(url="https://example.org/b")],
    )
    overall = api(chief).get("/api/v1/insights/").json()["agreement"]["overall"]
    assert overall["items"] == 1
    # One claim, two different ratings: all the disagreement chance would give (0).
    assert overall["alpha"] == 0.0


def test_sealed_verdict_bundle_is_not_found_for_the_other_reviewer(
    double, reviewer, other_reviewer
):
    verdict_id = propose(reviewer, double, "false").json()["id"]
    response = api(other_reviewer).get(f"/api/v1/verdicts/{verdict_id}/bundle/")
    assert response.status_code == 404
