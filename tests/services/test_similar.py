"""Earlier approved verdicts on similar claims from other articles."""

import pytest
from django.utils.dateparse import parse_datetime
from rest_framework.test import APIClient

from annotations import selectors, services
from annotations.models import Event, Evidence, SourceCheck
from tests.factories import api_token, make_annotation, make_article

pytestmark = pytest.mark.django_db

FIRST = (
    "Berlin – Die Bundesregierung hat am Mittwoch 4,2 Milliarden Euro für den Ausbau der "
    "Schiene freigegeben. Das teilte das Ministerium mit.\n"
)
SECOND = (
    "Hamburg – Wie bereits berichtet, hat die Bundesregierung am Mittwoch 4,2 Milliarden Euro "
    "für den Schienenausbau freigegeben. Pendler hoffen auf mehr Züge.\n"
)
UNRELATED = "München – Der FC Bayern hat am Samstag sein Heimspiel mit 3:0 gewonnen.\n"


def approve(editor, reviewer, chief, annotation, rating="true"):
    services.annotation_assign(actor=editor, annotation_id=annotation.pk, reviewer=reviewer)
    verdict = services.verdict_propose(
        actor=reviewer,
        annotation_id=annotation.pk,
        rating=rating,
        rationale="Der Kabinettsbeschluss vom Mittwoch nennt genau diese Summe.",
        evidence=[services.EvidenceInput(url="https://example.org/beschluss", title="Beschluss")],
    )
    return services.verdict_approve(actor=chief, verdict_id=verdict.pk)


def test_a_repeated_claim_shows_the_earlier_approved_verdict(editor, reviewer, chief):
    first = make_article(editor, title="Erste Meldung", body=FIRST)
    earlier = make_annotation(
        editor,
        first,
        "Die Bundesregierung hat am Mittwoch 4,2 Milliarden Euro für den Ausbau der Schiene freigegeben",
    )
    verdict = approve(editor, reviewer, chief, earlier)
    second = make_article(editor, title="Zweite Meldung", body=SECOND)
    repeat = make_annotation(
        editor,
        second,
        "hat die Bundesregierung am Mittwoch 4,2 Milliarden Euro für den Schienenausbau freigegeben",
    )
    similar = selectors.similar_claims(repeat)
    assert [item["verdict"] for item in similar] == [verdict.pk]
    assert similar[0]["rating"] == "true"
    assert similar[0]["article_title"] == "Erste Meldung"
    assert similar[0]["evidence"] == [
        {"url": "https://example.org/beschluss", "title": "Beschluss"}
    ]


def test_an_unrelated_claim_has_no_similar_verdicts(editor, reviewer, chief):
    first = make_article(editor, title="Erste Meldung", body=FIRST)
    approve(
        editor,
        reviewer,
        chief,
        make_annotation(editor, first, "4,2 Milliarden Euro für den Ausbau der Schiene"),
    )
    other = make_article(editor, title="Fußball", body=UNRELATED)
    claim = make_annotation(
        editor, other, "Der FC Bayern hat am Samstag sein Heimspiel mit 3:0 gewonnen"
    )
    assert selectors.similar_claims(claim) == []


def test_a_verdict_that_is_only_proposed_is_not_offered(editor, reviewer, chief):
    first = make_article(editor, title="Erste Meldung", body=FIRST)
    earlier = make_annotation(
        editor, first, "4,2 Milliarden Euro für den Ausbau der Schiene freigegeben"
    )
    services.annotation_assign(actor=editor, annotation_id=earlier.pk, reviewer=reviewer)
    services.verdict_propose(
        actor=reviewer,
        annotation_id=earlier.pk,
        rating="true",
        rationale="Der Kabinettsbeschluss vom Mittwoch nennt genau diese Summe.",
        evidence=[services.EvidenceInput(url="https://example.org/beschluss")],
    )
    second = make_article(editor, title="Zweite Meldung", body=SECOND)
    repeat = make_annotation(
        editor, second, "4,2 Milliarden Euro für den Schienenausbau freigegeben"
    )
    assert selectors.similar_claims(repeat) == []


