"""The server side of the editor UI: the articles list with its counts and filters, the
import page and its errors, the header, and the annotate page's constant query count."""

from __future__ import annotations

import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from annotations import services
from annotations.models import (
    Annotation,
    Article,
    Assignment,
    Label,
    Rating,
    SourceCheck,
    Verdict,
)
from tests.factories import GERMAN_TEXT, UserFactory, make_annotation, make_article

pytestmark = pytest.mark.django_db

LIST = reverse("annotations:article-list")
IMPORT = reverse("annotations:article-import")


def detail(article: Article) -> str:
    return reverse("annotations:article-detail", args=[article.pk])


def row_of(html: str, title: str) -> str:
    match = re.search(r"<tr[^>]*>(?:(?!</tr>).)*?" + re.escape(title) + r".*?</tr>", html, re.S)
    assert match, f"no row for {title!r}"
    return match.group(0)


# --- header ----------------------------------------------------------------------------------


def test_header_shows_the_user_their_roles_and_the_links_they_need(client, editor):
    client.force_login(editor)
    html = client.get(LIST).content.decode()
    assert '<span class="user" title="Signed in as">editor</span>' in html
    assert '<span class="roles">editor</span>' in html
    assert f'href="{IMPORT}"' in html
    assert ">Queue<" not in html
    assert ">Admin<" not in html
    assert 'action="/logout/"' in html


def test_reviewers_get_a_queue_link_and_no_import_link(client, reviewer):
    client.force_login(reviewer)
    html = client.get(LIST).content.decode()
    assert re.search(r'<a href="/queue/"[^>]*>Queue</a>', html)
    assert f'href="{IMPORT}"' not in html


def test_staff_get_an_admin_link(client, db):
    admin = UserFactory(username="admin", roles=["chief"], is_staff=True)
    client.force_login(admin)
    assert 'href="/admin/"' in client.get(LIST).content.decode()


def test_logout_ends_the_session(client, editor):
    client.force_login(editor)
    response = client.post("/logout/")
    assert response.status_code == 302
    assert client.get(LIST).status_code == 302


# --- articles list ---------------------------------------------------------------------------


def test_list_counts_spans_per_label_and_per_status(client, editor, reviewer):
    article = make_article(editor, title="Zählung")
    make_annotation(editor, article, "Die Bundesregierung", label="claim")
    claim = make_annotation(editor, article, "4,2 Milliarden Euro", label="claim")
    make_annotation(editor, article, "Kritiker meinen", label="opinion")
    gone = make_annotation(editor, article, "Pendler", label="opinion")
    services.annotation_withdraw(actor=editor, annotation_id=gone.pk)
    services.annotation_assign(actor=editor, annotation_id=claim.pk, reviewer=reviewer)
    client.force_login(editor)
    row = row_of(client.get(LIST).content.decode(), "Zählung")
    chips = re.findall(r'title="(\w+)">.*?</span> (\d+)</span>', row)
    assert chips == [("Claim", "2"), ("Opinion", "1"), ("Speculation", "0"), ("Source", "0")]
    statuses = re.findall(r'<span class="status-count st-(\w+)">\w+ (\d+)</span>', row)
    assert statuses == [("open", "2"), ("assigned", "1"), ("withdrawn", "1")]
    assert "attention-marker" not in row


def test_list_marks_articles_that_need_attention(client, editor, reviewer, chief):
    calm = make_article(editor, title="Ruhig")
    make_annotation(editor, calm, "Die Bundesregierung", label="claim")
    busy = make_article(editor, title="Unruhig")
    claim = make_annotation(editor, busy, "Die Bundesregierung", label="claim")
    make_annotation(editor, busy, "Kritiker meinen", label="opinion")
    services.annotation_assign(actor=editor, annotation_id=claim.pk, reviewer=reviewer)
    services.verdict_propose(
        actor=reviewer,
        annotation_id=claim.pk,
        rating="true",
        rationale="Das steht so im Kabinettsbeschluss vom Mittwoch.",
        evidence=[services.EvidenceInput(url="https://example.org/beschluss")],
    )
    SourceCheck.objects.filter(annotation=claim).update(status="failed", error="timeout")
    services.article_update(
        actor=editor,
        article_id=busy.pk,
        fields={},
        body=GERMAN_TEXT.replace("Kritiker meinen, das Geld könnte zu spät kommen. ", ""),
    )
    client.force_login(editor)
    html = client.get(LIST).content.decode()
    assert "attention-marker" not in row_of(html, "Ruhig")
    marker = row_of(html, "Unruhig")
    assert "1 orphaned, 1 verdict waiting, 1 failed check" in marker

    only = client.get(LIST, {"attention": "on"}).content.decode()
    assert "Unruhig" in only
    assert "Ruhig</a>" not in only


def test_a_successful_rerun_clears_the_failed_check_marker(client, editor):
    article = make_article(editor, title="Quellenlage")
    source = make_annotation(editor, article, "Source / Quelle: Via", label="source")
    SourceCheck.objects.filter(annotation=source).update(status="failed")
    client.force_login(editor)
    assert "1 failed check" in row_of(client.get(LIST).content.decode(), "Quellenlage")
    services.source_checks_request(actor=editor, annotation_id=source.pk)
    assert "failed check" not in row_of(client.get(LIST).content.decode(), "Quellenlage")


