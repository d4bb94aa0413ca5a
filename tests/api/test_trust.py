"""Issue 11: what is published is what a chief approved, and the state rules are the same at
every door. One test per finding, each named after what it protects."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from annotations import services
from annotations.models import (
    Annotation,
    Article,
    Assignment,
    Event,
    Evidence,
    IdempotencyKey,
    SourceCheck,
    Verdict,
)
from tests.factories import api_token, make_annotation

pytestmark = pytest.mark.django_db

RATIONALE = "Der Haushaltsplan nennt exakt diese Summe auf Seite 12."
EVIDENCE_URL = "https://example.org/haushalt"
CLAIM = "4,2 Milliarden Euro für den Ausbau der Schiene freigegeben"
REWRITTEN = "5,1 Milliarden Euro für den Ausbau der Straße freigegeben"


def api(user=None, **headers) -> APIClient:
    client = APIClient(**headers)
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
    return client


def approve_claim(editor, reviewer, chief, annotation, rating="false") -> Verdict:
    services.annotation_assign(actor=editor, annotation_id=annotation.pk, reviewer=reviewer)
    verdict = services.verdict_propose(
        actor=reviewer,
        annotation_id=annotation.pk,
        rating=rating,
        rationale=RATIONALE,
        evidence=[services.EvidenceInput(url=EVIDENCE_URL, title="Haushaltsplan")],
    )
    return services.verdict_approve(actor=chief, verdict_id=verdict.pk)


def report_html(client, article) -> str:
    response = client.get(reverse("annotations:article-report", args=[article.pk]))
    assert response.status_code == 200
    return response.content.decode()


def claimreviews(user, article) -> list[dict]:
    response = api(user).get(f"/api/v1/articles/{article.pk}/export/?format=claimreview")
    assert response.status_code == 200
    return json.loads(response.content)


def publish(chief, article, **body):
    return api(chief).post(f"/api/v1/articles/{article.pk}/publish/", body, format="json")


# --- a verdict is pinned to its text ---------------------------------------------------------


def test_rewriting_the_sentence_under_an_approved_claim_sets_the_verdict_aside(
    editor, reviewer, chief, article, claim
):
    verdict = approve_claim(editor, reviewer, chief, claim)
    etag = api(editor).get(f"/api/v1/articles/{article.pk}/")["ETag"]
    response = api(editor).patch(
        f"/api/v1/articles/{article.pk}/",
        {"text": article.text.replace(CLAIM, REWRITTEN)},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert response.status_code == 200
    verdict.refresh_from_db()
    claim.refresh_from_db()
    assert (verdict.status, verdict.approved_quote) == ("set_aside", CLAIM)
    assert claim.status == Annotation.Status.ASSIGNED
    assert Assignment.objects.filter(annotation=claim, reviewer=reviewer, state="pending").exists()
    event = Event.objects.get(annotation=claim, verb="verdict.set_aside")
    assert (event.data["old"], event.data["was"]) == (CLAIM, "approved")
    assert event.data["new"] == claim.exact != CLAIM
    # Nothing approved remains, so publishing is blocked by the claim again.
    response = publish(chief, article)
    assert response.status_code == 409
    assert [b["annotation"] for b in response.json()["blockers"]] == [claim.pk]


def test_the_same_text_at_a_new_offset_keeps_the_verdict(editor, reviewer, chief, article, claim):
    verdict = approve_claim(editor, reviewer, chief, claim)
    services.article_update(
        actor=editor, article_id=article.pk, fields={}, body="Vorweg ein Satz. " + article.text
    )
    verdict.refresh_from_db()
    claim.refresh_from_db()
    assert (verdict.status, claim.status, claim.exact) == ("approved", "approved", CLAIM)
    assert not Event.objects.filter(verb="verdict.set_aside").exists()


def test_a_proposed_verdict_on_changed_text_is_set_aside_and_cannot_be_approved(
    editor, reviewer, chief, article, claim
):
    services.annotation_assign(actor=editor, annotation_id=claim.pk, reviewer=reviewer)
    verdict = services.verdict_propose(
        actor=reviewer,
        annotation_id=claim.pk,
        rating="false",
        rationale=RATIONALE,
        evidence=[services.EvidenceInput(url=EVIDENCE_URL)],
    )
    services.article_update(
        actor=editor, article_id=article.pk, fields={}, body=article.text.replace(CLAIM, REWRITTEN)
    )
    response = api(chief).post(f"/api/v1/verdicts/{verdict.pk}/approve/", {}, format="json")
    assert response.status_code == 409
    assert response.json() == {
        "detail": "the verdict is set_aside; only proposed verdicts can be approved"
    }


def test_a_published_report_keeps_the_approved_verdict_under_review_then_shows_a_correction(
    client, editor, reviewer, chief, article, claim
):
    first = approve_claim(editor, reviewer, chief, claim, rating="false")
    assert publish(chief, article).status_code == 200
    # The chief's correction flow: only a chief changes a published article's text.
    response = api(editor).patch(
        f"/api/v1/articles/{article.pk}/",
        {"text": article.text.replace(CLAIM, REWRITTEN)},
        format="json",
    )
    assert response.status_code == 409
    assert response.json() == {"detail": "the article is published; only a chief can change it now"}
    response = api(chief).patch(
        f"/api/v1/articles/{article.pk}/",
        {"text": article.text.replace(CLAIM, REWRITTEN)},
        format="json",
    )
    assert response.status_code == 200
    claim.refresh_from_db()
    assert claim.exact.startswith("5,1 Milliarden Euro für den Ausbau der Straße")

    page = report_html(client, article)  # public: no login
    assert "Under review since" in page
    assert f'<blockquote class="claim" lang="de">{CLAIM}</blockquote>' in page
    assert "verdict-span" not in page  # never marked on text the chief did not approve
    (review,) = claimreviews(chief, article)
    assert review["claimReviewed"] == CLAIM
    assert review["creativeWorkStatus"] == "UnderReview"
    assert "dateModified" in review

    # The reviewer checks again; a chief approves: the report shows a dated correction.
    services.verdict_propose(
        actor=reviewer,
        annotation_id=claim.pk,
        rating="mostly-true",
        rationale=RATIONALE,
    )
    second = claim.verdicts.get(status="proposed")
    assert second.supersedes_id == first.pk
    services.verdict_approve(actor=chief, verdict_id=second.pk)
    page = report_html(client, article)
    assert "Under review since" not in page
    assert "Correction," in page and "The earlier verdict was “False” on" in page
    assert 'class="verdict-span rating-mostly-true"' in page
    (review,) = claimreviews(chief, article)
    assert review["claimReviewed"] == claim.exact
    assert "creativeWorkStatus" not in review
    assert review["dateModified"] > review["datePublished"]
    assert Event.objects.filter(verb="article.corrected", annotation=claim).count() == 1


def test_the_reviewer_sees_the_old_and_new_text_side_by_side(
    client, editor, reviewer, chief, article, claim
):
    approve_claim(editor, reviewer, chief, claim)
    services.article_update(
        actor=editor, article_id=article.pk, fields={}, body=article.text.replace(CLAIM, REWRITTEN)
    )
    client.force_login(reviewer)
    queue = client.get(reverse("annotations:queue")).content.decode()
    assert "Text changed since the verdict" in queue
    assert f"<del>{CLAIM}</del>" in queue
    review = client.get(reverse("annotations:annotation-review", args=[claim.pk]))
    page = review.content.decode()
    assert 'id="text-changed-note"' in page
    assert f'<blockquote class="old-text" lang="de">{CLAIM}</blockquote>' in page


# --- one place for the state rules ----------------------------------------------------------


def test_an_editor_cannot_archive_a_published_fact_check(editor, chief, article):
    assert publish(chief, article).status_code == 200
    response = api(editor).delete(f"/api/v1/articles/{article.pk}/")
    assert response.status_code == 409
    assert response.json() == {
        "detail": "the fact-check is published; only a chief can withdraw it"
    }
    assert Article.objects.get(pk=article.pk).status == "published"


def test_a_chief_withdraws_a_fact_check_the_report_says_so_and_a_chief_restores_it(
    client, editor, chief, article
):
    assert publish(chief, article).status_code == 200
    response = api(chief).post(
        f"/api/v1/articles/{article.pk}/withdraw/", {"reason": "Falsche Fassung"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"
    page = report_html(client, article)  # still public
    assert 'id="withdrawn-banner"' in page and "withdrew this fact-check" in page
    response = api(editor).post(f"/api/v1/articles/{article.pk}/restore/", {}, format="json")
    assert response.status_code == 403
    assert response.json() == {"detail": "only a chief can publish a withdrawn fact-check again"}
    response = api(chief).post(f"/api/v1/articles/{article.pk}/restore/", {}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "published"
    verbs = list(Event.objects.filter(article=article).values_list("verb", "actor__username"))
    assert ("article.withdrawn", "chief") in verbs and ("article.restored", "chief") in verbs


@pytest.mark.parametrize("state", ["archived", "withdrawn"])
def test_an_archived_or_withdrawn_article_is_read_only_at_every_api_door(
    editor, reviewer, chief, article, claim, state
):
    services.annotation_assign(actor=editor, annotation_id=claim.pk, reviewer=reviewer)
    if state == "withdrawn":
        publish(chief, article, with_open_claims=True)
    services.article_archive(actor=chief, article_id=article.pk)
    assert Article.objects.get(pk=article.pk).status == state
    attempts = [
        (editor, "post", "/api/v1/annotations/", {"article": article.pk, "label": "opinion",
                                                    "start": 0, "end": 6}),
        (editor, "patch", f"/api/v1/annotations/{claim.pk}/", {"note": "x"}),
        (editor, "post", f"/api/v1/annotations/{claim.pk}/assign/", {"reviewer": "reviewer"}),
        (reviewer, "post", f"/api/v1/annotations/{claim.pk}/verdicts/",
         {"rating": "false", "rationale": RATIONALE, "evidence": [{"url": EVIDENCE_URL}]}),
        (reviewer, "post", f"/api/v1/annotations/{claim.pk}/evidence/", {"url": EVIDENCE_URL}),
        (reviewer, "post", f"/api/v1/annotations/{claim.pk}/comments/", {"body": "Hallo"}),
        (editor, "patch", f"/api/v1/articles/{article.pk}/", {"title": "Neu"}),
    ]  # fmt: skip
    for user, method, url, body in attempts:
        response = getattr(api(user), method)(url, body, format="json")
        assert response.status_code == 409, (url, response.json())
        assert "read-only" in response.json()["detail"]
    assert Annotation.objects.filter(article=article).count() == 1
    assert not Verdict.objects.exists() and not Evidence.objects.exists()


def test_on_a_published_article_only_a_chief_annotates(editor, chief, article):
    publish(chief, article)
    body = {"article": article.pk, "label": "opinion", "start": 0, "end": 6}
    response = api(editor).post("/api/v1/annotations/", body, format="json")
    assert response.status_code == 409
    assert response.json() == {"detail": "the article is published; only a chief can change it now"}
    assert api(chief).post("/api/v1/annotations/", body, format="json").status_code == 201


def test_publishing_twice_is_a_no_op_that_says_so(chief, article):
    assert publish(chief, article).status_code == 200
    response = publish(chief, article)
    assert response.status_code == 200
    assert response.json()["detail"] == "the article is already published; nothing changed"
    assert Event.objects.filter(article=article, verb="article.published").count() == 1


def test_the_annotate_page_asks_the_state_rules_for_its_controls(client, editor, chief, article):
    publish(chief, article)
    client.force_login(editor)
    page = client.get(reverse("annotations:article-detail", args=[article.pk])).content.decode()
    data = json.loads(
        page.split('id="page-data" type="application/json">')[1].split("</script>")[0]
    )
    assert (data["user"]["can_edit"], data["user"]["can_edit_text"]) == (False, False)
    client.force_login(chief)
    page = client.get(reverse("annotations:article-detail", args=[article.pk])).content.decode()
    data = json.loads(
        page.split('id="page-data" type="application/json">')[1].split("</script>")[0]
    )
    assert (data["user"]["can_edit"], data["user"]["can_edit_text"]) == (True, True)


# --- every write moves the ETag ----------------------------------------------------------------


def test_two_title_patches_with_the_same_if_match_lose_nothing(editor, chief, article):
    etag = api(editor).get(f"/api/v1/articles/{article.pk}/")["ETag"]
    first = api(editor).patch(
        f"/api/v1/articles/{article.pk}/", {"title": "Erster"}, format="json", HTTP_IF_MATCH=etag
    )
    assert first.status_code == 200
    assert first["ETag"] != etag
    second = api(chief).patch(
        f"/api/v1/articles/{article.pk}/", {"title": "Zweiter"}, format="json", HTTP_IF_MATCH=etag
    )
    assert second.status_code == 412
    assert Article.objects.get(pk=article.pk).title == "Erster"


# --- idempotent writes ---------------------------------------------------------------------------


def test_the_same_span_twice_answers_409_and_points_to_the_first(editor, article, claim):
    body = {"article": article.pk, "label": "claim", "start": claim.start, "end": claim.end}
    response = api(editor).post("/api/v1/annotations/", body, format="json")
    assert response.status_code == 409
    assert response.json() == {
        "detail": f"already tagged: this span is already a Claim (annotation {claim.pk})",
        "annotation": claim.pk,
    }
    body["label"] = "opinion"  # the same words under another label are another tag
    assert api(editor).post("/api/v1/annotations/", body, format="json").status_code == 201


def test_a_withdrawn_span_can_be_tagged_again(editor, article, claim):
    services.annotation_withdraw(actor=editor, annotation_id=claim.pk)
    body = {"article": article.pk, "label": "claim", "start": claim.start, "end": claim.end}
    assert api(editor).post("/api/v1/annotations/", body, format="json").status_code == 201


def test_the_same_evidence_url_twice_answers_with_the_first(editor, claim):
    client = api(editor)
    url = f"/api/v1/annotations/{claim.pk}/evidence/"
    first = client.post(url, {"url": EVIDENCE_URL}, format="json")
    second = client.post(url, {"url": EVIDENCE_URL, "title": "Nochmal"}, format="json")
    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json()["id"] == first.json()["id"]
    assert Evidence.objects.filter(annotation=claim).count() == 1
    assert SourceCheck.objects.filter(annotation=claim).count() == 1


def test_twenty_reruns_on_a_source_span_queue_one_fetch_per_url(editor, article):
    span = make_annotation(editor, article, "Source / Quelle: Via", label="source")
    before = SourceCheck.objects.filter(annotation=span).count()
    client = api(editor)
    ids = set()
    for _ in range(20):
        response = client.post(f"/api/v1/annotations/{span.pk}/source-checks/", {}, format="json")
        assert response.status_code == 202
        ids |= {check["id"] for check in response.json()["checks"]}
    assert SourceCheck.objects.filter(annotation=span).count() == before == len(ids) == 1


def test_an_idempotency_key_replays_the_first_answer_and_writes_nothing(editor, article):
    client = api(editor)
    body = {"article": article.pk, "label": "opinion", "start": 0, "end": 6}
    first = client.post("/api/v1/annotations/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = client.post("/api/v1/annotations/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Annotation.objects.filter(article=article).count() == 1
    assert Event.objects.filter(verb="annotation.created").count() == 1
    other = dict(body, label="speculation")
    response = client.post("/api/v1/annotations/", other, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert response.status_code == 409
    assert response.json()["detail"].startswith("this Idempotency-Key was already used")


def test_an_idempotency_key_belongs_to_its_user(editor, chief, article):
    body = {"article": article.pk, "label": "opinion", "start": 0, "end": 6}
    first = api(editor).post("/api/v1/annotations/", body, format="json", HTTP_IDEMPOTENCY_KEY="k")
    body["label"] = "speculation"
    other = api(chief).post("/api/v1/annotations/", body, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert (first.status_code, other.status_code) == (201, 201)
    assert other.json()["id"] != first.json()["id"]
    assert IdempotencyKey.objects.count() == 2


# --- the publish gate -------------------------------------------------------------------------


def gate_fixture(editor, reviewer, chief, article, claim) -> tuple[SourceCheck, SourceCheck]:
    """An approved claim whose only evidence check was blocked, and the closing vague
    `Source / Quelle: Via` span checked: both run through the real service (the blocked
    URL is refused by the guard before any connection; the attribution needs none)."""
    services.annotation_assign(actor=editor, annotation_id=claim.pk, reviewer=reviewer)
    verdict = services.verdict_propose(
        actor=reviewer,
        annotation_id=claim.pk,
        rating="false",
        rationale=RATIONALE,
        evidence=[services.EvidenceInput(url="http://127.0.0.1:9/haushalt")],
    )
    services.verdict_approve(actor=chief, verdict_id=verdict.pk)
    via = make_annotation(editor, article, "Source / Quelle: Via", label="source")
    for check in SourceCheck.objects.filter(status="pending"):
        services.source_check_run(check_id=check.pk)
    blocked = SourceCheck.objects.get(annotation=claim)
    vague = SourceCheck.objects.get(annotation=via)
    assert (blocked.status, vague.status) == ("blocked", "done")
    return blocked, vague


def test_the_publish_gate_lists_a_blocked_check_and_the_vague_via(
    editor, reviewer, chief, article, claim
):
    blocked, vague = gate_fixture(editor, reviewer, chief, article, claim)
    response = api(editor).get(f"/api/v1/articles/{article.pk}/publish-gate/")
    assert response.status_code == 200
    gate = response.json()
    assert (gate["ready"], gate["blockers"]) == (False, [])
    assert [(w["key"], w["code"]) for w in gate["warnings"]] == [
        (f"check:{blocked.pk}", "evidence_blocked"),
        (f"flag:{vague.pk}:vague", "source_vague"),
    ]


def test_publishing_needs_each_warning_acknowledged_and_records_who_did(
    editor, reviewer, chief, article, claim
):
    blocked, vague = gate_fixture(editor, reviewer, chief, article, claim)
    response = publish(chief, article)
    assert response.status_code == 409
    assert response.json()["detail"] == "2 warnings must be acknowledged before publishing"
    response = publish(chief, article, acknowledge=[f"check:{blocked.pk}"])
    assert response.status_code == 409
    assert [w["key"] for w in response.json()["warnings"]] == [f"flag:{vague.pk}:vague"]
    assert Article.objects.get(pk=article.pk).status != "published"
    response = publish(
        chief, article, acknowledge=[f"check:{blocked.pk}", f"flag:{vague.pk}:vague"]
    )
    assert response.status_code == 200
    acks = Event.objects.filter(verb="article.warning_acknowledged").order_by("id")
    assert [(e.actor.username, e.data["key"]) for e in acks] == [
        ("chief", f"check:{blocked.pk}"),
        ("chief", f"flag:{vague.pk}:vague"),
    ]


def test_an_outsider_cannot_read_the_publish_gate(outsider, article):
    response = api(outsider).get(f"/api/v1/articles/{article.pk}/publish-gate/")
    assert response.status_code == 403


def test_the_admin_cannot_change_an_article_past_the_state_rules(client, article):
    from django.contrib.auth import get_user_model

    admin_user = get_user_model().objects.create_superuser("root", "root@example.org", "pw-x-1")
    client.force_login(admin_user)
    url = reverse("admin:annotations_article_change", args=[article.pk])
    assert client.get(url).status_code == 200  # it may look
    response = client.post(url, {"title": article.title, "status": "published"})
    assert response.status_code == 403
    assert Article.objects.get(pk=article.pk).status != "published"
