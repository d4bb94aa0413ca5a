"""The first pages: login, the article list and the highlighted article, all escaped."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from annotations import services, views
from annotations.models import Annotation, Label, Suggestion
from tests.conftest import login
from tests.factories import make_annotation, make_article

pytestmark = pytest.mark.django_db

HOSTILE = 'Vorsicht <script>alert("x")</script> und <img src=x onerror=alert(1)> Ende.'


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get(reverse("annotations:article-list"))
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_user_without_a_newsroom_role_is_refused(client, outsider):
    client.force_login(outsider)
    assert client.get(reverse("annotations:article-list")).status_code == 403


def test_article_list_shows_the_articles(client, editor, article):
    client.force_login(editor)
    response = client.get(reverse("annotations:article-list"))
    assert response.status_code == 200
    assert "Schienenausbau" in response.content.decode()


def test_overlapping_annotations_are_cut_into_nested_marks(client, editor, article):
    outer = make_annotation(editor, article, "Die Bundesregierung hat am Mittwoch", label="claim")
    inner = make_annotation(editor, article, "Bundesregierung", label="source")
    client.force_login(editor)
    html = client.get(reverse("annotations:article-detail", args=[article.pk])).content.decode()
    assert re.search(rf'data-ids="{outer.pk}"[^>]*>Die </mark>', html)
    assert re.search(
        rf'class="hl hl-source depth-2 u1-claim" data-ids="{outer.pk} {inner.pk}"[^>]*>Bundesregierung</mark>',
        html,
    )


def test_script_in_article_text_and_note_is_shown_as_text(client, editor):
    article = make_article(editor, title="<b>Titel</b>", body=HOSTILE)
    make_annotation(editor, article, "Vorsicht", label="claim", note="<script>alert(2)</script>")
    client.force_login(editor)
    html = client.get(reverse("annotations:article-detail", args=[article.pk])).content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in html
    assert "&lt;b&gt;Titel&lt;/b&gt;" in html


def test_pages_forbid_inline_scripts(client, editor, article):
    client.force_login(editor)
    response = client.get(reverse("annotations:article-detail", args=[article.pk]))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy


@pytest.mark.browser
def test_hostile_markup_in_an_article_never_runs_in_the_browser(page, editor, transactional_db):
    article = make_article(editor, title="Hostile", body=HOSTILE)
    make_annotation(editor, article, "Vorsicht", label="claim", note="<script>alert(2)</script>")
    login(page, "editor")
    page.goto(f"/articles/{article.pk}/")
    text = page.locator("#article-text").inner_text()
    assert '<script>alert("x")</script>' in text
    assert "<img src=x onerror=alert(1)>" in text
    assert page.locator("#article-text img").count() == 0
    assert page.dialogs == []


def test_an_unknown_api_version_answers_json_404(client, editor):
    client.force_login(editor)
    for response in (client.get("/api/v2/articles/"), client.post("/api/v2/x/", {})):
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found."}


# --- sorting by check-worthiness (issue 7) ---------------------------------------------------


def claim_suggestion(article, score: float, status: str = "pending", label: str = "claim"):
    exact = "Die Bundesregierung hat am Mittwoch 4,2 Milliarden Euro"
    start = article.text.index(exact)
    return Suggestion.objects.create(
        article=article,
        revision=article.revision,
        start=start,
        end=start + len(exact),
        exact=exact,
        label=Label.objects.get(slug=label),
        cue="number",
        score=score,
        status=status,
    )


def scored_claim(editor, article, quote: str, score: float):
    claim = make_annotation(editor, article, quote)
    Annotation.objects.filter(pk=claim.pk).update(checkworthiness=score)
    return claim


def listed_titles(html: str) -> list[str]:
    return re.findall(r'<td><a href="/articles/\d+/">([^<]*)</a>', html)


def test_article_list_sorts_by_the_most_check_worthy_claim(client, editor):
    claimed = make_article(editor, title="Behauptung")
    scored_claim(editor, claimed, "4,2 Milliarden Euro", 0.9)
    suggested = make_article(editor, title="Vorschlag")
    claim_suggestion(suggested, 0.6)
    make_article(editor, title="Ohne")
    client.force_login(editor)
    newest = client.get(reverse("annotations:article-list"))
    assert listed_titles(newest.content.decode()) == ["Ohne", "Vorschlag", "Behauptung"]
    response = client.get(reverse("annotations:article-list"), {"sort": "checkworthy"})
    assert response.status_code == 200
    html = response.content.decode()
    assert listed_titles(html) == ["Behauptung", "Vorschlag", "Ohne"]
    assert '<option value="checkworthy" selected>Most check-worthy first</option>' in html
    assert re.search(r'Behauptung</a> <span class="checkworthiness[^"]*"[^>]*>0.90</span>', html)


def test_an_unknown_sort_falls_back_to_newest_first(client, editor):
    old = make_article(editor, title="Alt")
    scored_claim(editor, old, "4,2 Milliarden Euro", 0.9)
    make_article(editor, title="Neu")
    client.force_login(editor)
    response = client.get(reverse("annotations:article-list"), {"sort": "random"})
    assert response.status_code == 200
    assert listed_titles(response.content.decode()) == ["Neu", "Alt"]


def test_the_pager_keeps_the_sort(client, editor):
    for n in range(views.ARTICLES_PER_PAGE + 1):
        make_article(editor, title=f"Artikel {n}")
    client.force_login(editor)
    html = client.get(reverse("annotations:article-list"), {"sort": "checkworthy"}).content
    assert 'href="?sort=checkworthy&amp;page=2"' in html.decode()


def test_sorted_article_list_uses_the_same_number_of_queries_for_1_and_50_articles(client, editor):
    def queries(articles: int) -> int:
        for n in range(articles):
            article = make_article(editor, title=f"Artikel {n}")
            scored_claim(editor, article, "4,2 Milliarden Euro", n / 100)
            claim_suggestion(article, n / 50)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("annotations:article-list"), {"sort": "checkworthy"})
        assert response.status_code == 200
        return len(captured)

    client.force_login(editor)
    one = queries(1)
    assert one == queries(49)


def test_suggestion_count_leaves_out_those_of_an_older_text(client, editor, article):
    """After a text edit, the old revision's pending suggestions wait for the new analysis:
    the page neither draws nor counts them."""
    services.article_analyse(article_id=article.pk)
    pending = Suggestion.objects.filter(article=article, status="pending").count()
    assert pending > 0
    client.force_login(editor)
    html = client.get(reverse("annotations:article-detail", args=[article.pk])).content.decode()
    assert f'<span id="suggestion-count">{pending}</span>' in html
    services.article_update(
        actor=editor, article_id=article.pk, fields={}, body="Vorab. " + article.text
    )
    html = client.get(reverse("annotations:article-detail", args=[article.pk])).content.decode()
    assert '<span id="suggestion-count">0</span>' in html


def test_healthz_reports_database_and_broker_without_a_login(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}
