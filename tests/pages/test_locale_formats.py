"""Numbers and dates on the pages follow the reader's language: "1.200 Zeichen" and
"10. Dezember 2026" for a German desk, "1,200 characters" and "Dec. 10, 2026" in English;
days are the desk's (Europe/Berlin). A finished assignment reads "done", not "due in"."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from annotations import services
from tests.factories import make_annotation, make_article

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
RATIONALE = "Der Haushaltsplan nennt exakt diese Summe auf Seite 12."
# The end of 10 December at the desk: already 11 December in Tokyo, still the
# 10th in Berlin, and that is the day every page shows.
DUE = datetime(2026, 12, 10, 23, 59, 59, tzinfo=BERLIN)


@pytest.fixture(autouse=True)
def _english_after_each_test():
    yield
    translation.deactivate()


def reader(user, language: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def paste(client: Client, length: int):
    return client.post(
        reverse("annotations:article-import"),
        {
            "mode": "paste",
            "paste-title": "Lang",
            "paste-text": "x" * length,
            "paste-language": "de",
        },
    )


def test_a_too_long_text_is_counted_the_german_way_for_a_german_editor(editor, settings):
    settings.FACTCHECK_MAX_ARTICLE_CHARS = 1_000
    html = paste(reader(editor, "de"), 1_200).content.decode()
    assert "Der Text hat 1.200 Zeichen; erlaubt sind höchstens 1.000." in html
    assert "1,200" not in html


def test_a_too_long_text_is_counted_the_english_way_for_an_english_editor(editor, settings):
    settings.FACTCHECK_MAX_ARTICLE_CHARS = 1_000
    html = paste(reader(editor, "en"), 1_200).content.decode()
    assert "The text has 1,200 characters; the limit is 1,000." in html


@pytest.fixture
def assigned(editor, reviewer):
    article = make_article(editor)
    claim = make_annotation(editor, article, "Die Bundesregierung")
    services.annotation_assign(actor=editor, annotation_id=claim.pk, reviewer=reviewer, due_at=DUE)
    return claim


def review_html(user, claim, language: str) -> str:
    url = reverse("annotations:annotation-review", args=[claim.pk])
    response = reader(user, language).get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_the_review_page_shows_the_assignments_due_day_in_german(reviewer, assigned):
    html = review_html(reviewer, assigned, "de")
    assert '<time datetime="2026-12-10T23:59:59+01:00">10. Dezember 2026</time>' in html
    assert "2026-12-10<" not in html
    # The history's sentence names the day the German way too.
    assert "fällig 10. Dezember 2026" in html


def test_the_review_page_shows_the_assignments_due_day_in_english(reviewer, assigned):
    html = review_html(reviewer, assigned, "en")
    assert '<time datetime="2026-12-10T23:59:59+01:00">Dec. 10, 2026</time>' in html
    assert "due Dec. 10, 2026" in html


def test_a_proposed_verdict_turns_due_in_into_done(reviewer, assigned):
    services.verdict_propose(
        actor=reviewer,
        annotation_id=assigned.pk,
        rating="false",
        rationale=RATIONALE,
        evidence=[services.EvidenceInput(url="https://example.org/haushalt")],
    )
    english = review_html(reviewer, assigned, "en")
    assert "(done)" in english
    assert "due in" not in english
    german = review_html(reviewer, assigned, "de")
    assert "(erledigt)" in german
    assert "fällig in" not in german


def test_the_report_names_the_desk_in_german_for_a_german_reader(chief, reviewer, assigned):
    verdict = services.verdict_propose(
        actor=reviewer,
        annotation_id=assigned.pk,
        rating="false",
        rationale=RATIONALE,
        evidence=[services.EvidenceInput(url="https://example.org/haushalt")],
    )
    services.verdict_approve(actor=chief, verdict_id=verdict.pk)
    url = reverse("annotations:article-report", args=[assigned.article_id])
    german = reader(chief, "de").get(url).content.decode()
    assert "Geprüft von Faktencheck-Desk, " in german
    assert "Fact-check desk" not in german
    english = reader(chief, "en").get(url).content.decode()
    assert "Checked by Fact-check desk, " in english