def test_list_filters_by_status_language_and_search(client, editor):
    make_article(editor, title="Bahn in Bayern")
    make_article(
        editor, title="City budget", body="The council approved a budget.\n", language="en"
    )
    client.force_login(editor)
    english = client.get(LIST, {"language": "en"}).content.decode()
    assert "City budget" in english and "Bahn in Bayern" not in english
    found = client.get(LIST, {"q": "Schiene"}).content.decode()
    assert "Bahn in Bayern" in found and "City budget" not in found
    drafts = client.get(LIST, {"status": "in_review"}).content.decode()
    assert "No articles match these filters." in drafts


def test_list_paginates_and_keeps_the_filters_in_page_links(client, editor):
    for n in range(27):
        make_article(editor, title=f"Meldung {n}", body=f"Text Nummer {n}.\n", language="de")
    client.force_login(editor)
    html = client.get(LIST, {"language": "de"}).content.decode()
    assert html.count('<td><a href="/articles/') == 25
    assert 'href="?language=de&amp;page=2"' in html
    second = client.get(LIST, {"language": "de", "page": 2}).content.decode()
    assert second.count('<td><a href="/articles/') == 2


def test_malformed_filters_are_ignored(client, editor, article):
    client.force_login(editor)
    response = client.get(LIST, {"status": "nonsense", "page": "x"})
    assert response.status_code == 200


def _list_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(LIST).status_code == 200
    return len(queries)


def test_list_runs_the_same_number_of_queries_for_1_and_25_articles(client, editor, reviewer):
    client.force_login(editor)

    def add_article(n: int) -> None:
        article = make_article(editor, title=f"Artikel {n}", language="de")
        claim = make_annotation(editor, article, "Die Bundesregierung", label="claim")
        make_annotation(editor, article, "Kritiker meinen", label="opinion")
        services.annotation_assign(actor=editor, annotation_id=claim.pk, reviewer=reviewer)

    add_article(0)
    one = _list_queries(client)
    for n in range(1, 25):
        add_article(n)
    assert _list_queries(client) == one


# --- import ----------------------------------------------------------------------------------


def test_pasting_creates_the_article_and_opens_it(client, editor):
    client.force_login(editor)
    response = client.post(
        IMPORT,
        {
            "mode": "paste",
            "paste-title": "Schienenausbau",
            "paste-text": GERMAN_TEXT,
            "paste-language": "",
        },
    )
    article = Article.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail(article)
    assert article.text == GERMAN_TEXT
    assert article.language == "de"
    assert article.created_by == editor