def test_the_same_article_is_never_its_own_precedent(editor, reviewer, chief):
    first = make_article(editor, title="Erste Meldung", body=FIRST)
    earlier = make_annotation(
        editor, first, "4,2 Milliarden Euro für den Ausbau der Schiene freigegeben"
    )
    approve(editor, reviewer, chief, earlier)
    again = make_annotation(editor, first, "4,2 Milliarden Euro", label="claim")
    assert selectors.similar_claims(again) == []


# --- through the API ------------------------------------------------------------------------

EARLIER_QUOTE = (
    "Die Bundesregierung hat am Mittwoch 4,2 Milliarden Euro für den Ausbau der Schiene freigegeben"
)
REPEAT_QUOTE = (
    "hat die Bundesregierung am Mittwoch 4,2 Milliarden Euro für den Schienenausbau freigegeben"
)


def api(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
    return client


@pytest.fixture
def earlier(editor, reviewer, chief):
    """A claim of a first article with an approved verdict and two evidence items: one
    added before the verdict (with a note), one that came with it."""
    first = make_article(editor, title="Erste Meldung", body=FIRST)
    claim = make_annotation(editor, first, EARLIER_QUOTE)
    services.annotation_assign(actor=editor, annotation_id=claim.pk, reviewer=reviewer)
    services.evidence_add(
        actor=reviewer,
        annotation_id=claim.pk,
        url="https://example.org/protokoll",
        title="Kabinettsprotokoll",
        note="Seite 3, Tagesordnungspunkt 7",
    )
    verdict = services.verdict_propose(
        actor=reviewer,
        annotation_id=claim.pk,
        rating="true",
        rationale="Der Kabinettsbeschluss vom Mittwoch nennt genau diese Summe.",
        evidence=[services.EvidenceInput(url="https://example.org/beschluss", title="Beschluss")],
    )
    return verdict


@pytest.fixture
def repeat(editor, other_reviewer):
    second = make_article(editor, title="Zweite Meldung", body=SECOND)
    claim = make_annotation(editor, second, REPEAT_QUOTE)
    services.annotation_assign(actor=editor, annotation_id=claim.pk, reviewer=other_reviewer)
    return claim


def test_api_detail_shows_the_earlier_verdict_once_it_is_approved(editor, chief, earlier, repeat):
    detail = f"/api/v1/annotations/{repeat.pk}/"
    response = api(editor).get(detail)
    assert response.status_code == 200
    assert response.json()["similar"] == []  # only proposed so far

    approved = services.verdict_approve(actor=chief, verdict_id=earlier.pk)
    response = api(editor).get(detail)
    assert response.status_code == 200
    (item,) = response.json()["similar"]
    assert item["verdict"] == earlier.pk
    assert item["rating"] == "true"
    assert item["rating_name"] == "True"
    assert parse_datetime(item["decided_at"]) == approved.decided_at
    # The link: the earlier annotation and its article, by id as everywhere in the API.
    assert item["annotation"] == earlier.annotation_id
    assert item["article"] == earlier.annotation.article_id
    assert item["article_title"] == "Erste Meldung"
    assert item["review_url"] == f"/annotations/{earlier.annotation_id}/"
    assert item["report_url"] == f"/articles/{earlier.annotation.article_id}/report/"
    assert item["exact"] == EARLIER_QUOTE
    assert item["evidence"] == [
        {"url": "https://example.org/protokoll", "title": "Kabinettsprotokoll"},
        {"url": "https://example.org/beschluss", "title": "Beschluss"},
    ]
    assert 0 < item["score"] <= 1


def reuse(user, annotation, verdict_id):
    return api(user).post(
        f"/api/v1/annotations/{annotation.pk}/evidence/reuse/",
        {"verdict": verdict_id},
        format="json",
    )


def test_assigned_reviewer_reuses_the_evidence_of_an_earlier_verdict(
    chief, other_reviewer, earlier, repeat
):
    services.verdict_approve(actor=chief, verdict_id=earlier.pk)
    response = reuse(other_reviewer, repeat, earlier.pk)
    assert response.status_code == 201
    added = response.json()["added"]
    assert [(e["url"], e["title"], e["note"]) for e in added] == [
        ("https://example.org/protokoll", "Kabinettsprotokoll", "Seite 3, Tagesordnungspunkt 7"),
        ("https://example.org/beschluss", "Beschluss", ""),
    ]
    copies = Evidence.objects.filter(annotation=repeat).order_by("id")
    assert [e.added_by for e in copies] == [other_reviewer, other_reviewer]
    assert all(e.verdict_id is None for e in copies)
    checks = SourceCheck.objects.filter(annotation=repeat)
    assert sorted(c.url for c in checks) == sorted(e.url for e in copies)
    assert {c.status for c in checks} == {SourceCheck.Status.PENDING}
    event = Event.objects.get(annotation=repeat, verb="evidence.reused")
    assert event.actor == other_reviewer
    assert event.data == {
        "verdict": earlier.pk,
        "from_annotation": earlier.annotation_id,
        "added": 2,
    }


def test_reusing_skips_urls_the_annotation_already_has(chief, other_reviewer, earlier, repeat):
    services.verdict_approve(actor=chief, verdict_id=earlier.pk)
    services.evidence_add(
        actor=other_reviewer, annotation_id=repeat.pk, url="https://example.org/beschluss"
    )
    response = reuse(other_reviewer, repeat, earlier.pk)
    assert response.status_code == 201
    assert [e["url"] for e in response.json()["added"]] == ["https://example.org/protokoll"]
    again = reuse(other_reviewer, repeat, earlier.pk)
    assert again.status_code == 200
    assert again.json() == {"added": []}
    assert Evidence.objects.filter(annotation=repeat).count() == 2


def test_a_reviewer_not_assigned_cannot_reuse_evidence(chief, reviewer, earlier, repeat):
    services.verdict_approve(actor=chief, verdict_id=earlier.pk)
    response = reuse(reviewer, repeat, earlier.pk)
    assert response.status_code == 403
    assert response.json() == {
        "detail": "only editors, chiefs and the assigned reviewer can add evidence"
    }
    assert not Evidence.objects.filter(annotation=repeat).exists()


def test_outsiders_and_anonymous_callers_cannot_reuse_evidence(chief, outsider, earlier, repeat):
    services.verdict_approve(actor=chief, verdict_id=earlier.pk)
    assert reuse(outsider, repeat, earlier.pk).status_code == 403
    anonymous = APIClient().post(
        f"/api/v1/annotations/{repeat.pk}/evidence/reuse/", {"verdict": earlier.pk}
    )
    assert anonymous.status_code == 401
    assert not Evidence.objects.filter(annotation=repeat).exists()


def test_evidence_of_a_verdict_that_is_not_approved_cannot_be_reused(
    other_reviewer, earlier, repeat
):
    response = reuse(other_reviewer, repeat, earlier.pk)
    assert response.status_code == 400
    assert response.json()["verdict"] == [
        "the verdict is proposed; only approved verdicts lend their evidence"
    ]
    assert not Evidence.objects.filter(annotation=repeat).exists()


def test_reusing_an_unknown_verdict_or_on_an_unknown_annotation_answers_404(
    chief, other_reviewer, earlier, repeat
):
    services.verdict_approve(actor=chief, verdict_id=earlier.pk)
    assert reuse(other_reviewer, repeat, 10**9).status_code == 404
    response = api(other_reviewer).post(
        "/api/v1/annotations/999999999/evidence/reuse/", {"verdict": earlier.pk}, format="json"
    )
    assert response.status_code == 404


def test_reusing_evidence_on_a_withdrawn_annotation_is_a_conflict(
    editor, chief, other_reviewer, earlier, repeat
):
    services.verdict_approve(actor=chief, verdict_id=earlier.pk)
    services.annotation_withdraw(actor=editor, annotation_id=repeat.pk)
    response = reuse(editor, repeat, earlier.pk)
    assert response.status_code == 409
    assert response.json() == {"detail": "the annotation is withdrawn"}
