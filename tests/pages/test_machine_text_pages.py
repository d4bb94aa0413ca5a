"""Machine results (a check's error, a flag, an import's failure, a suggestion's reason) are
stored as codes with parameters and worded for the reader: German for a German newsroom
(Accept-Language: de), English for a request that asks for nothing. Neither the other
language's sentence nor the raw code ever reaches the reader."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from annotations import cues, fetch, history, selectors, services
from annotations.models import Article, Event, SourceCheck
from annotations.services.source_checks import flag_dicts
from tests.factories import make_annotation

pytestmark = pytest.mark.django_db

LOOPBACK = "127.0.0.1"
NOWHERE = "www.nirgendwo.invalid"
LOOPBACK_URL = f"http://{LOOPBACK}:8765/bericht"
NOWHERE_URL = f"https://{NOWHERE}/haushalt"
CHANGED_URL = "https://example.org/haushaltsplan"
CHECKED_ON = "2026-11-30"

# What the reader sees, per language; `absent` is the other language's wording and the raw
# codes, none of which may show.
GERMAN = {
    "loopback": (
        "Gesperrt: Die Adresse 127.0.0.1 liegt in 127.0.0.0/8, Loopback (RFC 1122), "
        "und ist aus dem Internet nicht erreichbar"
    ),
    "nowhere": f"{NOWHERE} konnte nicht aufgelöst werden",
    "changed": (f"Der Text der Quelle hat sich seit ihrer Prüfung am {CHECKED_ON} geändert; lesen"),
    "names_nothing": (
        "„Source / Quelle: Via“ nennt kein Medium, keine Person, kein Dokument und keinen Link."
    ),
    "no_source": "„Source / Quelle: Via“ nennt überhaupt keine Quelle.",
    "anonymous": "Anonyme Quelle („nicht genannt werden wollte“) ohne Grund für die Anonymität",
    "import": "Unter der URL wurde kein Artikeltext gefunden",
}
ENGLISH = {
    "loopback": (
        "blocked: the address 127.0.0.1 is in 127.0.0.0/8, Loopback (RFC 1122), "
        "not reachable from the internet"
    ),
    "nowhere": f"could not resolve {NOWHERE}",
    "changed": f"The source’s text changed since it was checked on {CHECKED_ON}; read it",
    "names_nothing": "“Source / Quelle: Via” names no outlet, author, document or link.",
    "no_source": "“Source / Quelle: Via” names no source at all.",
    "anonymous": "Anonymous source (“nicht genannt werden wollte”) with no reason given",
    "import": "no article text was found at the URL",
}
RAW_CODES = (
    "address_blocked",
    "dns_failed",
    "no_source_named",
    "no_source_at_all",
    "names_nothing",
    "anonymous_without_reason",
    "no_article_text",
)
# The English the fetcher and the rules write beside each code, for logs and old readers.
STORED_ENGLISH = (
    "not globally reachable",
    f"could not resolve {NOWHERE}",
    "names no outlet",
    "no reason given for the anonymity",
)
LANGUAGES = [("de", GERMAN, ENGLISH), (None, ENGLISH, GERMAN)]


@pytest.fixture(autouse=True)
def _english_after_each_test():
    """LocaleMiddleware leaves the request's language active in the test's thread."""
    yield
    translation.deactivate()


def _error_fields(exc: fetch.FetchError) -> dict:
    return {"error": exc.message, "error_code": exc.code, "error_params": exc.params}


def _blocked_loopback() -> fetch.BlockedURL:
    """The guard's own refusal of the loopback address (a numeric host: no DNS asked)."""
    with pytest.raises(fetch.BlockedURL) as refused:
        fetch.resolve_and_check(LOOPBACK, 8765, frozenset())
    return refused.value


def _unresolvable() -> fetch.FetchError:
    """What the guard raises for a name the resolver does not know (as resolve_and_check
    builds it; asking a resolver would leave the loopback network)."""
    return fetch.FetchError(
        f"could not resolve {NOWHERE}", code="dns_failed", params={"host": NOWHERE}
    )


