"""A blind double review's evidence is sealed with its reviewer's verdict: the other reviewer
and everybody else see nothing of it (page, API lists, history, change feed, exports) until
both have proposed; each reviewer cites their own evidence; after the reveal all of it shows."""

import json

import pytest
from rest_framework.test import APIClient

from annotations import services
from annotations.models import Evidence
from tests.factories import make_annotation, make_article

pytestmark = pytest.mark.django_db

RATIONALE = "Der Haushaltsplan nennt exakt diese Summe auf Seite 12."
SECRET_URL = "https://example.org/geheim-beleg"
SECRET_NOTE = "GEHEIM-NOTIZ: widerlegt die Zahl klar"
SECRET_TITLE = "Beleg-Titel-A"


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def propose(user, claim, rating="false", evidence=()):
    return services.verdict_propose(
        actor=user,
        annotation_id=claim.pk,
        rating=rating,
        rationale=RATIONALE,
        evidence=list(evidence),
    )


def secret() -> services.EvidenceInput:
    return services.EvidenceInput(url=SECRET_URL, note=SECRET_NOTE, title=SECRET_TITLE)


def shows_secret(text: str) -> bool:
    return any(part in text for part in ("geheim-beleg", SECRET_NOTE, SECRET_TITLE))


@pytest.fixture
def double(chief, reviewer, other_reviewer, claim):
    services.double_review_request(
        actor=chief, annotation_id=claim.pk, reviewers=[reviewer, other_reviewer]
    )
    return claim


@pytest.fixture
def sealed(double, reviewer):
    """The first reviewer proposed, with evidence, and the second has not yet."""
    propose(reviewer, double, evidence=[secret()])
    return double


def test_the_other_reviewer_sees_nothing_of_sealed_evidence_on_the_review_page(
    client, sealed, other_reviewer
):
    client.force_login(other_reviewer)
    response = client.get(f"/annotations/{sealed.pk}/")
    assert response.status_code == 200
    assert not shows_secret(response.content.decode())
    assert not shows_secret(client.get(f"/annotations/{sealed.pk}/evidence/").content.decode())


def test_the_author_sees_their_sealed_evidence_on_the_review_page(client, sealed, reviewer):
    client.force_login(reviewer)
    page = client.get(f"/annotations/{sealed.pk}/").content.decode()
    assert SECRET_URL in page and SECRET_NOTE in page


@pytest.mark.parametrize("who", ["other_reviewer", "chief", "editor"])
def test_nobody_else_gets_sealed_evidence_from_the_api_evidence_list(request, sealed, who):
    response = api(request.getfixturevalue(who)).get(f"/api/v1/annotations/{sealed.pk}/evidence/")
    assert response.status_code == 200
    assert response.json()["count"] == 0
    assert not shows_secret(response.content.decode())


def test_the_author_gets_their_sealed_evidence_from_the_api(sealed, reviewer):
    response = api(reviewer).get(f"/api/v1/annotations/{sealed.pk}/evidence/")
    assert [item["note"] for item in response.json()["results"]] == [SECRET_NOTE]


def test_the_other_reviewer_gets_no_check_of_sealed_evidence(sealed, other_reviewer):
    response = api(other_reviewer).get(f"/api/v1/annotations/{sealed.pk}/source-checks/")
    assert response.status_code == 200
    assert not shows_secret(response.content.decode())
    annotation = api(other_reviewer).get(f"/api/v1/annotations/{sealed.pk}/").content.decode()
    assert not shows_secret(annotation)


@pytest.mark.parametrize("who", ["other_reviewer", "chief"])
def test_the_api_history_names_no_sealed_evidence(request, sealed, who):
    response = api(request.getfixturevalue(who)).get(f"/api/v1/annotations/{sealed.pk}/history/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "evidence.added" in body
    assert not shows_secret(body)


def test_the_article_export_carries_no_sealed_evidence(sealed, chief):
    response = api(chief).get(f"/api/v1/articles/{sealed.article_id}/export/", {"format": "json"})
    assert response.status_code == 200
    assert not shows_secret(response.content.decode())


def test_the_other_reviewer_cannot_remove_sealed_evidence(client, sealed, other_reviewer):
    evidence = Evidence.objects.get(url=SECRET_URL)
    assert api(other_reviewer).delete(f"/api/v1/evidence/{evidence.pk}/").status_code == 404
    client.force_login(other_reviewer)
    assert client.post(f"/evidence/{evidence.pk}/remove/").status_code == 404
    evidence.refresh_from_db()
    assert evidence.removed_at is None


def test_the_same_url_gives_the_other_reviewer_their_own_evidence(sealed, other_reviewer):
    response = api(other_reviewer).post(
        f"/api/v1/annotations/{sealed.pk}/evidence/", {"url": SECRET_URL}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["note"] == ""
    assert not shows_secret(json.dumps(response.json()).replace(SECRET_URL, ""))


def test_the_second_reviewer_cannot_propose_on_the_first_ones_evidence(sealed, other_reviewer):
    response = api(other_reviewer).post(
        f"/api/v1/annotations/{sealed.pk}/verdicts/",
        {"rating": "true", "rationale": RATIONALE, "evidence": []},
        format="json",
    )
    assert response.status_code == 400
    assert "evidence" in response.json()


def test_a_reviewer_may_propose_on_evidence_they_added_before(sealed, other_reviewer):
    services.evidence_add(
        actor=other_reviewer, annotation_id=sealed.pk, url="https://example.org/eigen"
    )
    propose(other_reviewer, sealed, rating="true")
    sealed.refresh_from_db()
    assert sealed.status == "proposed"


def test_after_the_reveal_everybody_sees_both_reviewers_evidence(sealed, other_reviewer, chief):
    propose(
        other_reviewer,
        sealed,
        rating="true",
        evidence=[secret(), services.EvidenceInput(url="https://example.org/b", note="B")],
    )
    listed = api(other_reviewer).get(f"/api/v1/annotations/{sealed.pk}/evidence/").json()
    # The URL both cited unseen is kept once: the earlier evidence, with its note.
    assert sorted((item["url"], item["note"]) for item in listed["results"]) == [
        ("https://example.org/b", "B"),
        (SECRET_URL, SECRET_NOTE),
    ]
    history = api(chief).get(f"/api/v1/annotations/{sealed.pk}/history/").content.decode()
    assert SECRET_URL in history
    assert Evidence.objects.filter(is_sealed=True).count() == 0


@pytest.mark.django_db(transaction=True)
def test_the_change_feed_leaves_sealed_evidence_out_until_the_reveal(
    chief, editor, reviewer, other_reviewer
):
    article = make_article(editor)
    claim = make_annotation(editor, article, "4,2 Milliarden Euro")
    services.double_review_request(
        actor=chief, annotation_id=claim.pk, reviewers=[reviewer, other_reviewer]
    )
    propose(reviewer, claim, evidence=[secret()])
    feed = api(other_reviewer).get("/api/v1/changes/", {"cursor": ""})
    assert feed.status_code == 200
    assert not shows_secret(feed.content.decode())
    propose(
        other_reviewer,
        claim,
        rating="true",
        evidence=[services.EvidenceInput(url="https://example.org/b")],
    )
    revealed = api(other_reviewer).get("/api/v1/changes/", {"cursor": ""}).json()
    evidence = [c["object"] for c in revealed["results"] if c["kind"] == "evidence"]
    assert SECRET_NOTE in [item["note"] for item in evidence if item]
    checks = [c for c in revealed["results"] if c["kind"] == "source_check"]
    assert [c for c in checks if c["object"] and c["object"]["url"] == SECRET_URL]
