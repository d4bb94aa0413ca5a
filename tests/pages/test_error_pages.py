"""The error pages (400, 411, 413, 500) are pages of the app in the reader's language;
under /api/ the same errors stay JSON."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import path
from django.utils import translation

from annotations.models import Article
from factcheck.urls import handler400, handler404, handler500  # noqa: F401
from factcheck.urls import urlpatterns as project_urlpatterns

pytestmark = pytest.mark.django_db


# This module is also the URLconf of the 500 tests: the project's routes (and handlers,
# imported above) plus a view that fails.
def failing_view(request):
    raise RuntimeError("a bug")


urlpatterns = [
    path("failing/", failing_view),
    path("api/v1/failing/", failing_view),
    *project_urlpatterns,
]

# The English words of each page: none may be left in the German one.
ENGLISH = {
    400: [
        "Bad request",
        "The page could not make sense of what your browser sent.",
        "Go back, check what you entered and send it again.",
    ],
    411: [
        "Length required",
        "Your browser sent the form without saying how large it is",
        "Go back and send the form again",
    ],
    413: [
        "Too large",
        "What you sent is",
        "the server takes at most",
        "Go back and send a shorter text or a smaller file",
    ],
    500: [
        "Server error",
        "Something went wrong on our side.",
        "Go back and try again in a moment.",
        "Fact-check desk",
    ],
}


@pytest.fixture(autouse=True)
def _english_after_each_test():
    yield
    translation.deactivate()


def page_client(language: str, user=None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language, raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


def too_large_post(client: Client, url: str, limit: int):
    """A form POST whose declared body is one byte over the limit."""
    body = "title=" + "x" * limit
    return client.generic("POST", url, body, content_type="application/x-www-form-urlencoded")


def assert_page(response, status: int, language: str) -> str:
    assert response.status_code == status
    assert response["Content-Type"] == "text/html; charset=utf-8"
    html = response.content.decode()
    assert f'<html lang="{language}"' in html
    if language == "de":
        left = [words for words in ENGLISH[status] if words in html]
        assert left == []
    else:
        assert f"<h1>{ENGLISH[status][0]}</h1>" in html
    return html


# --- 413 and 411, refused before anything parses the body -----------------------------------


def test_an_oversized_form_gets_the_413_page_in_english(editor, settings):
    settings.FACTCHECK_MAX_REQUEST_BYTES = 1000
    response = too_large_post(page_client("en", editor), "/articles/import/", 1000)
    html = assert_page(response, 413, "en")
    assert "What you sent is 1006\xa0bytes; the server takes at most 1000\xa0bytes." in html
    assert Article.objects.count() == 0


def test_an_oversized_form_gets_the_413_page_in_german(editor, settings):
    settings.FACTCHECK_MAX_REQUEST_BYTES = 2_500_000
    response = too_large_post(page_client("de", editor), "/articles/import/", 2_500_000)
    html = assert_page(response, 413, "de")
    assert "<h1>Zu groß</h1>" in html
    # Sizes in German: a decimal comma.
    assert "Ihre Sendung ist 2,4\xa0MB groß; der Server nimmt höchstens 2,4\xa0MB an." in html


def test_an_oversized_api_request_stays_json_in_the_readers_language(editor, settings):
    settings.FACTCHECK_MAX_REQUEST_BYTES = 1_000_000
    client = page_client("de", editor)
    response = client.generic(
        "POST", "/api/v1/articles/", "x" * 1_000_001, content_type="application/json"
    )
    assert response.status_code == 413
    assert response.json() == {
        "detail": "Die Anfrage ist 1.000.001 Byte groß; erlaubt sind höchstens 1.000.000 Byte"
    }


@pytest.mark.parametrize("language", ["en", "de"])
def test_a_chunked_form_gets_the_411_page(editor, language):
    client = page_client(language, editor)
    response = client.post("/articles/import/", {"title": "x"}, HTTP_TRANSFER_ENCODING="chunked")
    html = assert_page(response, 411, language)
    if language == "de":
        assert "<h1>Längenangabe erforderlich</h1>" in html


# --- 400 -------------------------------------------------------------------------------------


def test_a_nul_in_a_page_query_gets_the_400_page_in_german_with_its_reason(editor):
    response = page_client("de", editor).get("/articles/", {"q": "Bahn\x00"})
    html = assert_page(response, 400, "de")
    assert "<h1>Ungültige Anfrage</h1>" in html
    assert "enthält ein NUL-Zeichen (U+0000)" in html


def test_a_nul_in_a_page_query_gets_the_400_page_in_english(editor):
    response = page_client("en", editor).get("/articles/", {"q": "Bahn\x00"})
    html = assert_page(response, 400, "en")
    assert "contains a NUL character (U+0000)" in html


@pytest.mark.parametrize("language", ["en", "de"])
def test_a_form_with_too_many_fields_gets_the_400_page(editor, settings, language):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    fields = {f"field{n}": "x" for n in range(10)}
    response = page_client(language, editor).post("/articles/import/", fields)
    assert_page(response, 400, language)


@pytest.mark.parametrize("language", ["en", "de"])
def test_a_form_over_djangos_memory_limit_gets_the_413_page(editor, settings, language):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    response = page_client(language, editor).post("/articles/import/", {"title": "x" * 200})
    html = assert_page(response, 413, language)
    expected = "Ihre Sendung ist größer" if language == "de" else "What you sent is larger"
    assert expected in html


# --- 500 -------------------------------------------------------------------------------------


@pytest.mark.urls(__name__)
@pytest.mark.parametrize("language", ["en", "de"])
def test_a_failing_page_gets_the_500_page_in_the_readers_language(editor, language):
    response = page_client(language, editor).get("/failing/")
    html = assert_page(response, 500, language)
    if language == "de":
        assert "<h1>Serverfehler</h1>" in html
        assert "Faktencheck-Desk" in html
    assert "a bug" not in html


@pytest.mark.urls(__name__)
def test_a_failing_page_gets_the_500_page_without_a_signed_in_user():
    response = page_client("de").get("/failing/")
    assert_page(response, 500, "de")


@pytest.mark.urls(__name__)
@pytest.mark.parametrize(
    ("language", "detail"),
    [
        ("en", "Internal error; it has been logged."),
        ("de", "Interner Fehler; er wurde protokolliert."),
    ],
)
def test_a_failing_api_path_stays_json(editor, language, detail):
    response = page_client(language, editor).get("/api/v1/failing/")
    assert response.status_code == 500
    assert response.json() == {"detail": detail}