@pytest.fixture
def desk(editor, reviewer, chief, article, claim):
    """An approved claim whose three evidence checks failed, were blocked and changed, and
    a source span whose attribution check is vague, names no source and is anonymous."""
    services.annotation_assign(actor=editor, annotation_id=claim.pk, reviewer=reviewer)
    verdict = services.verdict_propose(
        actor=reviewer,
        annotation_id=claim.pk,
        rating="false",
        rationale="Der Haushaltsplan nennt 3,1 Milliarden Euro.",
        evidence=[
            services.EvidenceInput(url=url, title="Beleg")
            for url in (LOOPBACK_URL, NOWHERE_URL, CHANGED_URL)
        ],
    )
    services.verdict_approve(actor=chief, verdict_id=verdict.pk)
    checks = {check.url: check for check in SourceCheck.objects.filter(annotation=claim)}
    SourceCheck.objects.filter(pk=checks[LOOPBACK_URL].pk).update(
        status=SourceCheck.Status.BLOCKED,
        final_url=LOOPBACK_URL,
        **_error_fields(_blocked_loopback()),
    )
    SourceCheck.objects.filter(pk=checks[NOWHERE_URL].pk).update(
        status=SourceCheck.Status.FAILED, **_error_fields(_unresolvable())
    )
    SourceCheck.objects.filter(pk=checks[CHANGED_URL].pk).update(
        status=SourceCheck.Status.DONE,
        http_status=200,
        flags=[
            {
                "code": "changed",
                "cue": "sha256",
                "message": "changed",
                "params": {"date": CHECKED_ON},
            }
        ],
    )

    source = make_annotation(editor, article, "Source / Quelle: Via", label="source")
    flags = flag_dicts(cues.vague_source_flags(source.exact, "de"))
    anonymous = cues.vague_source_flags("sagte ein Beamter, der nicht genannt werden wollte", "de")
    flags += flag_dicts(flag for flag in anonymous if flag.code == "anonymous")
    assert [flag["code"] for flag in flags] == ["vague", "no_source_named", "anonymous"]
    SourceCheck.objects.filter(annotation=source, url="").update(
        status=SourceCheck.Status.DONE, flags=flags
    )

    failed = services.article_create_from_url(actor=editor, url="https://example.org/leer")
    services.article_import_finish(
        article_id=failed.pk,
        error="no article text was found at the URL",
        error_code="no_article_text",
    )
    return {"article": article, "claim": claim, "source": source, "failed": failed}


def _page(client, user, url: str, language: str | None) -> str:
    client.force_login(user)
    headers = {"HTTP_ACCEPT_LANGUAGE": language} if language else {}
    response = client.get(url, **headers)
    assert response.status_code == 200
    # Entities decoded, and the text's line breaks and indentation made single spaces.
    return " ".join(unescape(response.content.decode()).split())


def _api(user, language: str | None) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    if language:
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    return client


def _assert_worded(text: str, shown: dict[str, str], other: dict[str, str], keys) -> None:
    for key in keys:
        assert shown[key] in text, key
        assert other[key] not in text, key
    for code in RAW_CODES:
        assert not re.search(rf"\b{code}\b", text), code


@pytest.mark.parametrize(("language", "shown", "other"), LANGUAGES)
def test_the_review_page_words_failed_checks_and_flags_for_the_reader(
    client, desk, chief, language, shown, other
):
    claim_page = _page(
        client, chief, reverse("annotations:annotation-review", args=[desk["claim"].pk]), language
    )
    _assert_worded(claim_page, shown, other, ["loopback", "nowhere", "changed"])

    source_page = _page(
        client, chief, reverse("annotations:annotation-review", args=[desk["source"].pk]), language
    )
    _assert_worded(source_page, shown, other, ["names_nothing", "no_source", "anonymous"])
    if language == "de":
        for english in STORED_ENGLISH:
            assert english not in claim_page + source_page


@pytest.mark.parametrize(("language", "shown", "other"), LANGUAGES)
def test_the_annotate_page_words_the_gate_and_a_failed_import_for_the_reader(
    client, desk, chief, language, shown, other
):
    page = _page(
        client, chief, reverse("annotations:article-detail", args=[desk["article"].pk]), language
    )
    # The publish gate: the evidence's errors beside its warnings, the source's warnings.
    _assert_worded(page, shown, other, ["loopback", "nowhere"])
    if language == "de":
        assert "Die Quelle „Source / Quelle: Via“ ist vage" in page
        assert "Die Quelle „Source / Quelle: Via“ ist anonym" in page
    else:
        assert "the source “Source / Quelle: Via” is vague" in page

    failed = _page(
        client, chief, reverse("annotations:article-detail", args=[desk["failed"].pk]), language
    )
    _assert_worded(failed, shown, other, ["import"])


@pytest.mark.parametrize(("language", "shown", "other"), LANGUAGES)
def test_the_report_preview_words_the_gates_check_errors_for_the_reader(
    client, desk, chief, language, shown, other
):
    page = _page(
        client, chief, reverse("annotations:article-report", args=[desk["article"].pk]), language
    )
    _assert_worded(page, shown, other, ["loopback", "nowhere"])


