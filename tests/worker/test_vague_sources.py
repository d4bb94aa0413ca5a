"""Vague-source flags: the cue rules on German and English attributions, then the same
flags arriving through the real worker on `source` checks and on suggestions."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation
from rest_framework.test import APIClient

from annotations import cues, machine_text, services
from annotations.models import SourceCheck, Suggestion
from tests.background import worker_test
from tests.conftest import wait_for
from tests.factories import GERMAN_TEXT, make_annotation, make_article
from tests.source_site import SourceSite, running_site

UNFINISHED = (SourceCheck.Status.PENDING, SourceCheck.Status.RUNNING)


@pytest.fixture(autouse=True)
def fast_passwords(settings) -> None:
    # The default PBKDF2 costs over a second per persona on a small test machine.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def codes(attribution: str, language: str) -> list[str]:
    return [flag.code for flag in cues.vague_source_flags(attribution, language)]


# --- the rules, family by family ------------------------------------------------------------

VAGUE = [
    # A bare "Via", a credit line naming nothing, a bare handle.
    ("Source / Quelle: Via", "de", "Source / Quelle: Via", "no_source_named"),
    ("Via", "de", "Via", "no_source_named"),
    ("Das Video kursiert seit Montag, via @blitzmeldung", "de", "@blitzmeldung", "bare_handle"),
    ("The clip went viral overnight, via @breakingnow", "en", "@breakingnow", "bare_handle"),
    ("Quelle:", "de", "Quelle", "no_source_named"),
    ("Quelle: Internet", "de", "Internet", "no_source_named"),
    ("Source: social media", "en", "social media", "no_source_named"),
    # Unnamed reports, insiders, circles, "wie es heißt".
    ("Berichten zufolge will die Regierung die Steuer senken.", "de", "Berichten zufolge", None),
    ("Medienberichten zufolge tritt der Minister zurück.", "de", "Medienberichten zufolge", None),
    ("Insidern zufolge steht der Verkauf kurz bevor.", "de", "Insidern zufolge", None),
    ("Die Entscheidung sei längst gefallen, wie es heißt.", "de", "wie es heißt", None),
    (
        "Aus Koalitionskreisen verlautete, der Etat sei gesichert.",
        "de",
        "Aus Koalitionskreisen",
        None,
    ),
    ("Sources say the merger is off.", "en", "Sources say", None),
    (
        "The deal is close, according to people familiar with the matter.",
        "en",
        "people familiar with",
        None,
    ),
    ("According to media reports, the plant will close.", "en", "According to media reports", None),
    # An anonymous source with no reason for the anonymity.
    (
        "sagte ein Beamter, der nicht genannt werden wollte",
        "de",
        "nicht genannt werden wollte",
        "anonymous",
    ),
    ("said an official who declined to be named", "en", "declined to be named", "anonymous"),
]


@pytest.mark.parametrize(("attribution", "language", "cue", "also"), VAGUE)
def test_a_vague_attribution_is_flagged_with_its_cue_and_an_explanation(
    attribution, language, cue, also
):
    flags = cues.vague_source_flags(attribution, language)

    vague = [flag for flag in flags if flag.code == "vague"]
    assert len(vague) == 1
    assert vague[0].cue == cue
    with translation.override("en"):
        explanation = machine_text.render(vague[0].message, vague[0].params)
    assert len(explanation) > 20
    assert cue in explanation
    if also is not None:
        assert also in [flag.code for flag in flags]


NOT_VAGUE = [
    # The demo's credit line done right, an outlet or agency, a linked post or document.
    ("Quelle: dpa", "de"),
    ("Quelle: Statistisches Bundesamt", "de"),
    ("Via: Süddeutsche Zeitung", "de"),
    ("Quelle: https://www.destatis.de/DE/Presse/Pressemitteilungen/2024/01/PD24_001.html", "de"),
    ("via @blitzmeldung https://example.social/@blitzmeldung/1123581321", "de"),
    ("Source: Reuters", "en"),
    # Named reports and named people instead of unnamed ones.
    ("Einem Bericht der Süddeutschen Zeitung zufolge will die Regierung die Steuer senken.", "de"),
    ("Laut Finanzministerin Anna Beispiel steht der Verkauf kurz bevor.", "de"),
    ("Die Entscheidung sei gefallen, hieß es vom Bundesamt für Statistik.", "de"),
    ("Die Sitzung im Kreis Recklinghausen dauerte bis zum Abend.", "de"),
    ("according to Reuters", "en"),
    ("The sources of the Rhine lie in the Swiss Alps.", "en"),
    ("said Jane Doe, a spokeswoman for the ministry.", "en"),
]


@pytest.mark.parametrize(("attribution", "language"), NOT_VAGUE)
def test_a_checkable_attribution_is_not_flagged(attribution, language):
    assert codes(attribution, language) == []


@pytest.mark.parametrize(
    ("attribution", "language"),
    [
        (
            "sagte ein Beamter, der nicht genannt werden wollte, weil er nicht befugt ist, "
            "öffentlich zu sprechen",
            "de",
        ),
        (
            "said an official who spoke on condition of anonymity because they were not "
            "authorized to discuss the talks",
            "en",
        ),
    ],
)
def test_an_anonymous_source_with_a_reason_is_anonymous_but_not_vague(attribution, language):
    assert codes(attribution, language) == ["anonymous"]


# --- through the worker ---------------------------------------------------------------------


@pytest.fixture
def site(settings) -> Iterator[SourceSite]:
    with running_site() as source:
        settings.FETCH_ALLOW_HOSTS = [source.host_port]
        yield source


def attribution_check(annotation) -> SourceCheck:
    return wait_for(
        lambda: (
            SourceCheck.objects.filter(annotation=annotation, url="")
            .exclude(status__in=UNFINISHED)
            .first()
        ),
        message="the attribution check",
    )


@worker_test
def test_the_demo_credit_line_via_is_flagged_vague_on_its_check(worker, editor, article):
    source = make_annotation(editor, article, "Source / Quelle: Via", label="source")

    check = attribution_check(source)

    assert check.status == SourceCheck.Status.DONE
    assert check.attribution == "Source / Quelle: Via"
    assert [(f["code"], f["cue"]) for f in check.flags] == [
        ("vague", "Source / Quelle: Via"),
        ("no_source_named", "Source / Quelle: Via"),
    ]
    # Stored as a code with its words; each reader gets the sentence in their language.
    assert check.flags[0]["message"] == "names_nothing"
    assert check.flags[0]["params"] == {"text": "Source / Quelle: Via"}
    with translation.override("en"):
        assert machine_text.flag_text(check.flags[0]) == (
            "“Source / Quelle: Via” names no outlet, author, document or link."
        )
    assert check.http_status is None
    assert check.attempts == 1


@worker_test
def test_an_agency_credit_line_gets_a_check_without_flags(worker, editor):
    article = make_article(editor, body="Die Bahn erhöht die Preise um 4,9 Prozent.\nQuelle: dpa\n")
    source = make_annotation(editor, article, "Quelle: dpa", label="source")

    check = attribution_check(source)

    assert check.status == SourceCheck.Status.DONE
    assert check.flags == []


@worker_test
def test_a_linked_source_is_not_vague_and_its_link_is_checked(worker, site, editor):
    url = site.add(
        "/pm",
        "<html><head><title>Pressemitteilung</title></head><body><article>"
        "<p>Die Bahn erhöht die Preise zum Fahrplanwechsel um 4,9 Prozent.</p>"
        "</article></body></html>",
    )
    article = make_article(editor, body=f"Die Bahn erhöht die Preise.\nQuelle: {url}\n")
    source = make_annotation(editor, article, f"Quelle: {url}", label="source")

    link = wait_for(
        lambda: (
            SourceCheck.objects.filter(annotation=source, url=url)
            .exclude(status__in=UNFINISHED)
            .first()
        ),
        message="the link check",
    )
    assert attribution_check(source).flags == []
    assert link.status == SourceCheck.Status.DONE
    assert link.title == "Pressemitteilung"
    assert link.quote_found is None  # the span names the source; it does not quote it
    assert site.requests["/pm"] == 1


@worker_test
def test_the_analysis_flags_a_vague_attribution_phrase_in_a_suggestion(worker, editor):
    article = make_article(
        editor,
        body="Berichten zufolge will die Regierung die Mehrwertsteuer auf Bahntickets senken.\n",
    )

    suggestion = wait_for(
        lambda: Suggestion.objects.filter(article=article, label__slug="source").first(),
        message="the source suggestion",
    )
    assert suggestion.flags[0]["code"] == "vague"
    assert suggestion.flags[0]["cue"] == "Berichten zufolge"
    assert suggestion.flags[0]["message"] == "reports_unnamed"
    with translation.override("en"):
        assert "cites unnamed reports" in machine_text.flag_text(suggestion.flags[0])


@worker_test
def test_a_text_change_gives_source_spans_a_check_of_the_new_revision(worker, editor, article):
    source = make_annotation(editor, article, "Source / Quelle: Via", label="source")
    attribution_check(source)

    services.article_update(
        actor=editor,
        article_id=article.pk,
        fields={},
        body=GERMAN_TEXT.replace("Kritiker meinen", "Kritiker befürchten"),
    )

    check = wait_for(
        lambda: (
            SourceCheck.objects.filter(annotation=source, article_revision=2)
            .exclude(status__in=UNFINISHED)
            .first()
        ),
        message="the check of revision 2",
    )
    assert check.flags[0]["code"] == "vague"
    assert SourceCheck.objects.filter(annotation=source).count() == 2


@worker_test
def test_the_api_lists_the_flags_of_a_source_check(worker, editor, article):
    source = make_annotation(editor, article, "Source / Quelle: Via", label="source")
    check = attribution_check(source)
    api = APIClient()
    api.force_authenticate(editor)

    response = api.get(f"/api/v1/annotations/{source.pk}/source-checks/")

    assert response.status_code == 200
    listed = response.json()["results"][0]
    assert listed["id"] == check.pk
    assert listed["status"] == "done"
    assert [(f["code"], f["cue"], f["params"]) for f in listed["flags"]] == [
        (f["code"], f["cue"], f["params"]) for f in check.flags
    ]
    assert listed["flags"][0]["code"] == "vague"
    assert listed["flags"][0]["name"] == "Vague source"
    assert listed["flags"][0]["explanation"] == (
        "“Source / Quelle: Via” names no outlet, author, document or link."
    )