def test_a_paste_without_text_is_refused_on_the_form_keeping_the_title(client, editor):
    client.force_login(editor)
    response = client.post(
        IMPORT, {"mode": "paste", "paste-title": "Nur ein Titel", "paste-text": "  \n"}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "The article text is empty." in html
    assert 'value="Nur ein Titel"' in html
    assert not Article.objects.exists()


def test_a_paste_without_title_keeps_the_typed_text(client, editor):
    client.force_login(editor)
    response = client.post(
        IMPORT, {"mode": "paste", "paste-title": "", "paste-text": "Größer <b>als</b> je zuvor."}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "This field is required." in html
    assert "Größer &lt;b&gt;als&lt;/b&gt; je zuvor.</textarea>" in html


def test_an_overlong_text_is_refused_with_its_length(client, editor, settings):
    settings.FACTCHECK_MAX_ARTICLE_CHARS = 20
    client.force_login(editor)
    response = client.post(IMPORT, {"mode": "paste", "paste-title": "Lang", "paste-text": "x" * 25})
    assert "The text has 25 characters; the limit is 20." in response.content.decode()


def test_uploading_a_markdown_file_imports_it(client, editor):
    client.force_login(editor)
    upload = SimpleUploadedFile("meldung.md", b"# Wohnungsbau\n\nDie Stadt baut 300 Wohnungen.\n")
    response = client.post(
        IMPORT, {"mode": "upload", "upload-file": upload, "upload-language": "de"}
    )
    article = Article.objects.get()
    assert response.status_code == 302
    assert article.title == "Wohnungsbau"
    assert "Die Stadt baut 300 Wohnungen." in article.text


def test_uploading_the_wrong_file_type_says_so(client, editor):
    client.force_login(editor)
    upload = SimpleUploadedFile("bericht.pdf", b"%PDF-1.4")
    html = client.post(IMPORT, {"mode": "upload", "upload-file": upload}).content.decode()
    assert "“bericht.pdf” is not a .txt, .md or .html file." in html


def test_uploading_a_file_that_is_not_utf8_says_how_to_fix_it(client, editor):
    client.force_login(editor)
    upload = SimpleUploadedFile("alt.txt", "Größe".encode("latin-1"))
    html = client.post(IMPORT, {"mode": "upload", "upload-file": upload}).content.decode()
    assert "save it as UTF-8 and try again" in html


def test_a_url_is_queued_and_the_article_page_waits_for_it(client, editor):
    client.force_login(editor)
    response = client.post(IMPORT, {"mode": "url", "url-url": "https://example.org/meldung"})
    article = Article.objects.get()
    assert article.status == Article.Status.IMPORTING
    assert response["Location"] == detail(article)
    html = client.get(detail(article)).content.decode()
    # importing.js asks the API until the import ends, then reloads (no timed refresh).
    assert f'id="import-wait" data-poll="/api/v1/articles/{article.pk}/"' in html
    assert 'http-equiv="refresh"' not in html
    assert "The article is being fetched from its URL." in html


def test_a_url_that_is_not_http_is_refused_and_kept(client, editor):
    client.force_login(editor)
    response = client.post(IMPORT, {"mode": "url", "url-url": "ftp://example.org/meldung"})
    html = response.content.decode()
    assert response.status_code == 400
    assert 'value="ftp://example.org/meldung"' in html
    assert "error" in html
    assert not Article.objects.exists()


def test_a_failed_import_shows_its_reason(client, editor):
    article = services.article_create_from_url(actor=editor, url="https://example.org/weg")
    services.article_import_finish(article_id=article.pk, error="HTTP 404 from example.org")
    client.force_login(editor)
    html = client.get(detail(article)).content.decode()
    assert "The import failed: HTTP 404 from example.org" in html


def test_reviewers_may_not_import(client, reviewer):
    client.force_login(reviewer)
    assert client.get(IMPORT).status_code == 403
    response = client.post(IMPORT, {"mode": "paste", "paste-title": "T", "paste-text": "Text."})
    assert response.status_code == 403
    assert not Article.objects.exists()


def test_outsiders_may_not_import(client, outsider):
    client.force_login(outsider)
    assert client.get(IMPORT).status_code == 403


# --- the annotate page -----------------------------------------------------------------------


def page_data(response) -> dict:
    html = response.content.decode()
    match = re.search(r'<script id="page-data" type="application/json">(.*?)</script>', html, re.S)
    return json.loads(match.group(1))


def test_annotate_page_hands_its_data_to_the_script_as_json(client, editor, reviewer, claim):
    services.annotation_assign(actor=editor, annotation_id=claim.pk, reviewer=reviewer)
    client.force_login(editor)
    data = page_data(client.get(detail(claim.article)))
    (item,) = data["annotations"]
    assert item["id"] == claim.pk
    assert item["exact"] == claim.exact
    assert item["assignees"] == ["reviewer"]
    assert item["version"] == 2
    assert data["reviewers"] == [{"id": reviewer.pk, "username": "reviewer", "open": 1}]
    assert [label["key"] for label in data["labels"]] == ["1", "2", "3", "4"]
    assert data["user"]["can_edit"] is True


def test_reviewers_see_the_annotate_page_read_only(client, reviewer, claim):
    client.force_login(reviewer)
    response = client.get(detail(claim.article))
    data = page_data(response)
    assert data["user"]["can_edit"] is False
    assert data["user"]["can_comment"] is True
    assert 'id="selection-toolbar"' not in response.content.decode()


def test_label_colours_come_from_the_label_table(client, editor):
    Label.objects.filter(slug="claim").update(colour="#102030")
    client.force_login(editor)
    css = client.get(reverse("annotations:label-styles")).content.decode()
    assert ".hl-claim{--hl:#102030;" in css


def _annotate_queries(client, article: Article) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(detail(article)).status_code == 200
    return len(queries)


def _bulk_annotations(editor, reviewer, article: Article, count: int) -> None:
    """`count` more spans with assignments and verdicts, written in bulk for speed."""
    claim = Label.objects.get(slug="claim")
    rating = Rating.objects.get(slug="true")
    # One span per word: the same span and label twice is refused (a unique constraint).
    words = [m.span() for m in re.finditer(r"\w+", article.text)]
    already = Annotation.objects.filter(article=article).count()
    rows = []
    for n in range(already, already + count):
        start, end = words[n]
        rows.append(
            Annotation(
                article=article,
                label=claim,
                start=start,
                end=end,
                exact=article.text[start:end],
                created_by=editor,
                status=Annotation.Status.PROPOSED,
            )
        )
    created = Annotation.objects.bulk_create(rows)
    Assignment.objects.bulk_create(
        Assignment(annotation=a, reviewer=reviewer, assigned_by=editor, state="done")
        for a in created
    )
    Verdict.objects.bulk_create(
        Verdict(
            annotation=a, rating=rating, rationale="Belegt durch den Beschluss.", author=reviewer
        )
        for a in created
    )


def test_annotate_page_runs_the_same_queries_for_10_and_1000_annotations(client, editor, reviewer):
    article = make_article(editor, body=" ".join(f"Wort{n}" for n in range(1000)))
    client.force_login(editor)
    _bulk_annotations(editor, reviewer, article, 10)
    ten = _annotate_queries(client, article)
    _bulk_annotations(editor, reviewer, article, 990)
    assert Annotation.objects.filter(article=article).count() == 1000
    assert _annotate_queries(client, article) == ten
    assert ten < 20
