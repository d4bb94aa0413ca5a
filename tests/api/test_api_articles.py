"""Articles through the API: list, create, edit with re-anchoring, archive, publish,
import, and machine suggestions."""

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from annotations import services
from annotations.models import Annotation, Article, ArticleRevision, Event, Label, Suggestion
from tests.factories import api_token, make_annotation, make_article
from tests.pages.test_pages import claim_suggestion, scored_claim

pytestmark = pytest.mark.django_db

RATIONALE = "Der Haushaltsplan nennt exakt diese Summe auf Seite 12."


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
    return client


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()
    yield
    cache.clear()


ARTICLE_LIST_KEYS = {
    "id",
    "title",
    "language",
    "source_url",
    "outlet",
    "byline",
    "published_at",
    "revision",
    "status",
    "import_error",
    "created_by",
    "created_at",
    "updated_at",
}


# --- list -----------------------------------------------------------------------------------


def test_article_list_is_paginated_without_the_text(editor, article):
    body = api(editor).get("/api/v1/articles/").json()
    assert body["count"] == 1
    assert body["next"] is None
    assert body["previous"] is None
    assert set(body["results"][0]) == ARTICLE_LIST_KEYS
    assert body["results"][0]["created_by"] == "editor"


def test_article_list_pages_follow_page_size(editor):
    for n in range(3):
        make_article(editor, title=f"Artikel {n}")
    body = api(editor).get("/api/v1/articles/", {"page_size": 2}).json()
    assert body["count"] == 3
    assert len(body["results"]) == 2
    assert body["next"].endswith("/api/v1/articles/?page=2&page_size=2")


def test_archived_articles_are_listed_only_when_asked_for(editor, article):
    kept = make_article(editor, title="Bleibt")
    services.article_archive(actor=editor, article_id=article.pk)
    client = api(editor)
    assert [a["id"] for a in client.get("/api/v1/articles/").json()["results"]] == [kept.pk]
    archived = client.get("/api/v1/articles/", {"status": "archived"}).json()["results"]
    assert [a["id"] for a in archived] == [article.pk]


def test_article_list_filters_by_language(editor, article):
    english = make_article(
        editor, title="Rail", body="The council approved the rail budget.", language="en"
    )
    results = api(editor).get("/api/v1/articles/", {"language": "en"}).json()["results"]
    assert [a["id"] for a in results] == [english.pk]


def test_article_search_uses_the_articles_language(editor, article):
    make_article(editor, title="Rail", body="The council approved the rail budget.", language="en")
    # German stemming: "Pendlern" finds the article that says "Pendler".
    results = api(editor).get("/api/v1/articles/", {"q": "Pendlern"}).json()["results"]
    assert [a["id"] for a in results] == [article.pk]


def test_unknown_status_filter_answers_400(editor):
    response = api(editor).get("/api/v1/articles/", {"status": "lost"})
    assert response.status_code == 400
    assert response.json() == {
        "status": ["Select a valid choice. lost is not one of the available choices."]
    }


# --- create ---------------------------------------------------------------------------------


