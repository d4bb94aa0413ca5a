"""Exports of the demo data and of edge cases: W3C Web Annotation (checked with the W3C
suite in ../shared/conformance), schema.org ClaimReview, JSON, CSV and the streamed bulk
export."""

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from annotations import exports, services
from annotations.models import Annotation, Article
from tests.factories import api_token, make_annotation, make_article

pytestmark = pytest.mark.django_db

CONFORMANCE = Path(__file__).resolve().parents[2].parent / "shared" / "conformance"
W3C_MEDIA_TYPE = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
    return client


@pytest.fixture
def demo():
    call_command("load_demo", stdout=io.StringIO())
    users = {u.username: u for u in get_user_model().objects.all()}
    german = Article.objects.get(language="de")
    english = Article.objects.get(language="en")
    return {"users": users, "de": german, "en": english, "client": api(users["editor"])}


@pytest.fixture
def w3c_check():
    if not (CONFORMANCE / "w3c_check.py").exists():
        pytest.skip(f"the W3C conformance suite is not at {CONFORMANCE} (../shared/conformance)")
    sys.path.insert(0, str(CONFORMANCE))
    try:
        import w3c_check

        yield w3c_check
    finally:
        sys.path.remove(str(CONFORMANCE))


def export(client, article, export_format, **headers):
    return client.get(
        f"/api/v1/articles/{article.pk}/export/", {"format": export_format}, **headers
    )


# --- W3C ------------------------------------------------------------------------------------


def test_w3c_export_of_the_demo_articles_passes_the_w3c_suite(demo, w3c_check):
    for article in (demo["de"], demo["en"]):
        response = export(demo["client"], article, "w3c")
        assert response.status_code == 200
        assert response["Content-Type"] == W3C_MEDIA_TYPE
        collection = json.loads(response.content)
        annotations = w3c_check._as_annotations(collection)
        assert len(annotations) == Annotation.objects.filter(article=article).count()
        for annotation in annotations:
            assert w3c_check.failures(annotation) == [], annotation["id"]


