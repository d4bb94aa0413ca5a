"""What a German desk ran into (issue 13), as the server-rendered pages answer it: each
role lands on its own work after logging in, queue rows quote their span, a failed import
can be retried or removed, and a source check appears once however often the text changed."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from annotations import services
from annotations.models import Article, Event, Job, SourceCheck
from tests.factories import UserFactory, make_annotation, make_article

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-1"  # the factories' password


def log_in(username: str, next_url: str = "") -> str:
    """Log in through the form; the address the login redirects to."""
    url = "/login/" + (f"?next={next_url}" if next_url else "")
    response = Client().post(url, {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return response["Location"]


# --- landing pages ---------------------------------------------------------------------------


def test_an_editor_lands_on_the_article_list(editor):
    assert log_in("editor") == reverse("annotations:article-list")


def test_a_reviewer_lands_on_their_queue(reviewer):
    assert log_in("reviewer") == reverse("annotations:queue")


def test_a_chief_lands_on_the_approvals(chief):
    assert log_in("chief") == reverse("annotations:approvals")


def test_a_chief_who_also_reviews_lands_on_the_approvals(chief_reviewer):
    assert log_in("chiefrev") == reverse("annotations:approvals")


def test_an_editor_who_also_reviews_lands_on_the_queue(db):
    UserFactory(username="both", roles=["editor", "reviewer"])
    assert log_in("both") == reverse("annotations:queue")


def test_next_wins_over_the_role_landing_page(reviewer, article):
    target = reverse("annotations:article-detail", args=[article.pk])
    assert log_in("reviewer", next_url=target) == target


def test_a_next_to_another_site_is_ignored_for_the_role_landing_page(chief):
    assert log_in("chief", next_url="https://elsewhere.example/") == reverse(
        "annotations:approvals"
    )


# --- queue rows quote their span --------------------------------------------------------------

LONG_CLAIM = (
    "Die Bundesregierung hat am Mittwoch 4,2 Milliarden Euro für den Ausbau der Schiene "
    "freigegeben, davon 1,1 Milliarden Euro für digitale Stellwerke im ganzen Land und den "
    "Rest für neue Gleise zwischen den großen Knoten"
)


def queue_html(user) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(reverse("annotations:queue"))
    assert response.status_code == 200
    return response.content.decode()


def test_a_queue_row_quotes_its_span_with_the_article_title_below(editor, reviewer):
    article = make_article(editor, title="Schienenmeldung", body=f"Berlin – {LONG_CLAIM}.\n")
    claim = make_annotation(editor, article, LONG_CLAIM)
    services.annotation_assign(actor=editor, annotation_id=claim.pk, reviewer=reviewer)
    html = queue_html(reviewer)
    link = re.search(
        r'<a class="open" href="/annotations/(\d+)/"><span class="context"[^>]*>'
        r'(?:…[^<]*)?<mark class="hl hl-claim">(.*?)</mark>',
        html,
    )
    assert link is not None and int(link.group(1)) == claim.pk
    quoted = link.group(2)
    # Cut at a word boundary before 140 characters, with an ellipsis.
    assert quoted.endswith("…") and len(quoted) <= 140
    assert LONG_CLAIM.startswith(quoted[:-1])
    assert LONG_CLAIM[len(quoted) - 1] == " "
    assert "in “Schienenmeldung”" in html


def test_a_short_span_is_quoted_whole(editor, reviewer, claim):
    services.annotation_assign(actor=editor, annotation_id=claim.pk, reviewer=reviewer)
    html = queue_html(reviewer)
    assert f'<mark class="hl hl-claim">{claim.exact}</mark>' in html


# --- a failed import: retry or remove ---------------------------------------------------------

FAILED_URL = "https://zeitung.example/artikel/42"


@pytest.fixture
def failed(editor) -> Article:
    article = services.article_create_from_url(actor=editor, url=FAILED_URL)
    return services.article_import_finish(article_id=article.pk, error="HTTP 404")


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_article_list_offers_retry_and_remove_for_a_failed_import(editor, failed, article):
    html = client_of(editor).get(reverse("annotations:article-list")).content.decode()
    assert html.count('class="failed-import-actions"') == 1
    assert f'action="/articles/{failed.pk}/import/retry/"' in html
    assert f'action="/articles/{failed.pk}/remove/"' in html
    assert f'action="/articles/{article.pk}/remove/"' not in html


def test_a_reviewer_sees_no_retry_or_remove(reviewer, failed):
    html = client_of(reviewer).get(reverse("annotations:article-list")).content.decode()
    assert "failed-import-actions" not in html
    page = client_of(reviewer).get(reverse("annotations:article-detail", args=[failed.pk]))
    assert "retry-import" not in page.content.decode()


def test_retry_fetches_the_url_again_through_the_outbox(editor, failed):
    jobs_before = Job.objects.filter(task="annotations.import_url").count()
    client = client_of(editor)
    response = client.post(
        reverse("annotations:article-import-retry", args=[failed.pk]), {"return_to": "list"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("annotations:article-detail", args=[failed.pk])
    failed.refresh_from_db()
    assert (failed.status, failed.import_error) == ("importing", "")
    assert Job.objects.filter(task="annotations.import_url", args=[failed.pk]).count() == (
        jobs_before + 1
    )
    event = Event.objects.filter(article=failed, verb="article.import_requested").latest("id")
    assert (event.actor, event.data["retry"], event.data["previous_error"]) == (
        editor,
        True,
        "HTTP 404",
    )
    page = client.get(response["Location"]).content.decode()
    assert "The article is being fetched again; this page updates." in page


def test_a_reviewer_cannot_retry_an_import(reviewer, failed):
    response = client_of(reviewer).post(
        reverse("annotations:article-import-retry", args=[failed.pk])
    )
    assert response.status_code == 403
    assert "only editors and chiefs can import articles" in response.content.decode()
    failed.refresh_from_db()
    assert failed.status == "import_failed"


def test_an_article_that_did_not_fail_is_not_imported_again(editor, article):
    response = client_of(editor).post(
        reverse("annotations:article-import-retry", args=[article.pk]), follow=True
    )
    assert response.status_code == 200
    assert "this is not possible now" in response.content.decode()
    article.refresh_from_db()
    assert article.status == "draft"


def test_remove_archives_the_failed_import_and_records_it(editor, failed):
    client = client_of(editor)
    response = client.post(
        reverse("annotations:article-remove", args=[failed.pk]), {"return_to": "list"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("annotations:article-list")
    failed.refresh_from_db()
    assert failed.status == "archived"
    assert Event.objects.filter(article=failed, verb="article.archived", actor=editor).exists()
    listing = client.get(response["Location"]).content.decode()
    assert "was removed. It is kept under the archived articles" in listing
    assert f"/articles/{failed.pk}/" not in listing


def test_a_reviewer_cannot_remove_a_failed_import(reviewer, failed):
    response = client_of(reviewer).post(reverse("annotations:article-remove", args=[failed.pk]))
    assert response.status_code == 403
    failed.refresh_from_db()
    assert failed.status == "import_failed"


# --- the annotate page knows whether the analysis is still to come ----------------------------


def page_data(client, article) -> dict:
    import json

    html = client.get(reverse("annotations:article-detail", args=[article.pk])).content.decode()
    found = re.search(r'<script id="page-data" type="application/json">(.*?)</script>', html, re.S)
    return json.loads(found.group(1))


def test_the_page_waits_for_the_analysis_only_until_the_worker_stored_it(editor, article):
    client = client_of(editor)
    assert page_data(client, article)["analysis_pending"] is True
    services.article_analyse(article_id=article.pk)
    assert page_data(client, article)["analysis_pending"] is False


def test_a_text_edit_makes_the_page_wait_for_the_new_analysis(editor, article):
    services.article_analyse(article_id=article.pk)
    services.article_update(
        actor=editor, article_id=article.pk, fields={}, body=article.text + "Neu.\n"
    )
    assert page_data(client_of(editor), article)["analysis_pending"] is True


# --- publishing from the article page ---------------------------------------------------------


def test_a_refused_publish_from_the_article_page_returns_there_with_the_reason(
    chief, article, claim
):
    client = client_of(chief)
    response = client.post(
        reverse("annotations:article-publish", args=[article.pk]), {"return_to": "article"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("annotations:article-detail", args=[article.pk])
    page = client.get(response["Location"]).content.decode()
    assert "claim" in page and 'class="error"' in page
    assert 'id="publish-gate"' in page and 'name="return_to" value="article"' in page
    article.refresh_from_db()
    assert article.status != "published"


def test_the_article_page_publishes_through_the_same_gate(chief, article, claim):
    response = client_of(chief).post(
        reverse("annotations:article-publish", args=[article.pk]),
        {"return_to": "article", "with_open_claims": "1"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("annotations:article-report", args=[article.pk])
    article.refresh_from_db()
    assert article.status == "published"


# --- the panel's rationale, as the review page renders it --------------------------------------


def test_the_annotate_page_hands_over_each_rationale_rendered_and_sanitised(
    editor, reviewer, claim
):
    services.annotation_assign(actor=editor, annotation_id=claim.pk, reviewer=reviewer)
    verdict = services.verdict_propose(
        actor=reviewer,
        annotation_id=claim.pk,
        rating="false",
        rationale="Laut **Plan** anders. <script>alert(1)</script><img src=x onerror=alert(2)>",
        evidence=[services.EvidenceInput(url="https://example.org/plan")],
    )
    html = page_data(client_of(editor), claim.article)["rationale_html"][str(verdict.pk)]
    assert "<strong>Plan</strong>" in html
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;" in html


# --- a source span's checks across revisions on the review page -------------------------------


def test_the_review_page_lists_a_span_check_once_per_source_with_the_earlier_folded(
    editor, reviewer, article
):
    via = make_annotation(editor, article, "Source / Quelle: Via", label="source")
    first = set(SourceCheck.objects.filter(annotation=via).values_list("pk", flat=True))
    assert first, "a source span is checked"
    services.article_update(
        actor=editor, article_id=article.pk, fields={}, body="Vorweg.\n" + article.text
    )
    services.article_analyse(article_id=article.pk)
    assert SourceCheck.objects.filter(annotation=via).count() == 2 * len(first)
    services.annotation_assign(actor=editor, annotation_id=via.pk, reviewer=reviewer)
    html = client_of(reviewer).get(f"/annotations/{via.pk}/").content.decode()
    assert html.count('class="span-check"') == len(first)
    assert html.count('class="span-check-earlier"') == len(first)
    assert "1 earlier check" in html and "revision 1" in html
