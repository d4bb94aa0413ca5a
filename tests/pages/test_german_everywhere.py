"""Every page, check state, flag, history entry and email of a desk's day, read in German,
holds none of the catalogue's English source strings.

The English strings are the msgids of `locale/de/LC_MESSAGES/django.po` whose German
differs, cut at their placeholders into runs of three or more words: such a run in a
German page is an untranslated message (a missing `{% translate %}`, a string built in
code, a stored English text)."""

from __future__ import annotations

import html
import re
from pathlib import Path

import polib
import pytest
from django.core import mail
from django.urls import reverse

from annotations import notifications, services
from annotations.models import Article, Assignment, SourceCheck, Verdict
from annotations.services.preferences import user_language_set
from tests.factories import EvidenceFactory, SourceCheckFactory, make_annotation, make_article

CATALOGUE = Path(__file__).resolve().parents[2] / "locale" / "de" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%\([^)]*\)[sdif]|%[sdif]|\{[^}]*\}")
WORDS = 3


def english_runs() -> set[str]:
    """Runs of three or more words of each English msgid that German translates
    differently."""
    runs: set[str] = set()
    for entry in polib.pofile(str(CATALOGUE)):
        sources = [entry.msgid, entry.msgid_plural] if entry.msgid_plural else [entry.msgid]
        german = entry.msgstr or " ".join(entry.msgstr_plural.values())
        for source in sources:
            for piece in PLACEHOLDER.split(source):
                piece = " ".join(piece.split()).strip(" .,:;–-()“”\"'")
                if len(piece.split()) >= WORDS and piece not in german:
                    runs.add(piece)
    return runs


ENGLISH = english_runs()
TAG = re.compile(r"<(script|style)\b.*?</\1>|<[^>]+>", re.S | re.I)
ATTRIBUTE = re.compile(r'\b(?:title|aria-label|placeholder|alt|data-confirm)="([^"]*)"')


def readable(markup: str) -> str:
    """What a person reads or hears of a page: its text and its labelling attributes."""
    attributes = " ".join(ATTRIBUTE.findall(markup))
    text = TAG.sub(" ", markup)
    return " ".join(html.unescape(f"{text} {attributes}").split())


# An internal code shown as is (`no_source_named`, `quote_not_found`): snake_case words.
CODE = re.compile(r"(?<![\w/.:-])[a-z]+(?:_[a-z]+)+(?![\w/.-])")


def english_in(text: str) -> list[str]:
    """The catalogue's English runs in `text`, and any internal code shown as is."""
    return sorted({run for run in ENGLISH if run in text} | set(CODE.findall(text)))


def test_the_catalogue_gives_enough_english_to_look_for():
    # The check below is only as good as this list.
    assert len(ENGLISH) > 200
    assert "only editors and chiefs can annotate" in ENGLISH


@pytest.fixture
def desk_day(editor, reviewer, chief, settings):
    """An article a desk has worked on: spans of every label, an assignment, evidence
    with a failed and a flagged check, a proposed and an approved verdict, a comment."""
    settings.LANGUAGE_CODE = "en"
    article = make_article(
        editor,
        body=(
            "Berlin – Die Bundesregierung hat 4,2 Milliarden Euro für die Schiene "
            "freigegeben. Das ist viel zu wenig, sagen Kritiker. Vermutlich folgt im "
            "Herbst mehr. Wie aus Kreisen zu hören war, prüft OpenAI ein Angebot.\n"
            "Source / Quelle: Via"
        ),
    )
    claim = make_annotation(editor, article, "4,2 Milliarden Euro für die Schiene")
    make_annotation(editor, article, "Das ist viel zu wenig", label="opinion")
    make_annotation(editor, article, "Vermutlich folgt im Herbst mehr", label="speculation")
    source = make_annotation(editor, article, "Source / Quelle: Via", label="source")
    second = make_annotation(editor, article, "prüft OpenAI ein Angebot")
    for annotation in (claim, second):
        services.annotation_assign(actor=editor, annotation_id=annotation.pk, reviewer=reviewer)
    services.comment_add(actor=reviewer, annotation_id=claim.pk, body="Seite 12 prüfen.")
    evidence = services.evidence_add(
        actor=reviewer, annotation_id=claim.pk, url="https://example.org/haushalt"
    )
    SourceCheck.objects.filter(evidence=evidence).update(status=SourceCheck.Status.BLOCKED)
    flagged = EvidenceFactory(annotation=claim, added_by=reviewer, url="https://example.org/a")
    SourceCheckFactory(
        annotation=claim,
        evidence=flagged,
        status=SourceCheck.Status.DONE,
        quote_found=False,
    )
    verdict = services.verdict_propose(
        actor=reviewer,
        annotation_id=claim.pk,
        rating="mostly-false",
        rationale="Der Haushaltsplan nennt **exakt** diese Summe auf Seite 12.",
    )
    services.verdict_approve(actor=chief, verdict_id=verdict.pk, note="Passt.")
    services.evidence_add(actor=reviewer, annotation_id=second.pk, url="https://example.org/openai")
    services.verdict_propose(
        actor=reviewer,
        annotation_id=second.pk,
        rating="unproven",
        rationale="Nur eine anonyme Quelle, keine Bestätigung von OpenAI.",
    )
    return article, claim, second, source