def test_w3c_export_passes_the_suites_command_line_runner(demo, w3c_check, tmp_path):
    path = tmp_path / "export.json"
    path.write_bytes(export(demo["client"], demo["de"], "w3c").content)
    result = subprocess.run(
        [sys.executable, str(CONFORMANCE / "w3c_check.py"), str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "7 annotation(s) checked" in result.stdout


def test_w3c_collection_embeds_its_first_page_with_every_item(demo):
    collection = json.loads(export(demo["client"], demo["de"], "w3c").content)
    assert collection["@context"] == "http://www.w3.org/ns/anno.jsonld"
    assert collection["type"] == "AnnotationCollection"
    assert collection["total"] == 7
    assert (
        collection["id"] == f"http://testserver/api/v1/articles/{demo['de'].pk}/export/?format=w3c"
    )
    page = collection["first"]
    assert page["type"] == "AnnotationPage"
    assert len(page["items"]) == 7


def test_w3c_annotation_carries_label_note_verdict_and_a_pinned_target(demo):
    collection = json.loads(export(demo["client"], demo["de"], "w3c").content)
    approved = Annotation.objects.get(article=demo["de"], status="approved")
    item = next(
        i
        for i in collection["first"]["items"]
        if i["id"].endswith(f"/wap/articles/{demo['de'].pk}/{approved.pk}")
    )
    purposes = {body["purpose"]: body["value"] for body in item["body"]}
    assert purposes["classifying"] == "claim"
    assert purposes["commenting"] == approved.note
    assert purposes["assessing"].startswith("True: ")
    assert all(body["type"] == "TextualBody" for body in item["body"])
    target = item["target"]
    assert target["source"] == f"http://testserver/articles/{demo['de'].pk}/"
    quote, position = target["selector"]
    assert quote == {
        "type": "TextQuoteSelector",
        "exact": approved.exact,
        "prefix": approved.prefix,
        "suffix": approved.suffix,
    }
    assert position == {
        "type": "TextPositionSelector",
        "start": approved.start,
        "end": approved.end,
    }
    assert demo["de"].text[position["start"] : position["end"]] == quote["exact"]
    revision = demo["de"].revisions.get(number=demo["de"].revision)
    assert target["state"] == {
        "type": "TimeState",
        "sourceDate": exports.iso(revision.created_at),
    }


def test_w3c_export_shows_only_approved_verdicts(demo):
    collection = json.loads(export(demo["client"], demo["de"], "w3c").content)
    assessing = [
        body
        for item in collection["first"]["items"]
        for body in item["body"]
        if body["purpose"] == "assessing"
    ]
    assert len(assessing) == 1  # the demo's proposed verdict is not published in exports


def test_w3c_positions_are_code_points_with_astral_characters(editor, w3c_check):
    article = make_article(editor, title="Emoji", body="Vorher 😀 dann 𝔘 das Ende.", language="de")
    annotation = make_annotation(editor, article, "𝔘 das Ende")
    collection = json.loads(export(api(editor), article, "w3c").content)
    item = collection["first"]["items"][0]
    assert item["target"]["selector"][1] == {
        "type": "TextPositionSelector",
        "start": annotation.start,
        "end": annotation.end,
    }
    assert annotation.start == article.text.index("𝔘")
    assert w3c_check.failures(w3c_check._as_annotations(collection)[0]) == []


def test_w3c_export_leaves_withdrawn_annotations_out(editor, article, claim):
    services.annotation_withdraw(actor=editor, annotation_id=claim.pk)
    collection = json.loads(export(api(editor), article, "w3c").content)
    assert collection["total"] == 0
    assert collection["first"]["items"] == []


def test_w3c_orphan_keeps_its_quote_but_no_stale_position(editor, article, claim, w3c_check):
    services.article_update(
        actor=editor, article_id=article.pk, fields={}, body="Ein ganz anderer Text ohne den Satz."
    )
    collection = json.loads(export(api(editor), article, "w3c").content)
    item = collection["first"]["items"][0]
    assert [s["type"] for s in item["target"]["selector"]] == ["TextQuoteSelector"]
    assert w3c_check.failures(w3c_check._as_annotations(collection)[0]) == []


# --- ClaimReview ----------------------------------------------------------------------------


def test_claimreview_covers_only_approved_claim_verdicts_with_every_field(demo, settings):
    settings.FACTCHECK_ORG_NAME = "Faktencheck-Redaktion"
    settings.FACTCHECK_ORG_URL = "https://faktencheck.example.org/"
    response = export(demo["client"], demo["de"], "claimreview")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/ld+json"
    reviews = json.loads(response.content)
    approved = Annotation.objects.get(article=demo["de"], status="approved")
    verdict = approved.verdicts.get(status="approved")
    assert reviews == [
        {
            "@context": "https://schema.org",
            "@type": "ClaimReview",
            "url": f"http://testserver/articles/{demo['de'].pk}/report/",
            "claimReviewed": approved.exact,
            "inLanguage": "de",
            "reviewRating": {
                "@type": "Rating",
                "alternateName": "Richtig",
                "ratingValue": 5,
                "bestRating": 5,
                "worstRating": 1,
            },
            "itemReviewed": {
                "@type": "Claim",
                "appearance": {
                    "@type": "CreativeWork",
                    "url": f"http://testserver/articles/{demo['de'].pk}/report/",
                    "headline": demo["de"].title,
                    "author": {"@type": "Organization", "name": "Demo-Agentur"},
                },
                "author": {"@type": "Organization", "name": "Demo-Agentur"},
            },
            "author": {
                "@type": "Organization",
                "name": "Faktencheck-Redaktion",
                "url": "https://faktencheck.example.org/",
            },
            "datePublished": exports.iso(verdict.decided_at),
        }
    ]


def approve_unproven(demo, article):
    """An approved "unproven" verdict (a rating without a value) on the article's claim."""
    users = demo["users"]
    claim = Annotation.objects.get(article=article, label__slug="claim")
    verdict = services.verdict_propose(
        actor=users["reviewer"],
        annotation_id=claim.pk,
        rating="unproven",
        rationale="No document confirms the 412 million figure yet.",
        evidence=[services.EvidenceInput(url="https://example.org/council")],
    )
    services.verdict_approve(actor=users["chief"], verdict_id=verdict.pk)


def test_claimreview_of_an_english_article_is_english_for_a_german_reader(demo):
    approve_unproven(demo, demo["en"])
    [review] = json.loads(
        export(demo["client"], demo["en"], "claimreview", HTTP_ACCEPT_LANGUAGE="de").content
    )
    assert review["inLanguage"] == "en"
    assert review["reviewRating"]["alternateName"] == "Unproven"
    assert review["author"] == {"@type": "Organization", "name": "Fact-check desk"}


def test_claimreview_of_a_german_article_is_german_for_an_english_reader(demo):
    [review] = json.loads(
        export(demo["client"], demo["de"], "claimreview", HTTP_ACCEPT_LANGUAGE="en").content
    )
    assert review["inLanguage"] == "de"
    assert review["reviewRating"]["alternateName"] == "Richtig"
    # The default desk name is translated; never the English one in a German review.
    assert review["author"]["name"] == "Faktencheck-Desk"


def test_claimreview_names_the_desk_by_its_german_name_where_one_is_set(demo, settings):
    settings.FACTCHECK_ORG_NAME = "Fact-check desk of the Daily"
    settings.FACTCHECK_ORG_NAME_DE = "Faktencheck des Tagesblatts"
    [german] = json.loads(export(demo["client"], demo["de"], "claimreview").content)
    assert german["author"]["name"] == "Faktencheck des Tagesblatts"
    approve_unproven(demo, demo["en"])
    [english] = json.loads(export(demo["client"], demo["en"], "claimreview").content)
    assert english["author"]["name"] == "Fact-check desk of the Daily"


def test_claimreview_of_a_german_article_uses_a_desk_name_of_its_own_as_it_is(demo, settings):
    settings.FACTCHECK_ORG_NAME = "Correctiv"
    [review] = json.loads(export(demo["client"], demo["de"], "claimreview").content)
    assert review["author"]["name"] == "Correctiv"


def test_claimreview_of_an_article_without_approved_verdicts_is_empty(demo):
    assert json.loads(export(demo["client"], demo["en"], "claimreview").content) == []


def test_claimreview_appearance_is_the_source_url_with_its_date(demo):
    article = demo["de"]
    services.article_update(
        actor=demo["users"]["editor"],
        article_id=article.pk,
        fields={
            "source_url": "https://news.example.org/openai",
            "published_at": "2026-02-11T09:30:00+01:00",
        },
    )
    review = json.loads(export(demo["client"], article, "claimreview").content)[0]
    appearance = review["itemReviewed"]["appearance"]
    assert appearance["url"] == "https://news.example.org/openai"
    assert appearance["datePublished"] == "2026-02-11T08:30:00Z"
    assert review["itemReviewed"]["datePublished"] == "2026-02-11T08:30:00Z"


def test_claimreview_of_a_rating_without_value_gives_only_its_name(demo):
    article = demo["en"]
    approve_unproven(demo, article)
    review = json.loads(export(demo["client"], article, "claimreview").content)[0]
    assert review["reviewRating"] == {"@type": "Rating", "alternateName": "Unproven"}


# --- JSON and CSV of one article ------------------------------------------------------------


def test_json_export_has_the_article_and_every_annotation_with_verdicts_and_evidence(demo):
    body = json.loads(export(demo["client"], demo["de"], "json").content)
    assert body["article"]["text"] == demo["de"].text
    assert len(body["annotations"]) == 7
    api_keys = set(demo["client"].get("/api/v1/annotations/").json()["results"][0])
    approved = next(a for a in body["annotations"] if a["status"] == "approved")
    assert api_keys <= set(approved)
    assert [v["status"] for v in approved["verdicts"]] == ["approved"]
    assert approved["evidence"][0]["url"] == "https://example.org/openai-bid-letter"


def test_csv_export_is_rfc4180_utf8_with_a_header_row(demo):
    response = export(demo["client"], demo["de"], "csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="article-{demo["de"].pk}.csv"'
    content = response.content.decode("utf-8")
    header, _, _rest = content.partition("\r\n")
    assert header == ",".join(exports.EXPORT_COLUMNS)
    assert content.endswith("\r\n")
    rows = list(csv.DictReader(io.StringIO(content, newline="")))
    assert len(rows) == 7
    first = Annotation.objects.filter(article=demo["de"]).order_by("id").first()
    assert rows[0]["exact"] == first.exact
    assert rows[0]["prefix"] == first.prefix  # line breaks inside a quoted cell survive


@pytest.mark.parametrize(
    "dangerous", ['=HYPERLINK("http://evil")', "+1+1", "-2+3", "@SUM(A1)", "\t=1"]
)
def test_csv_cells_that_a_spreadsheet_would_run_get_a_leading_quote(editor, article, dangerous):
    make_annotation(editor, article, "Kritiker meinen", label="opinion", note=dangerous)
    content = export(api(editor), article, "csv").content.decode("utf-8")
    row = next(csv.DictReader(io.StringIO(content, newline="")))
    assert row["note"] == "'" + dangerous


def test_csv_keeps_quotes_commas_and_line_breaks_in_one_cell(editor, article):
    note = 'Er sagte: "Nein, nie."\nZweite Zeile'
    make_annotation(editor, article, "Kritiker meinen", label="opinion", note=note)
    content = export(api(editor), article, "csv").content.decode("utf-8")
    assert '"Er sagte: ""Nein, nie.""\nZweite Zeile"' in content
    assert next(csv.DictReader(io.StringIO(content, newline="")))["note"] == note


def test_format_parameter_wins_over_accept(editor, article, claim):
    client = api(editor)
    as_csv = export(client, article, "csv", HTTP_ACCEPT="application/json")
    assert as_csv["Content-Type"] == "text/csv; charset=utf-8"
    as_json = export(client, article, "json", HTTP_ACCEPT="text/csv")
    assert as_json.status_code == 200
    assert as_json["Content-Type"] == "application/json"


def test_unknown_export_format_answers_400(editor, article):
    response = export(api(editor), article, "xml")
    assert response.status_code == 400
    assert response.json() == {"format": ["use one of json, csv, w3c, claimreview"]}


def test_reviewer_may_export(reviewer, article, claim):
    assert export(api(reviewer), article, "json").status_code == 200


# --- bulk export ----------------------------------------------------------------------------


def _streamed(response) -> bytes:
    assert response.streaming
    return b"".join(response.streaming_content)


def test_bulk_export_streams_json_lines_of_the_filtered_annotations(demo):
    response = demo["client"].get(
        "/api/v1/export/annotations/", {"format": "jsonl", "label": "claim"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-ndjson; charset=utf-8"
    rows = [json.loads(line) for line in _streamed(response).decode().splitlines()]
    assert [row["id"] for row in rows] == sorted(
        Annotation.objects.filter(label__slug="claim").values_list("id", flat=True)
    )
    assert list(rows[0]) == list(exports.EXPORT_COLUMNS)
    approved = next(row for row in rows if row["status"] == "approved")
    assert (approved["rating"], approved["verdict_status"], approved["assignees"]) == (
        "true",
        "approved",
        ["reviewer"],
    )


def test_bulk_export_as_csv_has_the_same_columns(demo):
    response = demo["client"].get("/api/v1/export/annotations/", {"format": "csv"})
    rows = list(csv.DictReader(io.StringIO(_streamed(response).decode(), newline="")))
    assert len(rows) == Annotation.objects.count()
    assert list(rows[0]) == list(exports.EXPORT_COLUMNS)


def test_bulk_export_reads_no_rows_until_the_response_is_consumed(demo):
    with CaptureQueriesContext(connection) as before:
        response = demo["client"].get("/api/v1/export/annotations/")
    assert not any('"annotations_annotation"' in q["sql"] for q in before.captured_queries)
    with CaptureQueriesContext(connection) as during:
        _streamed(response)
    assert any('"annotations_annotation"' in q["sql"] for q in during.captured_queries)


def test_bulk_export_reads_in_chunks_with_three_queries_each(editor):
    article = make_article(editor, title="Viele", body="Wort " * 30)
    for n in range(10):
        services.annotation_create(
            actor=editor, article_id=article.pk, label="claim", start=n * 5, end=n * 5 + 4
        )
    annotations = Annotation.objects.filter(article=article)
    with CaptureQueriesContext(connection) as queries:
        lines = b"".join(exports.jsonl_export(annotations, chunk_size=4)).decode().splitlines()
    assert [json.loads(line)["start"] for line in lines] == [n * 5 for n in range(10)]
    assert len(queries) == 3 * 3  # chunks of 4, 4 and 2 rows: rows, assignees, verdicts


def test_times_formatted_by_the_database_match_pythons(editor, article, claim):
    Annotation.objects.filter(pk=claim.pk).update(due_at="2026-03-01T10:00:00.000007+01:00")
    formatted, due_at = Annotation.objects.values_list(exports._UtcText("due_at"), "due_at").get()
    assert formatted == exports.row_time(due_at) == "2026-03-01T09:00:00.000007Z"


@pytest.fixture
def varied(editor, reviewer, other_reviewer, chief, article, claim):
    """Rows that exercise every column: assignees (one declined), verdicts, due dates,
    withdrawn spans, notes with formula characters, quotes and line breaks."""
    services.annotation_assign(actor=editor, annotation_id=claim.pk, reviewer=reviewer)
    services.annotation_assign(actor=editor, annotation_id=claim.pk, reviewer=other_reviewer)
    services.assignment_decline(actor=other_reviewer, annotation_id=claim.pk, reason="nein")
    verdict = services.verdict_propose(
        actor=reviewer,
        annotation_id=claim.pk,
        rating="mostly-false",
        rationale="Der Haushaltsplan nennt eine andere Summe auf Seite 12.",
        evidence=[services.EvidenceInput(url="https://example.org/h")],
    )
    services.verdict_reject(actor=chief, verdict_id=verdict.pk, note="Quelle fehlt")
    make_annotation(
        editor, article, "Kritiker meinen", label="opinion", note='=1+1 "zitiert"\nZeile 2'
    )
    gone = make_annotation(editor, article, "Source / Quelle: Via", label="source", note="-x")
    services.annotation_withdraw(actor=editor, annotation_id=gone.pk)
    Annotation.objects.filter(pk=claim.pk).update(due_at="2026-03-01T10:00:00+01:00")
    return Annotation.objects.filter(article=article)


def test_bulk_rows_carry_assignees_latest_verdict_and_due_date(varied):
    rows = [
        json.loads(line) for line in b"".join(exports.jsonl_export(varied)).decode().splitlines()
    ]
    assert [list(row) for row in rows] == [list(exports.EXPORT_COLUMNS)] * 3
    claim = rows[0]
    assert claim["assignees"] == ["reviewer"]  # the declined reviewer is left out
    assert (claim["rating"], claim["verdict_status"]) == ("mostly-false", "rejected")
    assert claim["due_at"] == "2026-03-01T09:00:00.000000Z"
    assert rows[2]["status"] == "withdrawn"


def test_hand_written_json_lines_parse_to_the_rows(varied, editor, article):
    make_annotation(editor, article, "Grüße an alle", label="opinion", note='\t"\\ \u2028 \x07 😀')
    # Split at LF only: str.splitlines would also split at U+2028 inside a JSON string.
    lines = b"".join(exports.jsonl_export(varied)).decode().split("\n")
    assert lines.pop() == ""
    assert [json.loads(line) for line in lines] == list(exports.annotation_rows(varied))


def test_streamed_csv_matches_the_row_writer(varied):
    streamed = b"".join(exports.csv_export(varied, chunk_size=2))
    assert streamed == b"".join(exports.csv_lines(exports.annotation_rows(varied)))


def test_bulk_csv_guards_formulas_and_keeps_line_breaks(varied):
    content = b"".join(exports.csv_export(varied)).decode()
    rows = list(csv.DictReader(io.StringIO(content, newline="")))
    assert rows[1]["note"] == '\'=1+1 "zitiert"\nZeile 2'
    assert rows[2]["note"] == "'-x"
    assert rows[0]["assignees"] == "reviewer"
