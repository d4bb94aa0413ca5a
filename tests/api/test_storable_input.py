"""Nested JSON, lone surrogates and NUL characters get a 400 that says where, never a 500.

PostgreSQL text cannot hold NUL and psycopg cannot encode a lone surrogate; Python's JSON
decoder raises RecursionError on deep nesting. Every API endpoint that takes a body, every
HTML form, every query string and every upload is tried here.
"""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, reverse
from django.utils.html import escape
from rest_framework.test import APIClient

from annotations import services
from annotations.api import urls as api_urls
from annotations.models import (
    Article,
    Assignment,
    Evidence,
    Label,
    Suggestion,
    WebhookDelivery,
)
from annotations.storable import MAX_JSON_DEPTH
from factcheck import urls as project_urls
from tests.conftest import login
from tests.factories import UserFactory, make_annotation, make_article

SURROGATE = "\ud800"
NUL = "\x00"
NUL_MESSAGE = (
    "the field 'reviewer' contains a NUL character (U+0000), which cannot be stored; "
    "remove it and try again"
)
SURROGATE_MESSAGE = (
    "the field 'reviewer' contains a lone surrogate (U+D800), which is not valid Unicode "
    "text; remove it and try again"
)
UPLOAD_MESSAGE = (
    "the file contains a NUL character (U+0000) at position 6, so it is not a text file; "
    "save it as UTF-8 text and try again"
)


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def post_json(client, url: str, body: str, method: str = "post"):
    return getattr(client, method)(url, body, content_type="application/json")


@pytest.fixture
def desk(db, reviewer):
    """A user in every newsroom role, with one real object of each kind to aim at."""
    user = UserFactory(username="desk", roles=["editor", "reviewer", "chief"])
    article = make_article(user)
    claim = make_annotation(user, article, "4,2 Milliarden Euro für den Ausbau der Schiene")
    source = make_annotation(user, article, "Source / Quelle: Via", label="source")
    services.annotation_assign(actor=user, annotation_id=claim.pk, reviewer=reviewer)
    services.annotation_assign(actor=user, annotation_id=source.pk, reviewer=user)
    verdict = services.verdict_propose(
        actor=reviewer,
        annotation_id=claim.pk,
        rating="false",
        rationale="Der Haushaltsplan nennt eine andere Summe auf Seite 12.",
        evidence=[services.EvidenceInput(url="https://example.org/haushalt")],
    )
    suggestion = Suggestion.objects.create(
        article=article,
        revision=1,
        start=0,
        end=6,
        exact="Berlin",
        label=Label.objects.get(slug="opinion"),
        cue="test",
        score=0.5,
    )
    webhook = services.webhook_create(
        actor=user, url="https://cms.example.org/hooks", event_types=["verdict.approved"]
    )
    ids = {
        "articles": article.pk,
        "annotations": claim.pk,
        "verdicts": verdict.pk,
        "evidence": Evidence.objects.values_list("pk", flat=True).first(),
        "sid": suggestion.pk,
        "claimants": services.claimant_create(actor=user, name="Olaf Scholz", kind="person").pk,
        "webhooks": webhook.pk,
        "table": "ratings",
        "delivery_id": WebhookDelivery.objects.create(
            subscription=webhook, event_type="annotation.created", message_id="msg_1"
        ).pk,
    }
    return {"user": user, "ids": ids, "claim": claim}


def _url(prefix: str, pattern: URLPattern, ids: dict) -> str:
    kind = str(pattern.pattern).split("/")[0]
    kwargs = {name: ids[name] if name in ids else ids[kind] for name in pattern.pattern.converters}
    return reverse(f"{prefix}:{pattern.name}", kwargs=kwargs)


# --- the three reported cases ---------------------------------------------------------------


def test_deeply_nested_json_is_refused_with_400(editor):
    response = post_json(api(editor), "/api/v1/articles/", "[" * 100_000)

    assert response.status_code == 400
    assert response.json() == {"detail": "the JSON body is nested more than 64 levels deep"}
    assert Article.objects.count() == 0


def test_json_nested_one_level_past_the_limit_is_refused_and_at_the_limit_is_read(editor):
    at_limit = "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH
    past_limit = '{"title": ' + "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH + "}"

    read = post_json(api(editor), "/api/v1/articles/", at_limit)
    refused = post_json(api(editor), "/api/v1/articles/", past_limit)

    # Read, and refused by the serializer for what it is: not an article.
    assert read.status_code == 400
    assert "nested" not in read.content.decode()
    assert refused.status_code == 400
    assert refused.json() == {"detail": "the JSON body is nested more than 64 levels deep"}