@pytest.mark.parametrize(("language", "shown", "other"), LANGUAGES)
def test_the_api_words_check_errors_and_flags_in_the_requests_language(
    desk, editor, language, shown, other
):
    api = _api(editor, language)
    claim_checks = api.get(f"/api/v1/annotations/{desk['claim'].pk}/source-checks/").json()
    by_url = {row["url"]: row for row in claim_checks["results"]}
    assert by_url[LOOPBACK_URL]["error"] == shown["loopback"]
    assert by_url[LOOPBACK_URL]["error_code"] == "address_blocked"
    assert by_url[LOOPBACK_URL]["error_params"]["address"] == LOOPBACK
    assert by_url[NOWHERE_URL]["error"] == shown["nowhere"]
    assert by_url[NOWHERE_URL]["error_params"] == {"host": NOWHERE}
    (changed,) = by_url[CHANGED_URL]["flags"]
    assert changed["explanation"].startswith(shown["changed"])
    assert changed["name"] == ("Geändert" if language == "de" else "Changed")

    source_checks = api.get(f"/api/v1/annotations/{desk['source'].pk}/source-checks/").json()
    (row,) = source_checks["results"]
    explanations = [flag["explanation"] for flag in row["flags"]]
    assert explanations[0] == shown["names_nothing"]
    assert explanations[1] == shown["no_source"]
    assert explanations[2].startswith(shown["anonymous"])
    names = [flag["name"] for flag in row["flags"]]
    assert names == (
        ["Vage Quelle", "Keine Quelle genannt", "Anonyme Quelle"]
        if language == "de"
        else ["Vague source", "No source named", "Anonymous source"]
    )
    for text in [*explanations, *names, by_url[LOOPBACK_URL]["error"]]:
        assert not any(re.search(rf"\b{code}\b", text) for code in RAW_CODES)

    article = api.get(f"/api/v1/articles/{desk['failed'].pk}/").json()
    assert article["status"] == Article.Status.IMPORT_FAILED


@pytest.mark.parametrize(
    ("language", "reason", "other"),
    [
        ("de", "Prozentangabe „14 Prozent“, Betrag „2,3 Milliarden Euro“", "percentage"),
        (None, "percentage “14 Prozent”, amount “2,3 Milliarden Euro”", "Prozentangabe"),
    ],
)
def test_a_suggestions_reason_is_worded_in_the_requests_language(
    editor, article, language, reason, other
):
    text = "Der Umsatz der Nordwind AG stieg um 14 Prozent auf 2,3 Milliarden Euro."
    services.article_update(actor=editor, article_id=article.pk, fields={}, body=text)
    article.refresh_from_db()
    services.suggestions_replace(
        article_id=article.pk, revision=article.revision, found=cues.suggest(text, "de")
    )

    listed = _api(editor, language).get(f"/api/v1/articles/{article.pk}/suggestions/").json()

    (claim,) = [item for item in listed["results"] if item["label"] == "claim"]
    assert claim["cue"].startswith(reason)
    assert claim["reasons"][0] == {"code": "percentage", "params": {"words": "14 Prozent"}}
    assert other not in claim["cue"]


@pytest.mark.parametrize(
    ("language", "summary"),
    [
        ("de", "Unter der URL wurde kein Artikeltext gefunden"),
        (None, "no article text was found at the URL"),
    ],
)
def test_a_failed_imports_history_is_worded_for_the_reader(desk, language, summary):
    event = Event.objects.get(verb=Event.Verb.ARTICLE_IMPORT_FAILED, article=desk["failed"])
    assert event.data["error_code"] == "no_article_text"
    with translation.override(language or "en"):
        assert history.summary(event, history.Names(labels={}, ratings={})).endswith(summary)


@pytest.mark.parametrize(
    ("language", "summary", "other"),
    [
        (
            "de",
            f"Der Beleg {LOOPBACK_URL} eines freigegebenen Urteils konnte nicht geprüft werden",
            "could not be checked",
        ),
        (
            None,
            f"the evidence {LOOPBACK_URL} behind an approved verdict could not be checked",
            "konnte nicht geprüft werden",
        ),
    ],
)
def test_an_acknowledged_warning_is_worded_again_for_each_reader_of_the_history(
    desk, chief, editor, language, summary, other
):
    gate = selectors.publish_gate(desk["article"])
    with translation.override("de"):  # the chief who publishes reads German
        services.article_publish(
            actor=chief,
            article_id=desk["article"].pk,
            acknowledge=[w["key"] for w in gate.warnings],
        )

    listed = _api(editor, language).get(f"/api/v1/annotations/{desk['claim'].pk}/history/")

    summaries = [item["summary"] for item in listed.json()["results"]]
    assert any(text.endswith(summary) for text in summaries), summaries
    assert not any(other in text for text in summaries)
