"""The refusals of services and the API speak the browser's language: German for a German
newsroom (Accept-Language: de), English for a request that asks for nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from annotations import services
from annotations.models import Annotation, Verdict
from tests.factories import api_token

pytestmark = pytest.mark.django_db

RATIONALE = "Der Haushaltsplan nennt exakt diese Summe auf Seite 12."
EVIDENCE_URL = "https://example.org/haushalt"


@pytest.fixture(autouse=True)
def _english_after_each_test():
    """LocaleMiddleware activates the request's language in this thread and leaves it
    active; later tests that call services directly expect the default, English."""
    yield
    translation.deactivate()


def api(user, language: str | None) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
    if language is not None:
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    return client


@pytest.fixture
def assigned(editor, reviewer, claim):
    services.annotation_assign(actor=editor, annotation_id=claim.pk, reviewer=reviewer)
    return claim


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("de", "Nur Redaktion und Chefredaktion können Artikel bearbeiten"),
        (None, "only editors and chiefs can edit articles"),
    ],
)
def test_a_reviewer_editing_an_article_is_refused_in_the_browsers_language(
    reviewer, article, language, message
):
    response = api(reviewer, language).patch(
        f"/api/v1/articles/{article.pk}/", {"title": "Neu"}, format="json"
    )
    assert response.status_code == 403
    assert response.json() == {"detail": message}
    article.refresh_from_db()
    assert article.title != "Neu"


@pytest.mark.parametrize(
    ("language", "message"),
    [
        (
            "de",
            "Die Annotation wurde von jemand anderem geändert (jetzt Version 2, Sie haben "
            "Version 1 bearbeitet); laden Sie neu, um die Änderung zu sehen",
        ),
        (
            None,
            "the annotation was changed by someone else (now version 2, you edited "
            "version 1); reload to see their change",
        ),
    ],
)
def test_a_stale_annotation_edit_is_refused_in_the_browsers_language(
    editor, claim, language, message
):
    services.annotation_update(
        actor=editor, annotation_id=claim.pk, changes={"note": "erste"}, expected_version=1
    )
    response = api(editor, language).patch(
        f"/api/v1/annotations/{claim.pk}/", {"note": "zweite"}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert response.status_code == 412
    assert response.json() == {"detail": message}
    claim.refresh_from_db()
    assert (claim.note, claim.version) == ("erste", 2)


@pytest.mark.parametrize(
    ("language", "message"),
    [
        (
            "de",
            "Der Artikel wurde inzwischen von jemand anderem geändert (jetzt Version 2, Sie "
            "haben Version 1 bearbeitet); laden Sie neu, um die Änderung zu sehen",
        ),
        (
            None,
            "the article was changed by someone else (now version 2, you edited version 1); "
            "reload to see their change",
        ),
    ],
)
def test_a_stale_article_text_edit_is_refused_in_the_browsers_language(
    editor, chief, article, language, message
):
    newer = "Vorab. " + article.text
    services.article_update(
        actor=chief, article_id=article.pk, fields={}, body=newer, expected_revision=1
    )
    response = api(editor, language).patch(
        f"/api/v1/articles/{article.pk}/",
        {"text": article.text + " Nachtrag."},
        format="json",
        HTTP_IF_MATCH='"1"',
    )
    assert response.status_code == 412
    assert response.json() == {"detail": message}
    article.refresh_from_db()
    assert (article.revision, article.text) == (2, newer)


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("de", "Die Begründung braucht mindestens 20 Zeichen (sie hat 8)"),
        (None, "the rationale needs at least 20 characters (it has 8)"),
    ],
)
def test_a_too_short_rationale_is_refused_in_the_browsers_language(
    reviewer, assigned, language, message
):
    response = api(reviewer, language).post(
        f"/api/v1/annotations/{assigned.pk}/verdicts/",
        {"rating": "false", "rationale": "Zu kurz.", "evidence": [{"url": EVIDENCE_URL}]},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"rationale": [message], "detail": message}
    assert not Verdict.objects.exists()


@pytest.mark.parametrize(
    ("language", "message"),
    [
        (
            "de",
            "Die Annotation hat den Status „Zurückgezogen“; nur offene oder zugewiesene "
            "können zugewiesen werden",
        ),
        (None, "the annotation is withdrawn; only open or assigned ones can be assigned"),
    ],
)
def test_a_conflict_names_the_status_as_the_desk_calls_it(
    editor, reviewer, claim, language, message
):
    """English keeps the API's status value; German shows the status label of the UI."""
    services.annotation_withdraw(actor=editor, annotation_id=claim.pk)
    response = api(editor, language).post(
        f"/api/v1/annotations/{claim.pk}/assign/", {"reviewer": reviewer.pk}, format="json"
    )
    assert response.status_code == 409
    assert response.json() == {"detail": message}
    claim.refresh_from_db()
    assert claim.status == Annotation.Status.WITHDRAWN


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("de", "Die Begründung braucht mindestens 20 Zeichen (sie hat 8)"),
        (None, "the rationale needs at least 20 characters (it has 8)"),
    ],
)
def test_the_review_page_shows_a_too_short_rationale_in_the_browsers_language(
    client, reviewer, assigned, language, message
):
    client.force_login(reviewer)
    headers = {"HTTP_ACCEPT_LANGUAGE": language} if language else {}
    response = client.post(
        reverse("annotations:review-propose", args=[assigned.pk]),
        {"rating": "false", "rationale": "Zu kurz.", "evidence_url": EVIDENCE_URL},
        **headers,
    )
    assert response.status_code == 400
    assert (
        f'<p class="error" id="id_rationale-error" role="alert">{message}</p>'
        in response.content.decode()
    )
    assert not Verdict.objects.exists()


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("de", "Ihr eigenes Urteil können Sie nicht freigeben"),
        (None, "you cannot approve your own verdict"),
    ],
)
def test_a_chief_approving_their_own_verdict_is_refused_in_the_browsers_language(
    client, editor, chief_reviewer, claim, language, message
):
    services.annotation_assign(actor=editor, annotation_id=claim.pk, reviewer=chief_reviewer)
    verdict = services.verdict_propose(
        actor=chief_reviewer,
        annotation_id=claim.pk,
        rating="false",
        rationale=RATIONALE,
        evidence=[services.EvidenceInput(url=EVIDENCE_URL)],
    )
    client.force_login(chief_reviewer)
    headers = {"HTTP_ACCEPT_LANGUAGE": language} if language else {}
    response = client.post(
        reverse("annotations:verdict-approve", args=[verdict.pk]), {"note": ""}, **headers
    )
    assert response.status_code == 403
    assert f'<div class="banner error page-error" role="alert"><p>{message}</p></div>' in (
        response.content.decode()
    )
    verdict.refresh_from_db()
    assert verdict.status == Verdict.Status.PROPOSED
