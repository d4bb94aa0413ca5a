"""The review workflow through the API: verdicts with evidence, four-eyes approval,
evidence and source checks, the reviewer queue, and the vocabularies."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from annotations import services
from annotations.models import Annotation, Evidence, SourceCheck, Verdict
from tests.factories import UserFactory, api_token, make_annotation, make_article

pytestmark = pytest.mark.django_db

RATIONALE = "Der Haushaltsplan nennt exakt diese Summe auf Seite 12."
EVIDENCE = [services.EvidenceInput(url="https://example.org/haushalt")]


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
    return client


@pytest.fixture
def assigned(editor, reviewer, claim):
    services.annotation_assign(actor=editor, annotation_id=claim.pk, reviewer=reviewer)
    return claim


@pytest.fixture
def proposed(reviewer, assigned):
    return services.verdict_propose(
        actor=reviewer,
        annotation_id=assigned.pk,
        rating="false",
        rationale=RATIONALE,
        evidence=EVIDENCE,
    )


def propose(client, annotation, **fields):
    body = {
        "rating": "false",
        "rationale": RATIONALE,
        "evidence": [{"url": "https://example.org/haushalt", "title": "Haushalt"}],
        **fields,
    }
    return client.post(f"/api/v1/annotations/{annotation.pk}/verdicts/", body, format="json")


# --- verdicts -------------------------------------------------------------------------------


def test_assigned_reviewer_proposes_a_verdict_with_evidence(reviewer, assigned):
    response = propose(api(reviewer), assigned)
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "proposed"
    assert body["rating"] == "false"
    assert body["author"] == "reviewer"
    assert body["annotation"] == assigned.pk
    assert body["annotation_status"] == "proposed"
    assert [(e["url"], e["title"]) for e in body["evidence"]] == [
        ("https://example.org/haushalt", "Haushalt")
    ]
    assert SourceCheck.objects.filter(
        annotation=assigned, url="https://example.org/haushalt"
    ).exists()


def test_verdict_on_a_claim_without_evidence_is_refused(reviewer, assigned):
    response = propose(api(reviewer), assigned, evidence=[])
    assert response.status_code == 400
    assert response.json()["detail"] == "a verdict on a claim needs at least one evidence URL"
    assert not Verdict.objects.exists()


def test_verdict_with_unknown_rating_is_refused(reviewer, assigned):
    response = propose(api(reviewer), assigned, rating="pants-on-fire")
    assert response.status_code == 400
    assert response.json() == {
        "rating": ["unknown rating 'pants-on-fire'"],
        "detail": "unknown rating 'pants-on-fire'",
    }


def test_verdict_with_a_short_rationale_is_refused(reviewer, assigned):
    response = propose(api(reviewer), assigned, rationale="Falsch.")
    assert response.status_code == 400
    assert response.json()["detail"] == "the rationale needs at least 20 characters (it has 7)"


def test_verdict_evidence_must_be_http(reviewer, assigned):
    response = propose(api(reviewer), assigned, evidence=[{"url": "ftp://example.org/x"}])
    assert response.status_code == 400
    assert "evidence" in response.json()
    assert not Verdict.objects.exists()


def test_verdict_evidence_with_unknown_field_is_refused(reviewer, assigned):
    response = propose(api(reviewer), assigned, evidence=[{"url": "https://e.org", "tags": []}])
    assert response.status_code == 400
    assert response.json() == {
        "evidence": {"0": {"tags": ["Unknown field; this endpoint does not accept it."]}}
    }


def test_verdict_without_rationale_is_refused(reviewer, assigned):
    response = api(reviewer).post(
        f"/api/v1/annotations/{assigned.pk}/verdicts/", {"rating": "false"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"rationale": ["This field is required."]}


def test_only_the_assigned_reviewer_can_propose(other_reviewer, editor, assigned):
    for user in (other_reviewer, editor):
        response = propose(api(user), assigned)
        assert response.status_code == 403
        assert response.json() == {
            "detail": "only the reviewer assigned to this item can propose a verdict"
        }


def test_reviewer_cannot_propose_again_once_the_item_left_their_queue(reviewer, proposed, assigned):
    response = propose(api(reviewer), assigned)
    assert response.status_code == 403
    assert response.json() == {
        "detail": "only the reviewer assigned to this item can propose a verdict"
    }
    assert Verdict.objects.filter(annotation=assigned).count() == 1


def test_verdicts_of_an_annotation_are_listed(editor, proposed, assigned):
    body = api(editor).get(f"/api/v1/annotations/{assigned.pk}/verdicts/").json()
    assert body["count"] == 1
    assert body["results"][0]["id"] == proposed.pk


def test_chief_approves_and_gets_the_updated_verdict(chief, proposed, assigned):
    response = api(chief).post(
        f"/api/v1/verdicts/{proposed.pk}/approve/", {"note": "Belege geprüft."}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "approved"
    assert body["decided_by"] == "chief"
    assert body["decision_note"] == "Belege geprüft."
    assert body["annotation_status"] == "approved"


def test_chief_cannot_approve_their_own_verdict(editor, chief_reviewer, claim):
    services.annotation_assign(actor=editor, annotation_id=claim.pk, reviewer=chief_reviewer)
    verdict = services.verdict_propose(
        actor=chief_reviewer,
        annotation_id=claim.pk,
        rating="true",
        rationale=RATIONALE,
        evidence=EVIDENCE,
    )
    response = api(chief_reviewer).post(
        f"/api/v1/verdicts/{verdict.pk}/approve/", {}, format="json"
    )
    assert response.status_code == 403
    assert response.json() == {"detail": "you cannot approve your own verdict"}
    verdict.refresh_from_db()
    assert verdict.status == "proposed"


def test_editor_and_reviewer_cannot_approve(editor, reviewer, proposed):
    for user in (editor, reviewer):
        response = api(user).post(f"/api/v1/verdicts/{proposed.pk}/approve/", {}, format="json")
        assert response.status_code == 403
        assert response.json() == {"detail": "only chiefs can approve verdicts"}


def test_approving_an_approved_verdict_answers_409_naming_its_state(chief, proposed):
    services.verdict_approve(actor=chief, verdict_id=proposed.pk)
    response = api(chief).post(f"/api/v1/verdicts/{proposed.pk}/approve/", {}, format="json")
    assert response.status_code == 409
    assert response.json() == {
        "detail": "the verdict is approved; only proposed verdicts can be approved"
    }


def test_approving_an_unknown_verdict_answers_404(chief):
    response = api(chief).post("/api/v1/verdicts/999999/approve/", {}, format="json")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_chief_rejects_with_a_note_and_the_item_returns_to_the_reviewer(
    chief, reviewer, proposed, assigned
):
    response = api(chief).post(
        f"/api/v1/verdicts/{proposed.pk}/reject/", {"note": "Quelle ist veraltet."}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "rejected"
    assert response.json()["annotation_status"] == "assigned"
    queue = api(reviewer).get("/api/v1/queue/").json()["results"]
    assert [item["id"] for item in queue] == [assigned.pk]


def test_rejecting_without_a_note_answers_400(chief, proposed):
    client = api(chief)
    missing = client.post(f"/api/v1/verdicts/{proposed.pk}/reject/", {}, format="json")
    assert missing.status_code == 400
    assert missing.json() == {"note": ["This field is required."]}
    blank = client.post(f"/api/v1/verdicts/{proposed.pk}/reject/", {"note": " "}, format="json")
    assert blank.status_code == 400
    assert blank.json()["detail"] == "say why the verdict is rejected"


def test_reviewer_cannot_reject(reviewer, proposed):
    response = api(reviewer).post(
        f"/api/v1/verdicts/{proposed.pk}/reject/", {"note": "x"}, format="json"
    )
    assert response.status_code == 403
    assert response.json() == {"detail": "only chiefs can reject verdicts"}


# --- evidence -------------------------------------------------------------------------------


def test_assigned_reviewer_adds_evidence_and_it_gets_a_check(reviewer, assigned):
    response = api(reviewer).post(
        f"/api/v1/annotations/{assigned.pk}/evidence/",
        {"url": "https://example.org/quelle", "title": "Quelle", "note": "S. 3"},
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["url"], body["title"], body["note"], body["added_by"]) == (
        "https://example.org/quelle",
        "Quelle",
        "S. 3",
        "reviewer",
    )
    assert body["latest_check"]["status"] == "pending"
    assert body["latest_check"]["url"] == "https://example.org/quelle"


def test_evidence_url_that_is_not_http_is_refused(editor, claim):
    response = api(editor).post(
        f"/api/v1/annotations/{claim.pk}/evidence/", {"url": "javascript:alert(1)"}, format="json"
    )
    assert response.status_code == 400
    assert "url" in response.json()
    assert not Evidence.objects.exists()


def test_evidence_without_url_is_refused(editor, claim):
    response = api(editor).post(
        f"/api/v1/annotations/{claim.pk}/evidence/", {"title": "x"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"url": ["This field is required."]}


def test_unassigned_reviewer_cannot_add_evidence(other_reviewer, assigned):
    response = api(other_reviewer).post(
        f"/api/v1/annotations/{assigned.pk}/evidence/", {"url": "https://e.org"}, format="json"
    )
    assert response.status_code == 403
    assert response.json() == {
        "detail": "only editors, chiefs and the assigned reviewer can add evidence"
    }


def test_removed_evidence_disappears_from_the_list_but_stays_stored(editor, proposed, assigned):
    client = api(editor)
    evidence = Evidence.objects.get(annotation=assigned)
    listed = client.get(f"/api/v1/annotations/{assigned.pk}/evidence/").json()
    assert [e["id"] for e in listed["results"]] == [evidence.pk]
    response = client.delete(f"/api/v1/evidence/{evidence.pk}/")
    assert response.status_code == 204
    assert client.get(f"/api/v1/annotations/{assigned.pk}/evidence/").json()["count"] == 0
    evidence.refresh_from_db()
    assert evidence.removed_at is not None
    again = client.delete(f"/api/v1/evidence/{evidence.pk}/")
    assert again.status_code == 409
    assert again.json() == {"detail": "the evidence is already removed"}


def test_unassigned_reviewer_cannot_remove_evidence(other_reviewer, proposed, assigned):
    evidence = Evidence.objects.get(annotation=assigned)
    response = api(other_reviewer).delete(f"/api/v1/evidence/{evidence.pk}/")
    assert response.status_code == 403
    evidence.refresh_from_db()
    assert evidence.removed_at is None


def test_removing_unknown_evidence_answers_404(editor):
    assert api(editor).delete("/api/v1/evidence/999999/").status_code == 404


# --- source checks --------------------------------------------------------------------------


def test_source_checks_are_listed_in_their_shape(editor, proposed, assigned):
    body = api(editor).get(f"/api/v1/annotations/{assigned.pk}/source-checks/").json()
    assert body["count"] == 1
    assert set(body["results"][0]) == {
        "id",
        "url",
        "evidence",
        "status",
        "http_status",
        "final_url",
        "content_type",
        "title",
        "sha256",
        "quote_found",
        "quote_score",
        "excerpt",
        "flags",
        "error",
        "error_code",
        "error_params",
        "attempts",
        "requested_at",
        "started_at",
        "finished_at",
    }
    assert body["results"][0]["url"] == "https://example.org/haushalt"


def test_requesting_source_checks_answers_202_with_the_new_checks(editor, proposed, assigned):
    SourceCheck.objects.filter(annotation=assigned).update(status=SourceCheck.Status.DONE)
    response = api(editor).post(
        f"/api/v1/annotations/{assigned.pk}/source-checks/", {}, format="json"
    )
    assert response.status_code == 202
    checks = response.json()["checks"]
    assert [(c["url"], c["status"]) for c in checks] == [
        ("https://example.org/haushalt", "pending")
    ]
    assert SourceCheck.objects.filter(annotation=assigned).count() == 2


def test_a_rerun_while_the_check_is_pending_sends_no_second_fetch(editor, proposed, assigned):
    """Pressing re-run again and again: one pending check per URL at a time."""
    pending = SourceCheck.objects.get(annotation=assigned)
    assert pending.status == SourceCheck.Status.PENDING
    for _ in range(3):
        response = api(editor).post(
            f"/api/v1/annotations/{assigned.pk}/source-checks/", {}, format="json"
        )
        assert response.status_code == 202
        assert [c["id"] for c in response.json()["checks"]] == [pending.pk]
    assert SourceCheck.objects.filter(annotation=assigned).count() == 1


def test_unassigned_reviewer_cannot_request_checks(other_reviewer, assigned):
    response = api(other_reviewer).post(
        f"/api/v1/annotations/{assigned.pk}/source-checks/", {}, format="json"
    )
    assert response.status_code == 403
    assert response.json() == {
        "detail": "only editors, chiefs and the assigned reviewer can request checks"
    }


def test_source_check_request_refuses_a_body(editor, claim):
    response = api(editor).post(
        f"/api/v1/annotations/{claim.pk}/source-checks/", {"force": True}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"force": ["Unknown field; this endpoint does not accept it."]}


# --- queue ----------------------------------------------------------------------------------


def test_queue_shows_the_callers_pending_items_overdue_first_then_priority_then_due(
    editor, reviewer, other_reviewer
):
    article = make_article(editor, title="Queue", body="Eins zwei drei vier fünf sechs.")
    now = timezone.now()

    def item(word, priority, due):
        annotation = make_annotation(editor, article, word, priority=priority)
        services.annotation_assign(
            actor=editor, annotation_id=annotation.pk, reviewer=reviewer, due_at=due
        )
        return annotation.pk

    later_low = item("Eins", 1, now + timedelta(days=3))
    overdue_low = item("zwei", 1, now - timedelta(hours=1))
    urgent_no_due = item("drei", 4, None)
    urgent_soon = item("vier", 4, now + timedelta(days=1))
    elsewhere = make_annotation(editor, article, "fünf")
    services.annotation_assign(actor=editor, annotation_id=elsewhere.pk, reviewer=other_reviewer)

    body = api(reviewer).get("/api/v1/queue/").json()
    assert [row["id"] for row in body["results"]] == [
        overdue_low,
        urgent_soon,
        urgent_no_due,
        later_low,
    ]
    first = body["results"][0]
    assert first["article_title"] == "Queue"
    assert first["assigned_by"] == "editor"
    assert first["latest_check"] is None
    assert set(first) >= {"id", "exact", "label", "status", "version", "assignees", "due_at"}


def test_queue_item_due_date_is_the_assignments(editor, reviewer, claim):
    due = timezone.now() + timedelta(days=2)
    services.annotation_assign(actor=editor, annotation_id=claim.pk, reviewer=reviewer, due_at=due)
    row = api(reviewer).get("/api/v1/queue/").json()["results"][0]
    assert row["due_at"] is not None
    assert row["due_at"][:16] == timezone.localtime(due).isoformat()[:16]


def test_queue_item_carries_its_latest_check(reviewer, assigned):
    services.evidence_add(actor=reviewer, annotation_id=assigned.pk, url="https://example.org/neu")
    row = api(reviewer).get("/api/v1/queue/").json()["results"][0]
    assert row["latest_check"]["url"] == "https://example.org/neu"
    assert row["latest_check"]["status"] == "pending"


def _queue_queries(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/queue/")
    assert response.status_code == 200
    return len(queries), response.json()["count"]


def test_queue_uses_the_same_number_of_queries_for_1_and_50_items(editor):
    article = make_article(editor, title="Viele", body="Wort " * 60)
    solo = UserFactory(username="solo", roles=["reviewer"])
    busy = UserFactory(username="busy", roles=["reviewer"])
    first = make_annotation(editor, article, "Wort")
    services.annotation_assign(actor=editor, annotation_id=first.pk, reviewer=solo)
    for n in range(50):
        annotation = (
            services.annotation_create(
                actor=editor, article_id=article.pk, label="claim", start=n * 5, end=n * 5 + 4
            )
            if n
            else first
        )
        services.annotation_assign(actor=editor, annotation_id=annotation.pk, reviewer=busy)
        if n % 4 == 0:
            services.evidence_add(actor=busy, annotation_id=annotation.pk, url=f"https://e.org/{n}")
    one = _queue_queries(api(solo))
    many = _queue_queries(api(busy))
    assert (one[1], many[1]) == (1, 50)
    assert one[0] == many[0]


def test_editor_without_assignments_has_an_empty_queue(editor, assigned):
    assert api(editor).get("/api/v1/queue/").json() == {
        "count": 0,
        "next": None,
        "previous": None,
        "results": [],
    }


# --- vocabularies ---------------------------------------------------------------------------


def test_labels_are_listed_in_their_order(reviewer):
    results = api(reviewer).get("/api/v1/labels/").json()["results"]
    assert [label["slug"] for label in results] == ["claim", "opinion", "speculation", "source"]
    assert results[0] == {
        "slug": "claim",
        "name": "Claim",
        "name_de": results[0]["name_de"],
        "colour": results[0]["colour"],
        "shortcut": results[0]["shortcut"],
        "needs_verdict": True,
        "order": 1,
    }


def test_ratings_are_listed_with_german_names_and_claimreview_values(reviewer):
    results = api(reviewer).get("/api/v1/ratings/").json()["results"]
    assert [(r["slug"], r["name_de"]) for r in results] == [
        ("true", "Richtig"),
        ("mostly-true", "Größtenteils richtig"),
        ("half-true", "Teilweise richtig"),
        ("missing-context", "Fehlender Kontext"),
        ("mostly-false", "Größtenteils falsch"),
        ("false", "Falsch"),
        ("unproven", "Unbelegt"),
    ]
    assert results[0]["claimreview_value"] == 5
    assert results[-1]["claimreview_value"] is None


def test_users_by_role_show_their_open_workload(editor, reviewer, other_reviewer, chief, assigned):
    results = api(editor).get("/api/v1/users/", {"role": "reviewer"}).json()["results"]
    assert [(u["username"], u["roles"], u["open_assignments"]) for u in results] == [
        ("reviewer", ["reviewer"], 1),
        ("reviewer2", ["reviewer"], 0),
    ]


def test_users_without_role_filter_lists_every_newsroom_member(editor, reviewer, chief, outsider):
    results = api(editor).get("/api/v1/users/").json()["results"]
    assert [u["username"] for u in results] == ["chief", "editor", "reviewer"]


def test_users_with_unknown_role_answers_400(editor):
    response = api(editor).get("/api/v1/users/", {"role": "admin"})
    assert response.status_code == 400
    assert response.json() == {
        "role": ["Select a valid choice. admin is not one of the available choices."]
    }


def test_withdrawing_the_item_removes_it_from_the_queue(editor, reviewer, assigned):
    services.annotation_withdraw(actor=editor, annotation_id=assigned.pk)
    assert api(reviewer).get("/api/v1/queue/").json()["count"] == 0
    assert Annotation.objects.get(pk=assigned.pk).status == "withdrawn"


# --- evidence is frozen once approved; a declined reviewer is out --------------------------


def test_approved_evidence_cannot_be_added_removed_or_reused_by_anyone(
    editor, chief, reviewer, proposed, assigned, article
):
    services.verdict_approve(actor=chief, verdict_id=proposed.pk)
    original = Evidence.objects.get(annotation=assigned)
    other = make_annotation(editor, article, "Die Bundesregierung")
    earlier = make_annotation(editor, article, "Kritiker meinen", label="claim")
    services.annotation_assign(actor=editor, annotation_id=earlier.pk, reviewer=reviewer)
    approved_elsewhere = services.verdict_propose(
        actor=reviewer,
        annotation_id=earlier.pk,
        rating="true",
        rationale=RATIONALE,
        evidence=[services.EvidenceInput(url="https://example.org/andere")],
    )
    services.verdict_approve(actor=chief, verdict_id=approved_elsewhere.pk)
    message = {"detail": "the verdict is approved; its evidence can no longer change"}
    for user in (editor, chief, reviewer):
        added = api(user).post(
            f"/api/v1/annotations/{assigned.pk}/evidence/",
            {"url": "https://evil.example/x", "title": "Official data"},
            format="json",
        )
        assert (added.status_code, added.json()) == (409, message)
        removed = api(user).delete(f"/api/v1/evidence/{original.pk}/")
        assert (removed.status_code, removed.json()) == (409, message)
        reused = api(user).post(
            f"/api/v1/annotations/{assigned.pk}/evidence/reuse/",
            {"verdict": approved_elsewhere.pk},
            format="json",
        )
        assert (reused.status_code, reused.json()) == (409, message)
    live = Evidence.objects.filter(annotation=assigned, removed_at__isnull=True)
    assert list(live.values_list("url", flat=True)) == ["https://example.org/haushalt"]
    assert other.evidence.count() == 0


def test_a_reviewer_who_declined_can_no_longer_change_the_evidence(
    editor, reviewer, other_reviewer, assigned
):
    services.annotation_assign(actor=editor, annotation_id=assigned.pk, reviewer=other_reviewer)
    services.assignment_decline(actor=other_reviewer, annotation_id=assigned.pk, reason="Urlaub")
    response = api(other_reviewer).post(
        f"/api/v1/annotations/{assigned.pk}/evidence/",
        {"url": "https://example.org/x"},
        format="json",
    )
    assert response.status_code == 403
    assert not Evidence.objects.filter(annotation=assigned).exists()
    # The reviewer still assigned may.
    response = api(reviewer).post(
        f"/api/v1/annotations/{assigned.pk}/evidence/",
        {"url": "https://example.org/x"},
        format="json",
    )
    assert response.status_code == 201


def test_only_a_chief_changes_what_a_published_report_shows(
    editor, chief, proposed, assigned, article
):
    services.verdict_approve(actor=chief, verdict_id=proposed.pk)
    # An approved span: an editor may still note on it, not relabel or withdraw it.
    noted = api(editor).patch(
        f"/api/v1/annotations/{assigned.pk}/", {"note": "erledigt"}, format="json"
    )
    assert noted.status_code == 200
    relabel = api(editor).patch(
        f"/api/v1/annotations/{assigned.pk}/", {"label": "opinion"}, format="json"
    )
    message = {"detail": "the verdict is approved; only a chief can change its span now"}
    assert (relabel.status_code, relabel.json()) == (409, message)
    withdraw = api(editor).delete(f"/api/v1/annotations/{assigned.pk}/")
    assert (withdraw.status_code, withdraw.json()) == (409, message)
    assigned.refresh_from_db()
    assert (assigned.label.slug, assigned.status) == ("claim", "approved")
    # A published article: an editor's change is refused, a chief's goes through.
    services.article_publish(actor=chief, article_id=article.pk, with_open_claims=True)
    refused = api(editor).patch(f"/api/v1/articles/{article.pk}/", {"title": "X"}, format="json")
    assert refused.status_code == 409
    assert refused.json() == {"detail": "the article is published; only a chief can change it now"}
    allowed = api(chief).patch(
        f"/api/v1/articles/{article.pk}/", {"title": "Korrigiert"}, format="json"
    )
    assert allowed.status_code == 200
    assert api(chief).delete(f"/api/v1/annotations/{assigned.pk}/").status_code == 204