def test_lone_surrogate_in_assign_reviewer_is_refused_with_400(editor, reviewer, claim):
    url = f"/api/v1/annotations/{claim.pk}/assign/"
    body = json.dumps({"reviewer": SURROGATE})  # {"reviewer": "\ud800"}, as JSON.stringify

    by_api = post_json(api(editor), url, body)
    # The annotate page's assign form: the session, its CSRF token, the body its script sends.
    page = Client(enforce_csrf_checks=True)
    page.force_login(editor)
    page.get(f"/articles/{claim.article_id}/")
    by_form = page.post(
        url,
        body,
        content_type="application/json",
        headers={"X-CSRFToken": page.cookies["csrftoken"].value, "Accept": "application/json"},
    )

    refusal = {"reviewer": [SURROGATE_MESSAGE], "detail": SURROGATE_MESSAGE}
    assert (by_api.status_code, by_api.json()) == (400, refusal)
    assert (by_form.status_code, by_form.json()) == (400, refusal)
    assert not Assignment.objects.filter(annotation=claim).exists()


def test_german_users_read_the_refusal_in_german(editor, claim):
    response = api(editor).post(
        f"/api/v1/annotations/{claim.pk}/assign/",
        json.dumps({"reviewer": "a" + NUL}),
        content_type="application/json",
        headers={"Accept-Language": "de"},
    )

    message = (
        "Das Feld „reviewer“ enthält ein NUL-Zeichen (U+0000), das nicht gespeichert werden "
        "kann; entfernen Sie es und versuchen Sie es erneut"
    )
    assert response.status_code == 400
    assert response.json() == {"reviewer": [message], "detail": message}


def test_nul_byte_in_uploaded_file_is_refused_with_400(editor):
    payload = "Berlin\x00 – Die Bundesregierung hat am Mittwoch Geld freigegeben.\n".encode()

    by_api = api(editor).post(
        "/api/v1/articles/import/",
        {"file": SimpleUploadedFile("meldung.txt", payload, content_type="text/plain")},
        format="multipart",
    )
    page = Client()
    page.force_login(editor)
    by_form = page.post(
        "/articles/import/",
        {
            "mode": "upload",
            "upload-file": SimpleUploadedFile("meldung.md", payload, content_type="text/plain"),
        },
    )

    assert by_api.status_code == 400
    assert by_api.json() == {"file": [UPLOAD_MESSAGE], "detail": UPLOAD_MESSAGE}
    assert by_form.status_code == 400
    assert UPLOAD_MESSAGE in by_form.content.decode()
    assert Article.objects.count() == 0


def test_an_html_upload_with_a_nul_byte_is_refused_like_text(editor):
    payload = b"<html><body><p>Berlin\x00 ist die Hauptstadt.</p></body></html>"

    response = api(editor).post(
        "/api/v1/articles/import/",
        {"file": SimpleUploadedFile("seite.html", payload, content_type="text/html")},
        format="multipart",
    )

    assert response.status_code == 400
    assert response.json()["detail"].startswith(
        "the file contains a NUL character (U+0000) at position 21,"
    )
    assert Article.objects.count() == 0


def test_a_nul_in_an_uploaded_file_name_is_refused():
    with pytest.raises(services.Invalid) as caught:
        services.decode_upload(filename="meld\x00ung.txt", payload=b"Ein Satz.\n")

    assert caught.value.field == "file"
    assert caught.value.message == (
        "the file name contains a NUL character (U+0000), which cannot be stored; "
        "remove it and try again"
    )


# --- the sweeps -----------------------------------------------------------------------------

API_WRITES = [
    (pattern, method)
    for pattern in api_urls.urlpatterns
    if isinstance(pattern, URLPattern) and pattern.name not in ("schema", "docs", "not-found")
    for method in ("post", "put", "patch")
    if hasattr(getattr(pattern.callback, "cls", None), method)
]


def test_the_api_sweep_covers_the_endpoints_of_the_contract():
    names = {f"{pattern.name} {method}" for pattern, method in API_WRITES}
    assert {
        "auth-token post",
        "article-list post",
        "article-import post",
        "article-detail patch",
        "annotation-assign post",
        "annotation-detail patch",
        "annotation-verdicts post",
        "annotation-evidence post",
        "verdict-approve post",
    } <= names


@pytest.mark.parametrize(
    ("pattern", "method"), API_WRITES, ids=[f"{p.name}-{m}" for p, m in API_WRITES]
)
@pytest.mark.parametrize(("bad", "message"), [(NUL, NUL_MESSAGE), (SURROGATE, SURROGATE_MESSAGE)])
def test_every_api_write_refuses_nul_and_lone_surrogates_with_400(
    desk, pattern, method, bad, message
):
    url = _url("api", pattern, desk["ids"])
    body = json.dumps({"reviewer": "reviewer" + bad})

    response = post_json(api(desk["user"]), url, body, method)

    assert response.status_code == 400, response.content
    assert response.json() == {"reviewer": [message], "detail": message}