def pages(article: Article, claim, second, source) -> dict[str, list[str]]:
    """Each role's pages of the desk's day."""
    return {
        "editor": [
            reverse("annotations:article-list"),
            reverse("annotations:article-detail", args=[article.pk]),
            reverse("annotations:article-import"),
            reverse("annotations:article-report", args=[article.pk]),
            reverse("annotations:annotation-review", args=[claim.pk]),
            reverse("annotations:annotation-review", args=[source.pk]),
        ],
        "reviewer": [
            reverse("annotations:queue"),
            reverse("annotations:annotation-review", args=[claim.pk]),
            reverse("annotations:annotation-review", args=[second.pk]),
        ],
        "chief": [
            reverse("annotations:approvals"),
            reverse("annotations:article-detail", args=[article.pk]),
            reverse("annotations:annotation-review", args=[second.pk]),
            reverse("annotations:article-report", args=[article.pk]),
        ],
    }


def test_every_page_of_a_desks_day_is_german_for_every_role(client, desk_day, django_user_model):
    found: dict[str, list[str]] = {}
    for username, urls in pages(*desk_day).items():
        client.force_login(django_user_model.objects.get(username=username))
        for url in urls:
            response = client.get(url, HTTP_ACCEPT_LANGUAGE="de", secure=True)
            assert response.status_code == 200, url
            text = readable(response.content.decode())
            assert "Faktencheck" in text or "Prüf" in text, url  # German, not an empty page
            if leftovers := english_in(text):
                found[f"{username} {url}"] = leftovers
    assert found == {}


def test_the_same_pages_in_english_hold_the_english_strings(client, desk_day, editor):
    # The check can fail: the English page holds runs of the catalogue.
    article = desk_day[0]
    client.force_login(editor)
    url = reverse("annotations:article-detail", args=[article.pk])
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en", secure=True)
    assert english_in(readable(response.content.decode()))


def test_error_pages_are_german(client, editor, outsider):
    client.force_login(outsider)
    refused = client.get(reverse("annotations:queue"), HTTP_ACCEPT_LANGUAGE="de", secure=True)
    client.force_login(editor)
    missing = client.get("/articles/999999/", HTTP_ACCEPT_LANGUAGE="de", secure=True)
    assert refused.status_code == 403 and missing.status_code == 404
    for response in (refused, missing):
        assert english_in(readable(response.content.decode())) == []


def test_the_history_api_summaries_are_german(client, desk_day, editor):
    claim = desk_day[1]
    client.force_login(editor)
    response = client.get(
        f"/api/v1/annotations/{claim.pk}/history/", HTTP_ACCEPT_LANGUAGE="de", secure=True
    )
    assert response.status_code == 200
    summaries = " ".join(item["summary"] for item in response.json()["results"])
    assert "zugewiesen" in summaries or "Prüf" in summaries
    assert english_in(summaries) == []


def test_emails_to_a_german_reader_are_german(desk_day, reviewer, chief):
    _article, claim, second, _source = desk_day
    for user in (reviewer, chief):
        user_language_set(user=user, language="de")
    mail.outbox.clear()
    assignment = Assignment.objects.filter(annotation=claim, reviewer=reviewer).first()
    notifications.send("assigned", assignment.pk)
    proposed = Verdict.objects.get(annotation=second, status=Verdict.Status.PROPOSED)
    notifications.send("proposed", proposed.pk)
    assert len(mail.outbox) >= 2
    for message in mail.outbox:
        text = f"{message.subject} {message.body}"
        assert english_in(text) == [], text