def test_editor_creates_article_with_normalised_text_detected_language_and_revision_one(editor):
    response = api(editor).post(
        "/api/v1/articles/",
        {"title": "Bahn", "text": "Die Bahn hat am Montag neue Züge bestellt.\r\nMehr folgt."},
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert body["text"] == "Die Bahn hat am Montag neue Züge bestellt.\nMehr folgt."
    assert body["language"] == "de"
    assert body["revision"] == 1
    assert body["annotations"] == []
    assert ArticleRevision.objects.filter(article_id=body["id"], number=1).exists()


def test_reviewer_cannot_create_articles(reviewer):
    response = api(reviewer).post("/api/v1/articles/", {"title": "T", "text": "x"}, format="json")
    assert response.status_code == 403
    assert response.json() == {"detail": "only editors and chiefs can create articles"}
    assert not Article.objects.exists()


def test_article_without_title_is_refused(editor):
    response = api(editor).post("/api/v1/articles/", {"text": "Etwas Text."}, format="json")
    assert response.status_code == 400
    assert response.json() == {"title": ["This field is required."]}


def test_article_with_unknown_field_is_refused(editor):
    response = api(editor).post(
        "/api/v1/articles/", {"title": "T", "text": "Text.", "autor": "X"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"autor": ["Unknown field; this endpoint does not accept it."]}
    assert not Article.objects.exists()


def test_article_with_empty_text_is_refused(editor):
    response = api(editor).post("/api/v1/articles/", {"title": "T", "text": " \n"}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "text": ["the article text is empty"],
        "detail": "the article text is empty",
    }


def test_article_over_the_character_limit_answers_413(editor, settings):
    settings.FACTCHECK_MAX_ARTICLE_CHARS = 100
    response = api(editor).post(
        "/api/v1/articles/", {"title": "T", "text": "x" * 101}, format="json"
    )
    assert response.status_code == 413
    assert response.json() == {"detail": "the article has 101 characters; the limit is 100"}
    assert not Article.objects.exists()


def test_article_source_url_must_be_http(editor):
    response = api(editor).post(
        "/api/v1/articles/",
        {"title": "T", "text": "Text.", "source_url": "javascript:alert(1)"},
        format="json",
    )
    assert response.status_code == 400
    assert "source_url" in response.json()
    assert not Article.objects.exists()


# --- detail ---------------------------------------------------------------------------------


def test_article_detail_carries_text_and_live_annotations_in_text_order(editor, article, claim):
    later = make_annotation(editor, article, "Source / Quelle: Via", label="source")
    gone = make_annotation(editor, article, "Kritiker meinen", label="opinion")
    services.annotation_withdraw(actor=editor, annotation_id=gone.pk)
    body = api(editor).get(f"/api/v1/articles/{article.pk}/").json()
    assert body["text"] == article.text
    assert [a["id"] for a in body["annotations"]] == [claim.pk, later.pk]


def _detail_queries(client, article_id):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/api/v1/articles/{article_id}/")
    assert response.status_code == 200
    return len(queries)


def test_article_detail_uses_the_same_number_of_queries_for_1_and_50_annotations(
    editor, reviewer, chief
):
    one = make_article(editor, title="Eins", body="Wort " * 60)
    many = make_article(editor, title="Viele", body="Wort " * 60)
    make_annotation(editor, one, "Wort")
    for n in range(50):
        annotation = services.annotation_create(
            actor=editor, article_id=many.pk, label="claim", start=n * 5, end=n * 5 + 4
        )
        if n % 5 == 0:
            services.annotation_assign(actor=editor, annotation_id=annotation.pk, reviewer=reviewer)
        if n % 10 == 0:
            services.verdict_propose(
                actor=reviewer,
                annotation_id=annotation.pk,
                rating="false",
                rationale=RATIONALE,
                evidence=[services.EvidenceInput(url="https://example.org/a")],
            )
    client = api(editor)
    assert _detail_queries(client, one.pk) == _detail_queries(client, many.pk)


# --- update ---------------------------------------------------------------------------------


def test_text_edit_stores_a_revision_and_reports_reanchoring(editor, article, claim):
    opinion = make_annotation(editor, article, "Kritiker meinen", label="opinion")
    new_text = "Eilmeldung: " + article.text.replace(
        "Kritiker meinen, das Geld könnte zu spät kommen. ", ""
    )
    response = api(editor).patch(
        f"/api/v1/articles/{article.pk}/", {"text": new_text}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["revision"] == 2
    assert body["text"] == new_text
    assert body["reanchored"] == {"anchored": 1, "fuzzy": 0, "orphaned": 1}
    moved = {a["id"]: a for a in body["annotations"]}
    assert moved[claim.pk]["start"] == new_text.index(claim.exact)
    assert moved[opinion.pk]["anchor_state"] == "orphaned"
    assert ArticleRevision.objects.filter(article=article).count() == 2


def test_text_edit_that_only_shifts_spans_keeps_them_anchored(editor, article, claim):
    response = api(editor).patch(
        f"/api/v1/articles/{article.pk}/", {"text": "Vorab. " + article.text}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["reanchored"] == {"anchored": 1, "fuzzy": 0, "orphaned": 0}
    annotation = response.json()["annotations"][0]
    assert annotation["start"] == claim.start + len("Vorab. ")
    assert annotation["exact"] == claim.exact


def test_metadata_edit_reports_no_reanchoring(editor, article):
    response = api(editor).patch(
        f"/api/v1/articles/{article.pk}/", {"title": "Neuer Titel", "outlet": "dpa"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["title"] == "Neuer Titel"
    assert response.json()["outlet"] == "dpa"
    assert response.json()["reanchored"] is None
    assert response.json()["revision"] == 1


def test_article_detail_carries_its_revision_as_etag(editor, article):
    response = api(editor).get(f"/api/v1/articles/{article.pk}/")
    assert response["ETag"] == '"1"'


def test_text_edit_with_the_current_etag_is_saved(editor, article):
    response = api(editor).patch(
        f"/api/v1/articles/{article.pk}/",
        {"text": "Vorab. " + article.text},
        format="json",
        HTTP_IF_MATCH='"1"',
    )
    assert response.status_code == 200
    assert response.json()["revision"] == 2
    assert response["ETag"] == '"2"'


def test_stale_text_edit_answers_412_and_keeps_the_newer_text(editor, chief, article, claim):
    """Two editors open the same version; the first saves; the second's save is refused."""
    first = "Vorab. " + article.text
    etag = api(chief).get(f"/api/v1/articles/{article.pk}/")["ETag"]
    version = int(etag.strip('"'))
    assert (
        api(chief)
        .patch(
            f"/api/v1/articles/{article.pk}/", {"text": first}, format="json", HTTP_IF_MATCH=etag
        )
        .status_code
        == 200
    )
    response = api(editor).patch(
        f"/api/v1/articles/{article.pk}/",
        {"text": article.text + " Nachtrag.", "title": "Anderer Titel"},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert response.status_code == 412
    assert response.json() == {
        "detail": f"the article was changed by someone else (now version {version + 1}, you "
        f"edited version {version}); reload to see their change"
    }
    article.refresh_from_db()
    assert (article.revision, article.text, article.title) == (2, first, "Schienenausbau")
    assert ArticleRevision.objects.filter(article=article).count() == 2
    assert not Event.objects.filter(article=article, verb="article.updated", actor=editor).exists()


def test_malformed_article_if_match_answers_412(editor, article):
    response = api(editor).patch(
        f"/api/v1/articles/{article.pk}/", {"title": "X"}, format="json", HTTP_IF_MATCH="W/1"
    )
    assert response.status_code == 412
    assert "is not this article's ETag" in response.json()["detail"]
    article.refresh_from_db()
    assert article.title != "X"


def test_reviewer_cannot_edit_articles(reviewer, article):
    response = api(reviewer).patch(f"/api/v1/articles/{article.pk}/", {"title": "X"}, format="json")
    assert response.status_code == 403
    assert response.json() == {"detail": "only editors and chiefs can edit articles"}


def test_article_edit_with_unknown_field_is_refused(editor, article):
    response = api(editor).patch(f"/api/v1/articles/{article.pk}/", {"revision": 9}, format="json")
    assert response.status_code == 400
    assert response.json() == {"revision": ["Unknown field; this endpoint does not accept it."]}


def test_archived_article_cannot_be_edited(editor, article):
    services.article_archive(actor=editor, article_id=article.pk)
    response = api(editor).patch(f"/api/v1/articles/{article.pk}/", {"title": "X"}, format="json")
    assert response.status_code == 409
    assert response.json() == {
        "detail": "the article is archived and read-only; a chief or editor can restore it"
    }


def test_text_edit_over_the_limit_answers_413(editor, article, settings):
    settings.FACTCHECK_MAX_ARTICLE_CHARS = 50
    response = api(editor).patch(
        f"/api/v1/articles/{article.pk}/", {"text": "y" * 51}, format="json"
    )
    assert response.status_code == 413
    assert response.json() == {"detail": "the article has 51 characters; the limit is 50"}


# --- archive and publish --------------------------------------------------------------------


def test_delete_archives_the_article_and_keeps_it(editor, article):
    response = api(editor).delete(f"/api/v1/articles/{article.pk}/")
    assert response.status_code == 204
    article.refresh_from_db()
    assert article.status == Article.Status.ARCHIVED
    assert Event.objects.filter(article=article, verb="article.archived").exists()


def test_archiving_twice_answers_409(editor, article):
    services.article_archive(actor=editor, article_id=article.pk)
    response = api(editor).delete(f"/api/v1/articles/{article.pk}/")
    assert response.status_code == 409
    assert response.json() == {"detail": "the article is already archived"}


def test_reviewer_cannot_archive(reviewer, article):
    response = api(reviewer).delete(f"/api/v1/articles/{article.pk}/")
    assert response.status_code == 403
    assert response.json() == {"detail": "only editors and chiefs can archive articles"}


def test_publishing_with_an_open_claim_answers_409(chief, article, claim):
    response = api(chief).post(f"/api/v1/articles/{article.pk}/publish/", {}, format="json")
    assert response.status_code == 409
    body = response.json()
    assert body["detail"] == (
        "1 claim(s) have no approved verdict; confirm with with_open_claims to publish anyway"
    )
    assert [(b["code"], b["annotation"]) for b in body["blockers"]] == [
        ("claim_without_verdict", claim.pk)
    ]
    assert (body["ready"], body["warnings"]) == (False, [])


def test_chief_publishes_with_open_claims_when_confirmed(chief, article, claim):
    response = api(chief).post(
        f"/api/v1/articles/{article.pk}/publish/", {"with_open_claims": True}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "published"


def test_editor_cannot_publish(editor, article):
    response = api(editor).post(f"/api/v1/articles/{article.pk}/publish/", {}, format="json")
    assert response.status_code == 403
    assert response.json() == {"detail": "only chiefs can publish"}


# --- import ---------------------------------------------------------------------------------


def _upload(client, name, payload, **extra):
    return client.post(
        "/api/v1/articles/import/",
        {"file": SimpleUploadedFile(name, payload), **extra},
        format="multipart",
    )


def test_text_file_import_creates_the_article_at_once(editor):
    response = _upload(api(editor), "bahn.txt", "Die Bahn bestellt neue Züge.\r\n".encode())
    assert response.status_code == 201
    body = response.json()
    assert body["title"] == "bahn"
    assert body["text"] == "Die Bahn bestellt neue Züge.\n"
    assert body["status"] == "draft"


def test_markdown_import_takes_its_title_from_the_first_line(editor):
    response = _upload(api(editor), "n.md", b"# Neue Zuege\n\nDie Bahn bestellt neue Zuege.\n")
    assert response.status_code == 201
    assert response.json()["title"] == "Neue Zuege"


def test_html_import_keeps_the_main_text_only(editor):
    html = (
        "<html><head><title>Bahn bestellt Züge</title><script>alert(1)</script></head>"
        "<body><nav>Menü Startseite</nav><article><p>Die Bahn hat am Montag 40 neue Züge "
        "bestellt. Sie sollen ab 2027 fahren.</p></article></body></html>"
    )
    response = _upload(api(editor), "bahn.html", html.encode())
    assert response.status_code == 201
    body = response.json()
    assert "Die Bahn hat am Montag 40 neue Züge bestellt." in body["text"]
    assert "alert" not in body["text"]


def test_non_utf8_upload_answers_400_and_writes_nothing(editor):
    response = _upload(api(editor), "alt.txt", "Grüße aus Köln".encode("latin-1"))
    assert response.status_code == 400
    assert response.json()["detail"] == (
        "the file is not UTF-8 (invalid byte at position 2); save it as UTF-8 and try again"
    )
    assert not Article.objects.exists()


def test_upload_of_an_unsupported_file_type_answers_400(editor):
    response = _upload(api(editor), "bahn.pdf", b"%PDF-1.4")
    assert response.status_code == 400
    assert response.json()["detail"] == "unsupported file type '.pdf': use .txt, .md or .html"


def test_import_needs_a_file_or_a_url_but_not_both(editor):
    client = api(editor)
    neither = client.post("/api/v1/articles/import/", {}, format="json")
    assert neither.status_code == 400
    assert neither.json() == {
        "non_field_errors": [
            "send either a file (multipart field `file`) or a `url`, not both or neither"
        ]
    }
    both = _upload(client, "a.txt", b"Text.", url="https://example.org/a")
    assert both.status_code == 400


def test_url_import_is_accepted_and_left_to_a_worker(editor):
    response = api(editor).post(
        "/api/v1/articles/import/", {"url": "https://example.org/artikel"}, format="json"
    )
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "importing"
    assert body["source_url"] == "https://example.org/artikel"


def test_url_import_refuses_other_schemes(editor):
    response = api(editor).post(
        "/api/v1/articles/import/", {"url": "file:///etc/passwd"}, format="json"
    )
    assert response.status_code == 400
    assert "url" in response.json()
    assert not Article.objects.exists()


def test_reviewer_cannot_import(reviewer):
    response = _upload(api(reviewer), "a.txt", b"Text.")
    assert response.status_code == 403
    assert response.json() == {"detail": "only editors and chiefs can import articles"}


def test_imports_are_throttled_with_429(editor):
    allowed, _period = ScopedRateThrottle().parse_rate(ScopedRateThrottle.THROTTLE_RATES["import"])
    client = api(editor)
    for _ in range(allowed):
        assert client.post("/api/v1/articles/import/", {}, format="json").status_code == 400
    response = _upload(client, "a.txt", b"Text.")
    assert response.status_code == 429
    assert response.json()["detail"].startswith("Request was throttled.")
    assert not Article.objects.exists()


# --- suggestions ----------------------------------------------------------------------------


@pytest.fixture
def suggestion(article):
    start = article.text.index("Kritiker meinen")
    return Suggestion.objects.create(
        article=article,
        revision=article.revision,
        start=start,
        end=start + len("Kritiker meinen, das Geld könnte zu spät kommen."),
        exact="Kritiker meinen, das Geld könnte zu spät kommen.",
        label=Label.objects.get(slug="speculation"),
        cue="könnte",
        score=0.7,
        flags=[],
    )


def test_suggestions_are_listed_in_their_shape(editor, article, suggestion):
    body = api(editor).get(f"/api/v1/articles/{article.pk}/suggestions/").json()
    assert body["count"] == 1
    assert body["results"][0] == {
        "id": suggestion.pk,
        "start": suggestion.start,
        "end": suggestion.end,
        "exact": suggestion.exact,
        "label": "speculation",
        "cue": "könnte",
        "reasons": [],
        "score": 0.7,
        "flags": [],
        "status": "pending",
        "claimant": None,
    }


def test_accepting_a_suggestion_answers_200_with_the_new_annotation(editor, article, suggestion):
    response = api(editor).post(
        f"/api/v1/articles/{article.pk}/suggestions/{suggestion.pk}/accept/", {}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["label"] == "speculation"
    assert body["exact"] == suggestion.exact
    assert body["created_by"] == "editor"
    suggestion.refresh_from_db()
    assert suggestion.status == "accepted"
    assert suggestion.annotation_id == body["id"]


def test_accepting_twice_answers_409(editor, article, suggestion):
    client = api(editor)
    url = f"/api/v1/articles/{article.pk}/suggestions/{suggestion.pk}/accept/"
    client.post(url, {}, format="json")
    response = client.post(url, {}, format="json")
    assert response.status_code == 409
    assert response.json() == {"detail": "the suggestion is accepted"}


def test_dismissing_a_suggestion_answers_200_and_hides_it(editor, article, suggestion):
    client = api(editor)
    response = client.post(
        f"/api/v1/articles/{article.pk}/suggestions/{suggestion.pk}/dismiss/", {}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "dismissed"
    assert client.get(f"/api/v1/articles/{article.pk}/suggestions/").json()["count"] == 0
    dismissed = client.get(
        f"/api/v1/articles/{article.pk}/suggestions/", {"status": "dismissed"}
    ).json()
    assert dismissed["count"] == 1


def test_reviewer_cannot_accept_suggestions(reviewer, article, suggestion):
    response = api(reviewer).post(
        f"/api/v1/articles/{article.pk}/suggestions/{suggestion.pk}/accept/", {}, format="json"
    )
    assert response.status_code == 403
    assert response.json() == {"detail": "only editors and chiefs can accept suggestions"}
    assert not Annotation.objects.exists()


def test_suggestion_of_another_article_answers_404(editor, suggestion):
    other = make_article(editor, title="Anderes")
    response = api(editor).post(
        f"/api/v1/articles/{other.pk}/suggestions/{suggestion.pk}/dismiss/", {}, format="json"
    )
    assert response.status_code == 404


def test_url_import_takes_no_title_or_language(editor):
    response = api(editor).post(
        "/api/v1/articles/import/",
        {"url": "https://example.org/artikel", "title": "Eigener Titel"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["title and language go with a file, not a url"]}
    assert not Article.objects.exists()


def test_file_import_takes_a_title_and_language(editor):
    response = _upload(
        api(editor), "n.txt", b"The council met on Monday.", title="Rat", language="en"
    )
    assert response.status_code == 201
    assert (response.json()["title"], response.json()["language"]) == ("Rat", "en")


# --- ordering by check-worthiness (issue 7) --------------------------------------------------


def titles(body: dict) -> list[str]:
    return [item["title"] for item in body["results"]]


def test_article_list_orders_by_check_worthiness_on_request(editor):
    claimed = make_article(editor, title="Behauptung")
    scored_claim(editor, claimed, "4,2 Milliarden Euro", 0.9)
    suggested = make_article(editor, title="Vorschlag")
    claim_suggestion(suggested, 0.6)
    make_article(editor, title="Ohne")
    assert titles(api(editor).get("/api/v1/articles/").json()) == [
        "Ohne",
        "Vorschlag",
        "Behauptung",
    ]
    response = api(editor).get("/api/v1/articles/", {"ordering": "-checkworthiness"})
    assert response.status_code == 200
    assert titles(response.json()) == ["Behauptung", "Vorschlag", "Ohne"]


def test_only_live_claims_and_pending_claim_suggestions_count_towards_check_worthiness(editor):
    steady = make_article(editor, title="Eine echte Behauptung")
    scored_claim(editor, steady, "4,2 Milliarden Euro", 0.5)
    noisy = make_article(editor, title="Nur Verworfenes")
    withdrawn = scored_claim(editor, noisy, "4,2 Milliarden Euro", 0.95)
    services.annotation_withdraw(actor=editor, annotation_id=withdrawn.pk)
    claim_suggestion(noisy, 0.99, status="dismissed")
    claim_suggestion(noisy, 0.9, label="speculation")
    scored_claim(editor, noisy, "Die Bundesregierung", 0.2)
    response = api(editor).get("/api/v1/articles/", {"ordering": "-checkworthiness"})
    assert titles(response.json()) == ["Eine echte Behauptung", "Nur Verworfenes"]


def test_unknown_article_ordering_answers_400(editor):
    response = api(editor).get("/api/v1/articles/", {"ordering": "title"})
    assert response.status_code == 400
    assert response.json() == {
        "ordering": ["Select a valid choice. title is not one of the available choices."]
    }


def test_ordered_article_list_uses_the_same_number_of_queries_for_1_and_50_articles(editor):
    def queries(articles: int) -> int:
        for n in range(articles):
            article = make_article(editor, title=f"Artikel {n}")
            scored_claim(editor, article, "4,2 Milliarden Euro", n / 100)
            claim_suggestion(article, n / 50)
        client = api(editor)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(
                "/api/v1/articles/", {"ordering": "-checkworthiness", "page_size": 100}
            )
        assert response.status_code == 200
        return len(captured)

    one = queries(1)
    assert one == queries(49)


def test_pending_suggestions_of_an_older_text_are_not_listed_after_a_text_edit(
    editor, article, suggestion
):
    # The analysis of the new text runs on commit (not in this test): until it has replaced
    # them, the old revision's suggestions must not be drawn on the new text.
    services.article_update(
        actor=editor, article_id=article.pk, fields={}, body="Ganz neuer Text.\n" + article.text
    )
    body = api(editor).get(f"/api/v1/articles/{article.pk}/suggestions/").json()
    assert body["count"] == 0
    assert Suggestion.objects.get(pk=suggestion.pk).status == "pending"
