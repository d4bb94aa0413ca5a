"""The first pages: login, the article list and the highlighted article, all escaped."""

import re

import pytest
from django.urls import reverse

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
