"""The review workflow's pages through Django's test client: the queue, the review page,
approvals and the published report. Refusals answer with the service's status code and
show its message on the form; user text is always escaped."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from annotations import services
from annotations.models import (
    Annotation,
    Article,
    Assignment,
    Event,
    Evidence,
    SourceCheck,
    Verdict,
)
from tests.factories import api_token, make_annotation, make_article

pytestmark = pytest.mark.django_db

RATIONALE = "Der Haushalt 2024 nennt 3,1 Milliarden Euro, nicht 4,2 Milliarden."
EVIDENCE_URL = "https://example.org/haushalt-2024"
HOSTILE = '<script>alert("x")</script>'


def assign(editor, reviewer, annotation, **extra):
    return services.annotation_assign(
        actor=editor, annotation_id=annotation.pk, reviewer=reviewer, **extra
    )


def propose(reviewer, annotation, rating="false", rationale=RATIONALE):
    return services.verdict_propose(
        actor=reviewer,
        annotation_id=annotation.pk,
        rating=rating,
        rationale=rationale,
        evidence=[services.EvidenceInput(url=EVIDENCE_URL, title="Haushaltsplan 2024")],
    )


def review_url(annotation) -> str:
    return reverse("annotations:annotation-review", args=[annotation.pk])


def html_of(response) -> str:
    return response.content.decode()


@pytest.fixture
def assigned(editor, reviewer, claim):
    assign(editor, reviewer, claim)
    return claim


@pytest.fixture
def proposed(reviewer, assigned):
    return propose(reviewer, assigned)


# --- the queue -------------------------------------------------------------------------------


def test_anonymous_visitor_is_sent_to_login_from_the_queue(client):
    response = client.get(reverse("annotations:queue"))
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_queue_is_refused_to_a_user_without_a_newsroom_role(client, outsider):
    client.force_login(outsider)
    assert client.get(reverse("annotations:queue")).status_code == 403


def test_queue_is_refused_to_an_editor_who_does_not_review(client, editor):
    client.force_login(editor)
    response = client.get(reverse("annotations:queue"))
    assert response.status_code == 403
    assert "The queue is for reviewers." in html_of(response)


def test_queue_lists_overdue_first_then_priority_then_due_date(client, editor, reviewer, article):
    now = timezone.now()
    later = make_annotation(editor, article, "Berlin", priority=2)
    urgent = make_annotation(editor, article, "Bundesregierung", priority=4)
    soon = make_annotation(editor, article, "Mittwoch", priority=2)
    late = make_annotation(editor, article, "Pendler", priority=1)
    assign(editor, reviewer, later, due_at=now + timedelta(days=5))
    assign(editor, reviewer, urgent, due_at=now + timedelta(days=9))
    assign(editor, reviewer, soon, due_at=now + timedelta(days=1))
    assign(editor, reviewer, late, due_at=now - timedelta(days=2, hours=1))
    client.force_login(reviewer)
    html = html_of(client.get(reverse("annotations:queue")))
    order = [int(i) for i in re.findall(r'<tr data-id="(\d+)"', html)]
    assert order == [late.pk, urgent.pk, soon.pk, later.pk]


def test_queue_row_shows_article_quote_in_context_label_priority_due_assigner_and_check(
    client, editor, reviewer, article, claim
):
    assign(editor, reviewer, claim, due_at=timezone.now() - timedelta(days=2, hours=3))
    SourceCheck.objects.create(
        annotation=claim, url=EVIDENCE_URL, status=SourceCheck.Status.DONE, quote_found=True
    )
    client.force_login(reviewer)
    response = client.get(reverse("annotations:queue"))
    assert response.status_code == 200
    row = re.search(rf'<tr data-id="{claim.pk}".*?</tr>', html_of(response), re.S).group(0)
    assert "Schienenausbau" in row
    assert "hat am Mittwoch " in row  # the prefix: a line of context
    assert f'<mark class="hl hl-claim">{claim.exact}</mark>' in row
    assert "Claim" in row
    assert "Normal" in row
    assert "2 days overdue" in row
    assert 'class="due is-overdue"' in row
    assert "<td>editor</td>" in row
    assert "Done" in row
    assert "quote found" in row


def test_queue_filters_by_label_article_and_overdue(client, editor, reviewer, article):
    other_article = make_article(editor, title="Zweiter Artikel")
    claim = make_annotation(editor, article, "Berlin")
    opinion = make_annotation(editor, article, "ein guter Tag", label="opinion")
    elsewhere = make_annotation(editor, other_article, "Bundesregierung")
    assign(editor, reviewer, claim, due_at=timezone.now() - timedelta(days=1))
    assign(editor, reviewer, opinion)
    assign(editor, reviewer, elsewhere)
    client.force_login(reviewer)

    def ids(query: str) -> set[int]:
        html = html_of(client.get(reverse("annotations:queue") + query))
        return {int(i) for i in re.findall(r'<tr data-id="(\d+)"', html)}

    assert ids("") == {claim.pk, opinion.pk, elsewhere.pk}
    assert ids("?label=opinion") == {opinion.pk}
    assert ids(f"?article={other_article.pk}") == {elsewhere.pk}
    assert ids("?overdue=1") == {claim.pk}
    assert ids(f"?label=claim&article={article.pk}") == {claim.pk}


def test_queue_counts_open_overdue_and_proposed_waiting(client, editor, reviewer, article):
    first = make_annotation(editor, article, "Berlin")
    second = make_annotation(editor, article, "Mittwoch")
    third = make_annotation(editor, article, "Pendler")
    assign(editor, reviewer, first, due_at=timezone.now() - timedelta(hours=3))
    assign(editor, reviewer, second)
    assign(editor, reviewer, third)
    propose(reviewer, third)
    client.force_login(reviewer)
    html = html_of(client.get(reverse("annotations:queue")))
    assert '<span class="n" data-count="open">2</span>' in html
    assert '<span class="n" data-count="overdue">1</span>' in html
    assert '<span class="n" data-count="waiting">1</span>' in html


def _queue_of(editor, reviewer, rows: int) -> None:
    # One span per row: the same span twice is refused (409), as a desk would want.
    body = " ".join(f"Satz {n:03d} der Bundesregierung." for n in range(rows))
    article = make_article(editor, title=f"Artikel mit {rows} Zeilen", body=body)
    now = timezone.now()
    for n in range(rows):
        annotation = make_annotation(editor, article, f"Satz {n:03d}", priority=1 + n % 4)
        assign(editor, reviewer, annotation, due_at=now + timedelta(days=n % 7 - 3))
        SourceCheck.objects.create(annotation=annotation, url=f"{EVIDENCE_URL}/{n}")
        if n % 3 == 0:
            propose(reviewer, annotation)
            services.verdict_reject(
                actor=get_user_model().objects.get(username="chief"),
                verdict_id=annotation.verdicts.get().pk,
                note="Bitte die Quelle prüfen.",
            )


def _count_queries(client, url: str, *, expected_rows: int, **headers) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **headers)
    assert response.status_code == 200
    if url.startswith("/api/"):
        assert response.json()["count"] == expected_rows
    else:
        assert len(re.findall(r"<tr data-id=", html_of(response))) == expected_rows
    return len(queries)


def test_queue_page_uses_the_same_number_of_queries_for_1_and_50_rows(
    client, editor, reviewer, other_reviewer, chief
):
    _queue_of(editor, reviewer, 1)
    _queue_of(editor, other_reviewer, 50)
    client.force_login(reviewer)
    one = _count_queries(client, reverse("annotations:queue"), expected_rows=1)
    client.force_login(other_reviewer)
    fifty = _count_queries(client, reverse("annotations:queue"), expected_rows=50)
    assert one == fifty


def test_api_queue_uses_the_same_number_of_queries_for_1_and_50_rows(
    client, editor, reviewer, other_reviewer, chief
):
    _queue_of(editor, reviewer, 1)
    _queue_of(editor, other_reviewer, 50)
    url = reverse("api:queue")
    one = _count_queries(
        client,
        url,
        expected_rows=1,
        HTTP_AUTHORIZATION=f"Token {api_token(reviewer)}",
    )
    fifty = _count_queries(
        client,
        url,
        expected_rows=50,
        HTTP_AUTHORIZATION=f"Token {api_token(other_reviewer)}",
    )
    assert one == fifty


# --- the review page -------------------------------------------------------------------------


def test_review_page_shows_the_quote_highlighted_in_its_paragraph(
    client, editor, reviewer, article
):
    article.outlet = "Tagesblatt"
    article.source_url = "https://tagesblatt.example/schiene"
    article.save()
    claim = make_annotation(
        editor, article, "4,2 Milliarden Euro", note="Stimmt die Zahl? <b>prüfen</b>"
    )
    assign(editor, reviewer, claim)
    client.force_login(reviewer)
    response = client.get(review_url(claim))
    assert response.status_code == 200
    html = html_of(response)
    quote = re.search(r'<blockquote class="paragraph".*?</blockquote>', html, re.S).group(0)
    assert (
        'Berlin – Die Bundesregierung hat am Mittwoch <mark class="hl hl-claim" '
        'id="quote-mark">4,2 Milliarden Euro</mark> für den Ausbau' in quote
    )
    assert "Source / Quelle" not in quote  # the next paragraph is not part of it
    assert "Schienenausbau" in html
    assert "Tagesblatt" in html
    assert 'href="https://tagesblatt.example/schiene"' in html
    assert "Stimmt die Zahl? &lt;b&gt;prüfen&lt;/b&gt;" in html


def test_review_page_is_readable_by_every_newsroom_role_but_not_outsiders(
    client, chief, outsider, assigned
):
    client.force_login(chief)
    assert client.get(review_url(assigned)).status_code == 200
    client.force_login(outsider)
    assert client.get(review_url(assigned)).status_code == 403


def test_review_page_of_a_missing_annotation_is_404(client, reviewer):
    client.force_login(reviewer)
    assert client.get("/annotations/999999/").status_code == 404


def test_review_page_shows_each_rating_with_its_key_and_description(client, reviewer, assigned):
    client.force_login(reviewer)
    html = html_of(client.get(review_url(assigned)))
    assert 'value="false" data-key="6"' in html
    assert "Not accurate." in html
    assert 'value="true" data-key="1"' in html
    assert "Accurate, nothing significant missing." in html


def test_reviewer_proposes_a_verdict_and_moves_to_the_next_queue_item(
    client, editor, reviewer, article, assigned
):
    following = make_annotation(editor, article, "Pendler")
    assign(editor, reviewer, following)
    client.force_login(reviewer)
    response = client.post(
        reverse("annotations:review-propose", args=[assigned.pk]),
        {"rating": "false", "rationale": RATIONALE, "evidence_url": EVIDENCE_URL},
    )
    assert response.status_code == 302
    assert response["Location"] == review_url(following)
    verdict = Verdict.objects.get(annotation=assigned)
    assert (verdict.rating.slug, verdict.status, verdict.author) == ("false", "proposed", reviewer)
    assert Evidence.objects.get(annotation=assigned).url == EVIDENCE_URL
    page = html_of(client.get(response["Location"]))
    assert "Verdict proposed. Here is the next item in your queue." in page


def test_last_proposal_leads_back_to_the_empty_queue(client, reviewer, assigned):
    client.force_login(reviewer)
    response = client.post(
        reverse("annotations:review-propose", args=[assigned.pk]),
        {"rating": "false", "rationale": RATIONALE, "evidence_url": EVIDENCE_URL},
        follow=True,
    )
    assert response.redirect_chain[-1] == (reverse("annotations:queue"), 302)
    assert "Verdict proposed. Your queue is empty." in html_of(response)


def test_too_short_rationale_is_refused_with_the_message_on_the_form(client, reviewer, assigned):
    client.force_login(reviewer)
    response = client.post(
        reverse("annotations:review-propose", args=[assigned.pk]),
        {"rating": "false", "rationale": "Zu kurz.", "evidence_url": EVIDENCE_URL},
    )
    assert response.status_code == 400
    html = html_of(response)
    assert (
        '<p class="error" id="id_rationale-error" role="alert">'
        "the rationale needs at least 20 characters (it has 8)</p>" in html
    )
    assert ">Zu kurz.</textarea>" in html  # what was typed is kept
    assert 'value="false" data-key="6" checked' in html
    assert not Verdict.objects.exists()


def test_claim_verdict_without_evidence_is_refused_with_the_message_on_the_form(
    client, reviewer, assigned
):
    client.force_login(reviewer)
    response = client.post(
        reverse("annotations:review-propose", args=[assigned.pk]),
        {"rating": "false", "rationale": RATIONALE},
    )
    assert response.status_code == 400
    assert (
        '<p class="error" id="id_evidence_url-error" role="alert">'
        "a verdict on a claim needs at least one evidence URL</p>" in html_of(response)
    )
    assert not Verdict.objects.exists()


def test_verdict_without_a_rating_is_refused_in_words(client, reviewer, assigned):
    client.force_login(reviewer)
    response = client.post(
        reverse("annotations:review-propose", args=[assigned.pk]),
        {"rationale": RATIONALE, "evidence_url": EVIDENCE_URL},
    )
    assert response.status_code == 400
    assert '<p class="error" id="rating-error" role="alert">Choose a rating.</p>' in html_of(
        response
    )


def test_reviewer_cannot_propose_on_an_item_not_assigned_to_them(client, other_reviewer, assigned):
    client.force_login(other_reviewer)
    page = client.get(review_url(assigned))
    assert 'id="verdict-form"' not in html_of(page)
    response = client.post(
        reverse("annotations:review-propose", args=[assigned.pk]),
        {"rating": "false", "rationale": RATIONALE, "evidence_url": EVIDENCE_URL},
    )
    assert response.status_code == 403
    assert (
        '<div class="banner error page-error" role="alert"><p>only the reviewer assigned to '
        "this item can propose a verdict</p></div>" in html_of(response)
    )
    api = client.post(
        reverse("api:annotation-verdicts", args=[assigned.pk]),
        {"rating": "false", "rationale": RATIONALE, "evidence": [{"url": EVIDENCE_URL}]},
        content_type="application/json",
    )
    assert api.status_code == 403
    assert api.json() == {"detail": "only the reviewer assigned to this item can propose a verdict"}
    assert not Verdict.objects.exists()


def test_reviewer_cannot_add_evidence_to_an_item_not_assigned_to_them(
    client, other_reviewer, assigned
):
    client.force_login(other_reviewer)
    response = client.post(
        reverse("annotations:review-evidence-add", args=[assigned.pk]), {"url": EVIDENCE_URL}
    )
    assert response.status_code == 403
    assert "only editors, chiefs and the assigned reviewer can add evidence" in html_of(response)
    assert not Evidence.objects.exists()


def test_reviewer_cannot_decline_an_item_not_assigned_to_them(client, other_reviewer, assigned):
    client.force_login(other_reviewer)
    response = client.post(
        reverse("annotations:review-decline", args=[assigned.pk]), {"reason": "Keine Zeit."}
    )
    assert response.status_code == 403
    assert "this item is not assigned to you" in html_of(response)
    assert Assignment.objects.get(annotation=assigned).state == "pending"


def test_evidence_that_is_not_http_is_refused_on_the_form(client, reviewer, assigned):
    client.force_login(reviewer)
    response = client.post(
        reverse("annotations:review-evidence-add", args=[assigned.pk]),
        {"url": "javascript:alert(1)", "title": "x"},
    )
    assert response.status_code == 400
    assert re.search(
        r'<p class="error" id="id_url-error" role="alert">[^<]+</p>', html_of(response)
    )
    assert not Evidence.objects.exists()


def test_reviewer_adds_and_removes_evidence_and_both_stay_in_the_history(
    client, reviewer, assigned
):
    client.force_login(reviewer)
    response = client.post(
        reverse("annotations:review-evidence-add", args=[assigned.pk]),
        {"url": EVIDENCE_URL, "title": "Haushaltsplan", "note": "Seite 12"},
    )
    assert response.status_code == 302
    assert response["Location"] == review_url(assigned) + "#evidence"
    evidence = Evidence.objects.get(annotation=assigned)
    html = html_of(client.get(review_url(assigned)))
    item = re.search(r'<li class="evidence-item".*?</li>', html, re.S).group(0)
    assert 'data-check-status="pending"' in item
    assert f'href="{EVIDENCE_URL}"' in item
    assert "Haushaltsplan" in item and "Seite 12" in item
    response = client.post(reverse("annotations:review-evidence-remove", args=[evidence.pk]))
    assert response.status_code == 302
    html = html_of(client.get(review_url(assigned)))
    assert 'class="evidence-item"' not in html
    assert f"added evidence {EVIDENCE_URL}" in html
    assert f"removed evidence {EVIDENCE_URL}" in html
    evidence.refresh_from_db()
    assert evidence.removed_by == reviewer


def test_rerunning_checks_adds_a_pending_check_per_evidence_url(client, reviewer, assigned):
    services.evidence_add(actor=reviewer, annotation_id=assigned.pk, url=EVIDENCE_URL)
    # The first check failed (the site was down, say); the reviewer asks again.
    SourceCheck.objects.filter(annotation=assigned).update(
        status=SourceCheck.Status.FAILED, error="connection refused"
    )
    client.force_login(reviewer)
    response = client.post(reverse("annotations:review-checks-request", args=[assigned.pk]))
    assert response.status_code == 302
    assert SourceCheck.objects.filter(annotation=assigned, url=EVIDENCE_URL).count() == 2
    assert "The sources are being checked again." in html_of(client.get(response["Location"]))


def test_evidence_fragment_shows_the_latest_check_result(client, reviewer, assigned):
    evidence = services.evidence_add(actor=reviewer, annotation_id=assigned.pk, url=EVIDENCE_URL)
    SourceCheck.objects.filter(evidence=evidence).update(
        status="done",
        http_status=200,
        title="Haushalt <2024>",
        quote_found=True,
        quote_score=93.4,
        finished_at=timezone.now(),
    )
    client.force_login(reviewer)
    response = client.get(reverse("annotations:review-evidence", args=[assigned.pk]))
    assert response.status_code == 200
    html = html_of(response)
    assert 'data-check-status="done"' in html
    assert "HTTP 200" in html
    assert "“Haushalt &lt;2024&gt;”" in html
    assert "quote found (93%)" in html


def test_comments_read_newest_last_and_markup_shows_as_text(client, reviewer, editor, assigned):
    services.comment_add(actor=editor, annotation_id=assigned.pk, body="Erster Kommentar")
    client.force_login(reviewer)
    response = client.post(
        reverse("annotations:review-comment", args=[assigned.pk]), {"body": HOSTILE}
    )
    assert response.status_code == 302
    html = html_of(client.get(review_url(assigned)))
    bodies = re.findall(r'<p class="comment-body">(.*?)</p>', html)
    assert bodies == ["Erster Kommentar", "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"]
    assert HOSTILE not in html


def test_empty_comment_is_refused_in_words(client, reviewer, assigned):
    client.force_login(reviewer)
    response = client.post(reverse("annotations:review-comment", args=[assigned.pk]), {"body": " "})
    assert response.status_code == 400
    assert "the comment is empty" in html_of(response)


def test_script_in_a_rationale_shows_as_text_and_markdown_is_rendered(
    client, reviewer, chief, assigned
):
    rationale = f"**Falsch**: {HOSTILE} [Beleg](javascript:alert(1)) und [Haushalt]({EVIDENCE_URL})"
    propose(reviewer, assigned, rationale=rationale)
    client.force_login(chief)
    for url in (review_url(assigned), reverse("annotations:approvals")):
        html = html_of(client.get(url))
        block = re.search(r'<div class="rationale">(.*?)</div>', html, re.S).group(1)
        assert "<strong>Falsch</strong>" in block
        assert '&lt;script&gt;alert("x")&lt;/script&gt;' in block
        assert "<script" not in block
        assert 'href="javascript' not in block
        assert f'<a href="{EVIDENCE_URL}" rel="noopener noreferrer nofollow">Haushalt</a>' in block


def test_reviewer_declines_with_a_reason_and_the_item_goes_back_to_the_editors(
    client, reviewer, assigned
):
    client.force_login(reviewer)
    response = client.post(
        reverse("annotations:review-decline", args=[assigned.pk]),
        {"reason": "Ich war an dem Artikel beteiligt."},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("annotations:queue")
    assigned.refresh_from_db()
    assert assigned.status == "open"
    html = html_of(client.get(review_url(assigned)))
    assert "declined: Ich war an dem Artikel beteiligt." in html


def test_declining_without_a_reason_is_refused_in_words(client, reviewer, assigned):
    client.force_login(reviewer)
    response = client.post(
        reverse("annotations:review-decline", args=[assigned.pk]), {"reason": ""}
    )
    assert response.status_code == 400
    assert "give a reason for declining" in html_of(response)
    assert Assignment.objects.get(annotation=assigned).state == "pending"


# --- approvals ------------------------------------------------------------------------------


def test_approvals_are_refused_to_reviewers_and_editors(client, reviewer, editor):
    for user in (reviewer, editor):
        client.force_login(user)
        response = client.get(reverse("annotations:approvals"))
        assert response.status_code == 403
        assert "Approvals are for chiefs." in html_of(response)


def test_approvals_list_claim_rating_rationale_evidence_and_reviewer(client, chief, proposed):
    client.force_login(chief)
    response = client.get(reverse("annotations:approvals"))
    assert response.status_code == 200
    item = re.search(
        rf'<li class="card approval" id="approval-{proposed.pk}".*?</li>\s*\n\s*</ol>',
        html_of(response),
        re.S,
    ).group(0)
    assert proposed.annotation.exact in item
    assert '<span class="rating-badge rating-false">False</span>' in item
    assert "3,1 Milliarden Euro" in item
    assert f'href="{EVIDENCE_URL}"' in item
    assert "Haushaltsplan 2024" in item
    assert '<strong class="reviewer">reviewer</strong>' in item
    assert "approve-button" in item and "reject-button" in item


def test_chief_approves_from_the_approvals_page(client, chief, proposed):
    client.force_login(chief)
    response = client.post(
        reverse("annotations:verdict-approve", args=[proposed.pk]),
        {"note": "Gut belegt.", "return_to": "approvals"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("annotations:approvals")
    proposed.refresh_from_db()
    assert (proposed.status, proposed.decided_by, proposed.decision_note) == (
        "approved",
        chief,
        "Gut belegt.",
    )
    html = html_of(client.get(reverse("annotations:approvals")))
    assert "Verdict approved." in html
    assert "No verdict is waiting for approval." in html


def test_chief_who_reviews_has_no_approve_button_on_their_own_verdict_and_is_refused(
    client, editor, chief_reviewer, chief, claim
):
    assign(editor, chief_reviewer, claim)
    verdict = propose(chief_reviewer, claim)
    client.force_login(chief_reviewer)
    html = html_of(client.get(reverse("annotations:approvals")))
    assert "This is your own verdict: another chief decides on it." in html
    assert "approve-button" not in html
    review = html_of(client.get(review_url(claim)))
    assert "approve-button" not in review
    response = client.post(reverse("annotations:verdict-approve", args=[verdict.pk]), {})
    assert response.status_code == 403
    assert "you cannot approve your own verdict" in html_of(response)
    api = client.post(
        reverse("api:verdict-approve", args=[verdict.pk]), {}, content_type="application/json"
    )
    assert api.status_code == 403
    assert api.json() == {"detail": "you cannot approve your own verdict"}
    verdict.refresh_from_db()
    assert verdict.status == "proposed"
    client.force_login(chief)
    assert "approve-button" in html_of(client.get(reverse("annotations:approvals")))


def test_approving_a_verdict_that_is_not_proposed_is_a_conflict(client, chief, proposed):
    services.verdict_approve(actor=chief, verdict_id=proposed.pk)
    client.force_login(chief)
    response = client.post(reverse("annotations:verdict-approve", args=[proposed.pk]), {})
    assert response.status_code == 409
    assert (
        '<div class="banner error page-error" role="alert"><p>the verdict is approved; only '
        "proposed verdicts can be approved</p></div>" in html_of(response)
    )
    api = client.post(
        reverse("api:verdict-approve", args=[proposed.pk]), {}, content_type="application/json"
    )
    assert api.status_code == 409
    assert api.json() == {
        "detail": "the verdict is approved; only proposed verdicts can be approved"
    }


def test_rejecting_without_a_note_is_refused_on_the_form(client, chief, proposed):
    client.force_login(chief)
    response = client.post(
        reverse("annotations:verdict-reject", args=[proposed.pk]),
        {"note": "", "return_to": "approvals"},
    )
    assert response.status_code == 400
    assert (
        f'<p class="error" id="note-{proposed.pk}-error" role="alert">'
        "say why the verdict is rejected</p>" in html_of(response)
    )
    proposed.refresh_from_db()
    assert proposed.status == "proposed"


def test_editor_cannot_approve(client, editor, proposed):
    client.force_login(editor)
    response = client.post(reverse("annotations:verdict-approve", args=[proposed.pk]), {})
    assert response.status_code == 403


def test_rejection_returns_the_item_to_the_reviewer_with_the_note_on_top(
    client, chief, reviewer, proposed
):
    client.force_login(chief)
    response = client.post(
        reverse("annotations:verdict-reject", args=[proposed.pk]),
        {"note": "Bitte <die> Primärquelle verlinken.", "return_to": "approvals"},
    )
    assert response.status_code == 302
    client.force_login(reviewer)
    queue = html_of(client.get(reverse("annotations:queue")))
    assert f'<tr data-id="{proposed.annotation_id}"' in queue
    assert "Bitte &lt;die&gt; Primärquelle verlinken." in queue
    html = html_of(client.get(review_url(proposed.annotation)))
    top = html.index('id="returned-note"')
    assert top < html.index('class="paragraph"')
    assert "Returned by chief: your verdict “False” was rejected." in html
    assert (
        '<blockquote class="decision-note">Bitte &lt;die&gt; Primärquelle verlinken.</blockquote>'
        in html
    )
    assert 'id="verdict-form"' in html


def test_history_shows_every_step_with_its_actor(client, editor, reviewer, chief, assigned):
    services.comment_add(actor=editor, annotation_id=assigned.pk, body="Bitte bis Freitag.")
    verdict = propose(reviewer, assigned)
    services.verdict_reject(actor=chief, verdict_id=verdict.pk, note="Quelle fehlt.")
    evidence = Evidence.objects.get(annotation=assigned)
    services.evidence_remove(actor=reviewer, evidence_id=evidence.pk)
    again = propose(reviewer, assigned, rating="mostly-false")
    services.verdict_approve(actor=chief, verdict_id=again.pk, note="Passt.")
    client.force_login(reviewer)
    html = html_of(client.get(review_url(assigned)))
    history = re.search(r'<ol class="history-list.*?</ol>', html, re.S).group(0)
    steps = [
        ("editor", "assigned it to reviewer"),
        ("editor", "commented: Bitte bis Freitag."),
        ("reviewer", f"added evidence {EVIDENCE_URL}"),
        ("reviewer", "proposed “False”"),
        ("chief", "rejected “False”: Quelle fehlt."),
        ("reviewer", f"removed evidence {EVIDENCE_URL}"),
        ("reviewer", "proposed “Mostly false”"),
        ("chief", "approved “Mostly false”: Passt."),
    ]
    found = re.findall(r'<span class="actor">(.*?)</span> <span class="what">(.*?)</span>', history)
    positions = [found.index(step) for step in steps]
    assert positions == sorted(positions)


# --- the report -----------------------------------------------------------------------------


@pytest.fixture
def approved(chief, proposed):
    services.verdict_approve(actor=chief, verdict_id=proposed.pk)
    return proposed


def report_url(article) -> str:
    return reverse("annotations:article-report", args=[article.pk])


def test_unpublished_report_needs_a_newsroom_login(client, outsider, reviewer, article):
    response = client.get(report_url(article))
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    client.force_login(outsider)
    assert client.get(report_url(article)).status_code == 403
    client.force_login(reviewer)
    response = client.get(report_url(article))
    assert response.status_code == 200
    assert "Preview: this report is not published." in html_of(response)


def test_chief_publishes_and_the_report_opens_without_login(client, chief, approved, article):
    client.force_login(chief)
    page = html_of(client.get(report_url(article)))
    assert 'id="publish-form"' in page
    assert "Every claim has an approved verdict." in page
    response = client.post(reverse("annotations:article-publish", args=[article.pk]))
    assert response.status_code == 302
    assert Article.objects.get(pk=article.pk).status == "published"
    client.logout()
    response = client.get(report_url(article))
    assert response.status_code == 200
    html = html_of(response)
    assert "Preview" not in html
    assert (
        f'<mark class="verdict-span rating-false" data-verdict="1">{approved.annotation.exact}'
        "</mark>" in html
    )
    assert '<a class="rating-badge rating-false" href="#verdict-1"' in html
    assert "3,1 Milliarden Euro" in html
    assert (
        f'<a href="{EVIDENCE_URL}" rel="noopener noreferrer nofollow">Haushaltsplan 2024</a>'
        in html
    )


def test_publishing_with_an_open_claim_needs_the_confirmation(client, chief, editor, article):
    make_annotation(editor, article, "Pendler")
    client.force_login(chief)
    page = html_of(client.get(report_url(article)))
    assert "1 claim has no approved verdict yet." in page
    response = client.post(reverse("annotations:article-publish", args=[article.pk]))
    assert response.status_code == 409
    assert (
        "1 claim(s) have no approved verdict; confirm with with_open_claims to publish anyway"
        in html_of(response)
    )
    assert Article.objects.get(pk=article.pk).status != "published"
    response = client.post(
        reverse("annotations:article-publish", args=[article.pk]), {"with_open_claims": "1"}
    )
    assert response.status_code == 302
    assert Article.objects.get(pk=article.pk).status == "published"
    event = Event.objects.get(verb="article.published")
    assert event.data == {
        "open_claims": 1,
        "with_open_claims": True,
        "acknowledged": [],
        "from": "in_review",
    }


def test_only_chiefs_can_publish(client, editor, reviewer, article):
    for user in (editor, reviewer):
        client.force_login(user)
        assert 'id="publish-form"' not in html_of(client.get(report_url(article)))
        response = client.post(
            reverse("annotations:article-publish", args=[article.pk]), {"with_open_claims": "1"}
        )
        assert response.status_code == 403
        assert "only chiefs can publish" in html_of(response)
    assert Article.objects.get(pk=article.pk).status != "published"


def test_report_embeds_claimreview_json_ld_escaped_for_a_script_element(
    client, editor, reviewer, chief
):
    body = "Der Minister sagte: </script><script>alert(1)</script> & mehr <b>Text</b>.\n"
    article = make_article(editor, title="Escape-Test", body=body, outlet="Tagesblatt")
    quote = "</script><script>alert(1)</script> & mehr <b>Text</b>"
    claim = make_annotation(editor, article, quote)
    assign(editor, reviewer, claim)
    verdict = propose(
        reviewer, claim, rating="false", rationale=f"{HOSTILE} ist falsch und gefährlich."
    )
    services.verdict_approve(actor=chief, verdict_id=verdict.pk)
    services.article_publish(actor=chief, article_id=article.pk)
    response = client.get(report_url(article))
    assert response.status_code == 200
    html = html_of(response)
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(blocks) == 1
    assert "<" not in blocks[0] and ">" not in blocks[0] and "&" not in blocks[0]
    reviews = json.loads(blocks[0])
    assert len(reviews) == 1
    review = reviews[0]
    assert review["@context"] == "https://schema.org"
    assert review["@type"] == "ClaimReview"
    assert review["claimReviewed"] == quote
    # In the article's language (German), whatever the reader's.
    assert review["inLanguage"] == "de"
    assert review["reviewRating"] == {
        "@type": "Rating",
        "alternateName": "Falsch",
        "ratingValue": 1,
        "bestRating": 5,
        "worstRating": 1,
    }
    assert review["itemReviewed"]["@type"] == "Claim"
    assert review["itemReviewed"]["author"] == {"@type": "Organization", "name": "Tagesblatt"}
    assert review["url"] == "http://testserver" + report_url(article)
    # The desk's default name, in German for a German article.
    assert review["author"]["name"] == "Faktencheck-Desk"
    assert "<script>alert" not in html.replace(blocks[0], "")
    assert html.count("<script") == 2  # the JSON-LD block and base.js, nothing else


def test_report_shows_only_approved_verdicts(client, chief, editor, reviewer, article, proposed):
    services.article_publish(actor=chief, article_id=article.pk, with_open_claims=True)
    html = html_of(client.get(report_url(article)))
    assert "verdict-span" not in html
    assert "application/ld+json" not in html
    assert "0 claims checked." in html


def test_withdrawn_annotation_stays_out_of_the_queue(client, editor, reviewer, assigned):
    services.annotation_withdraw(actor=editor, annotation_id=assigned.pk)
    client.force_login(reviewer)
    html = html_of(client.get(reverse("annotations:queue")))
    assert f'<tr data-id="{assigned.pk}"' not in html
    assert Annotation.objects.get(pk=assigned.pk).status == "withdrawn"


def test_approvals_page_uses_the_same_number_of_queries_for_1_and_20_verdicts(
    client, editor, reviewer, chief
):
    def proposals(rows: int) -> int:
        body = " ".join(f"Satz {n:03d} der Bundesregierung." for n in range(rows))
        article = make_article(editor, title=f"{rows} Vorschläge", body=body)
        for n in range(rows):
            annotation = make_annotation(editor, article, f"Satz {n:03d}")
            assign(editor, reviewer, annotation)
            verdict = propose(reviewer, annotation)
            services.evidence_add(actor=reviewer, annotation_id=annotation.pk, url=EVIDENCE_URL)
            services.verdict_reject(actor=chief, verdict_id=verdict.pk, note="Nochmal.")
            propose(reviewer, annotation)
        client.force_login(chief)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("annotations:approvals"))
        assert response.status_code == 200
        return len(queries), html_of(response).count('class="card approval"')

    one, shown = proposals(1)
    assert shown == 1
    twenty, shown = proposals(19)
    assert shown == 20
    assert one == twenty


def test_api_queue_item_of_a_returned_claim_carries_its_rejected_verdict_and_assignees(
    client, editor, reviewer, other_reviewer, chief, claim
):
    assign(editor, other_reviewer, claim)
    assign(editor, reviewer, claim)
    first = propose(reviewer, claim)
    services.verdict_reject(actor=chief, verdict_id=first.pk, note="Quelle fehlt.")
    client.force_login(reviewer)
    response = client.get(reverse("api:queue"))
    assert response.status_code == 200
    [item] = response.json()["results"]
    assert item["id"] == claim.pk
    assert item["assignees"] == ["reviewer2", "reviewer"]
    assert item["assigned_by"] == "editor"
    assert item["article_title"] == "Schienenausbau"
    assert item["current_verdict"]["id"] == first.pk
    assert item["current_verdict"]["status"] == "rejected"
    assert item["current_verdict"]["decision_note"] == "Quelle fehlt."
    assert item["latest_check"]["url"] == EVIDENCE_URL
    assert item["latest_check"]["status"] == "pending"


# --- similar claims checked before (issue 7) -------------------------------------------------

EARLIER_TEXT = (
    "Berlin – Die Bundesregierung hat am Mittwoch 4,2 Milliarden Euro für den Ausbau der "
    "Schiene freigegeben. Das teilte das Ministerium mit.\n"
)
EARLIER_QUOTE = (
    "Die Bundesregierung hat am Mittwoch 4,2 Milliarden Euro für den Ausbau der Schiene freigegeben"
)


@pytest.fixture
def checked_before(editor, other_reviewer, chief):
    """An approved verdict on the same claim in an earlier article (with markup in its
    title), with two evidence items."""
    first = make_article(editor, title=f"Erste Meldung {HOSTILE}", body=EARLIER_TEXT)
    earlier = make_annotation(editor, first, EARLIER_QUOTE)
    assign(editor, other_reviewer, earlier)
    services.evidence_add(
        actor=other_reviewer,
        annotation_id=earlier.pk,
        url="https://example.org/protokoll",
        title="Kabinettsprotokoll",
        note="Seite 3",
    )
    verdict = propose(other_reviewer, earlier, rating="true")
    return services.verdict_approve(actor=chief, verdict_id=verdict.pk)


def similar_section(html: str) -> str:
    match = re.search(r'<section class="card similar".*?</section>', html, re.S)
    assert match, "no similar-claims section on the page"
    return match.group(0)


def test_review_page_shows_an_earlier_approved_verdict_on_a_similar_claim(
    client, reviewer, assigned, checked_before
):
    client.force_login(reviewer)
    response = client.get(review_url(assigned))
    assert response.status_code == 200
    section = similar_section(html_of(response))
    earlier = checked_before.annotation
    assert EARLIER_QUOTE in section
    assert f'href="{review_url(earlier)}"' in section
    report = reverse("annotations:article-report", args=[earlier.article_id])
    assert f'<a class="similar-article" href="{report}">Erste Meldung &lt;script&gt;' in section
    assert '<span class="rating-badge rating-true">True</span>' in section
    decided = date_format(timezone.localtime(checked_before.decided_at), "DATE_FORMAT")
    assert f"decided {decided}" in section
    assert "Kabinettsprotokoll" in section
    assert "Reuse its evidence (2 sources)" in section
    assert f'name="reuse_verdict" value="{checked_before.pk}"' in section
    assert "<script>" not in section


def test_a_reviewer_not_assigned_sees_the_earlier_verdict_without_the_reuse_button(
    client, other_reviewer, editor, article, checked_before
):
    claim = make_annotation(editor, article, "4,2 Milliarden Euro für den Ausbau der Schiene")
    client.force_login(other_reviewer)
    section = similar_section(html_of(client.get(review_url(claim))))
    assert EARLIER_QUOTE in section
    assert "reuse_verdict" not in section


def test_reviewer_reuses_the_earlier_evidence_in_one_click(
    client, reviewer, assigned, checked_before
):
    client.force_login(reviewer)
    response = client.post(
        reverse("annotations:review-evidence-add", args=[assigned.pk]),
        {"reuse_verdict": checked_before.pk},
    )
    assert response.status_code == 302
    assert response["Location"] == review_url(assigned) + "#evidence"
    copies = list(Evidence.objects.filter(annotation=assigned).order_by("id"))
    assert [(e.url, e.title, e.note, e.added_by) for e in copies] == [
        ("https://example.org/protokoll", "Kabinettsprotokoll", "Seite 3", reviewer),
        (EVIDENCE_URL, "Haushaltsplan 2024", "", reviewer),
    ]
    assert SourceCheck.objects.filter(annotation=assigned, evidence__in=copies).count() == 2
    html = html_of(client.get(review_url(assigned)))
    assert "2 evidence items reused; their sources are being checked." in html
    assert "Its evidence is already here." in similar_section(html)
    assert "reused 2 evidence items of an earlier verdict" in html


def test_reusing_again_adds_nothing_and_says_so(client, reviewer, assigned, checked_before):
    client.force_login(reviewer)
    url = reverse("annotations:review-evidence-add", args=[assigned.pk])
    client.post(url, {"reuse_verdict": checked_before.pk})
    response = client.post(url, {"reuse_verdict": checked_before.pk}, follow=True)
    assert response.status_code == 200
    assert "That evidence is already here; nothing was added." in html_of(response)
    assert Evidence.objects.filter(annotation=assigned).count() == 2


def test_a_reviewer_not_assigned_cannot_reuse_evidence_on_the_page(
    client, other_reviewer, assigned, checked_before
):
    client.force_login(other_reviewer)
    response = client.post(
        reverse("annotations:review-evidence-add", args=[assigned.pk]),
        {"reuse_verdict": checked_before.pk},
    )
    assert response.status_code == 403
    assert "only editors, chiefs and the assigned reviewer can add evidence" in html_of(response)
    assert not Evidence.objects.filter(annotation=assigned).exists()


def test_reusing_needs_the_csrf_token(reviewer, assigned, checked_before):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(reviewer)
    response = client.post(
        reverse("annotations:review-evidence-add", args=[assigned.pk]),
        {"reuse_verdict": checked_before.pk},
    )
    assert response.status_code == 403
    assert not Evidence.objects.filter(annotation=assigned).exists()


def test_a_reviewer_not_assigned_cannot_remove_evidence_and_reads_why(
    client, reviewer, other_reviewer, assigned
):
    evidence = services.evidence_add(actor=reviewer, annotation_id=assigned.pk, url=EVIDENCE_URL)
    client.force_login(other_reviewer)
    response = client.post(reverse("annotations:review-evidence-remove", args=[evidence.pk]))
    assert response.status_code == 403
    assert "only editors, chiefs and the assigned reviewer can remove evidence" in html_of(response)
    evidence.refresh_from_db()
    assert evidence.removed_at is None


def test_approved_evidence_shows_without_forms_to_change_it(client, chief, editor, proposed):
    services.verdict_approve(actor=chief, verdict_id=proposed.pk)
    client.force_login(editor)
    html = html_of(client.get(review_url(proposed.annotation)))
    assert EVIDENCE_URL in html
    assert 'id="evidence-form"' not in html
    assert "review-evidence-remove" not in html and "/remove/" not in html