@pytest.mark.parametrize(
    ("pattern", "method"), API_WRITES, ids=[f"{p.name}-{m}" for p, m in API_WRITES]
)
def test_every_api_write_refuses_deeply_nested_json_with_400(desk, pattern, method):
    url = _url("api", pattern, desk["ids"])

    response = post_json(api(desk["user"]), url, '{"a": ' + "[" * 5000, method)

    assert response.status_code == 400, response.content
    assert response.json() == {"detail": "the JSON body is nested more than 64 levels deep"}


def test_form_and_multipart_bodies_of_the_api_are_checked_too(db, editor):
    form = APIClient().post(
        "/api/v1/auth/token/",
        "username=editor&password=pw%00",
        content_type="application/x-www-form-urlencoded",
    )
    multipart = api(editor).post(
        "/api/v1/articles/import/",
        {"title": "Titel\x00", "file": SimpleUploadedFile("a.txt", b"Ein Satz.\n")},
        format="multipart",
    )

    message = (
        "the field 'password' contains a NUL character (U+0000), which cannot be stored; "
        "remove it and try again"
    )
    assert (form.status_code, form.json()) == (400, {"password": [message], "detail": message})
    assert multipart.status_code == 400
    assert multipart.json()["detail"].startswith("the field 'title' contains a NUL character")
    assert Article.objects.count() == 0


HTML_FORMS = [
    pattern
    for pattern in project_urls.urlpatterns[-1].url_patterns
    if isinstance(pattern, URLPattern)
    and pattern.name not in ("label-styles", "rating-styles", "javascript-catalog")
]


@pytest.mark.parametrize("pattern", HTML_FORMS, ids=[p.name for p in HTML_FORMS])
def test_every_html_form_refuses_a_nul_with_400(desk, pattern):
    page = Client()
    page.force_login(desk["user"])
    url = _url("annotations", pattern, desk["ids"])

    response = page.post(url, {"reviewer": "reviewer" + NUL, "mode": "paste"})

    assert response.status_code == 400
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert escape(NUL_MESSAGE) in response.content.decode()


@pytest.mark.parametrize(
    "url", ["/login/", "/logout/", "/i18n/setlang/", "/admin/annotations/article/add/"]
)
def test_the_login_language_and_admin_forms_refuse_a_nul_with_400(desk, url):
    page = Client()
    page.force_login(desk["user"])

    response = page.post(url, {"reviewer": "reviewer" + NUL})

    assert response.status_code == 400
    assert escape(NUL_MESSAGE) in response.content.decode()


@pytest.mark.parametrize("pattern", HTML_FORMS, ids=[p.name for p in HTML_FORMS])
def test_every_html_form_survives_the_bytes_of_a_lone_surrogate(desk, pattern):
    # A form cannot carry a lone surrogate: its UTF-8 bytes are invalid and Django decodes
    # them as U+FFFD. What matters is that nothing answers 500.
    page = Client()
    page.force_login(desk["user"])
    url = _url("annotations", pattern, desk["ids"])

    response = page.post(
        url, "reviewer=%ED%A0%80&note=%ED%A0%80", content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code < 500


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/articles/",
        "/api/v1/annotations/",
        "/api/v1/queue/",
        "/api/v1/export/annotations/",
        "/articles/",
        "/queue/",
        "/approvals/",
        "/admin/annotations/article/",
    ],
)
def test_a_nul_in_a_query_string_is_refused_with_400(desk, url):
    page = Client()
    page.force_login(desk["user"])

    response = page.get(url, {"q": "Bahn" + NUL})

    assert response.status_code == 400
    message = (
        "the query parameter 'q' contains a NUL character (U+0000), which cannot be stored; "
        "remove it and try again"
    )
    if url.startswith("/api/"):
        assert response.json() == {"q": [message], "detail": message}
    else:
        assert escape(message) in response.content.decode()


# --- in the browser -------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_assign_form_shows_the_refusal_of_a_lone_surrogate(page, editor, reviewer):
    article = make_article(editor)
    claim = make_annotation(editor, article, "Die Bundesregierung")
    login(page, "editor")
    page.goto(f"/articles/{article.pk}/")
    page.click(f"#annotation-list button[data-id='{claim.pk}']")
    page.wait_for_selector("#assign-reviewer option[value=reviewer]", state="attached")
    # A tampered page: an option whose value is a lone surrogate (JS strings can hold one).
    page.evaluate(
        """() => {
            const select = document.getElementById("assign-reviewer");
            select.add(new Option("tampered", String.fromCharCode(0xd800)));
            select.selectedIndex = select.options.length - 1;
        }"""
    )

    page.click("#assign-form button[type=submit]")

    page.wait_for_selector("#assign-status.error")
    assert page.locator("#assign-status").inner_text() == SURROGATE_MESSAGE
    assert not Assignment.objects.filter(annotation=claim).exists()
