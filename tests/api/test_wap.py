"""The Web Annotation Protocol server (/wap/articles/{id}/): the container and its pages,
one annotation, writes through the services with If-Match, roles, CORS, and the W3C
protocol conformance kit (../shared/conformance/annotation-protocol/wap_check.py) run
against a live server."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from annotations import services
from annotations.models import Annotation, Event, Job, PageNote, SourceCheck

from ..factories import SuggestionFactory, UserFactory, api_token, make_annotation, make_article

KIT = Path(__file__).resolve().parents[2].parent / "shared" / "conformance" / "annotation-protocol"
LD = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'
QUOTE = "4,2 Milliarden Euro für den Ausbau der Schiene freigegeben"


def api(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
    return client


def container(article) -> str:
    return f"/wap/articles/{article.pk}/"


def span_document(article, quote=QUOTE, label="claim", **extra) -> dict:
    start = article.text.index(quote)
    return {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "type": "Annotation",
        "body": [{"type": "TextualBody", "purpose": "classifying", "value": label}],
        "target": {
            "source": f"http://testserver/articles/{article.pk}/",
            "selector": [
                {"type": "TextQuoteSelector", "exact": quote},
                {"type": "TextPositionSelector", "start": start, "end": start + len(quote)},
            ],
        },
        **extra,
    }


def post(client, article, document):
    return client.post(container(article), json.dumps(document), content_type=LD)


# --- reading ---------------------------------------------------------------------------------


def test_container_serves_exactly_the_w3c_export_items(editor, article, claim):
    client = api(editor)
    exported = json.loads(
        client.get(f"/api/v1/articles/{article.pk}/export/", {"format": "w3c"}).content
    )
    response = client.get(container(article))
    assert response.status_code == 200
    assert response["Content-Type"] == LD
    described = json.loads(response.content)
    assert described["type"] == ["BasicContainer", "AnnotationCollection"]
    assert described["total"] == 1
    assert described["first"]["items"] == exported["first"]["items"]
    item = described["first"]["items"][0]
    assert item["id"] == f"http://testserver/wap/articles/{article.pk}/{claim.pk}"
    assert {"purpose": "classifying", "value": "claim", "type": "TextualBody"} in item["body"]


def test_container_headers_follow_the_protocol(editor, article, claim):
    response = api(editor).get(container(article))
    assert 'ldp#BasicContainer>; rel="type"' in response["Link"]
    assert 'rel="http://www.w3.org/ns/ldp#constrainedBy"' in response["Link"]
    assert response["Allow"] == "GET, HEAD, OPTIONS, POST"
    assert "Accept" in response["Vary"] and "Prefer" in response["Vary"]
    assert response["Content-Location"] == f"http://testserver{container(article)}?iris=0"
    assert response["ETag"].startswith('"')


def test_prefer_contained_iris_lists_only_iris(editor, article, claim):
    response = api(editor).get(
        container(article),
        HTTP_PREFER='return=representation;include="http://www.w3.org/ns/oa#PreferContainedIRIs"',
    )
    assert json.loads(response.content)["first"]["items"] == [
        f"http://testserver/wap/articles/{article.pk}/{claim.pk}"
    ]


def test_pages_link_next_prev_and_part_of(editor, article, settings):
    settings.WAP_PAGE_SIZE = 1
    make_annotation(editor, article, "Das ist ein guter Tag", label="opinion")
    make_annotation(editor, article, QUOTE)
    client = api(editor)
    described = json.loads(client.get(container(article)).content)
    assert described["last"].endswith("?iris=0&page=1")
    second = json.loads(client.get(described["first"]["next"]).content)
    assert second["prev"].endswith("?iris=0&page=0")
    assert "next" not in second
    assert second["partOf"]["total"] == 2
    assert second["startIndex"] == 1


def test_an_annotation_has_etag_link_and_allow(editor, article, claim):
    response = api(editor).get(f"{container(article)}{claim.pk}")
    assert response.status_code == 200
    assert 'ldp#Resource>; rel="type"' in response["Link"]
    assert response["Allow"] == "GET, HEAD, OPTIONS, PUT, DELETE"
    assert "Accept" in response["Vary"].split(", ")
    assert response["ETag"].startswith('"')


def test_anonymous_reader_is_refused(article):
    assert APIClient().get(container(article)).status_code == 401


def test_user_without_a_role_is_refused(outsider, article):
    assert api(outsider).get(container(article)).status_code == 403


def test_reviewer_may_read(reviewer, article, claim):
    assert api(reviewer).get(container(article)).status_code == 200


# --- writing ---------------------------------------------------------------------------------


def test_post_of_a_span_creates_an_annotation_through_the_services(editor, article):
    response = post(api(editor), article, span_document(article))
    assert response.status_code == 201
    annotation = Annotation.objects.get(article=article)
    assert (annotation.label.slug, annotation.exact) == ("claim", QUOTE)
    assert response["Location"] == f"http://testserver/wap/articles/{article.pk}/{annotation.pk}"
    assert Event.objects.filter(annotation=annotation, verb="annotation.created").count() == 1


def test_post_of_the_same_span_twice_is_refused(editor, article):
    client = api(editor)
    assert post(client, article, span_document(article)).status_code == 201
    again = post(client, article, span_document(article))
    assert again.status_code == 409
    assert "already tagged" in again.json()["detail"]


def test_post_with_offsets_outside_the_text_is_refused(editor, article):
    document = span_document(article)
    document["target"]["selector"][1] = {"type": "TextPositionSelector", "start": 5, "end": 99999}
    assert post(api(editor), article, document).status_code == 400


def test_reviewer_cannot_post(reviewer, article):
    response = post(api(reviewer), article, span_document(article))
    assert response.status_code == 403
    assert not Annotation.objects.exists()


def test_post_of_a_verdict_is_refused_as_four_eyes_need_a_chief(editor, article):
    document = span_document(article)
    document["body"].append({"type": "TextualBody", "purpose": "assessing", "value": "False"})
    assert post(api(editor), article, document).status_code == 400


def test_post_without_a_text_selector_is_a_note_on_the_article(editor, article):
    document = {
        "type": "Annotation",
        "body": {"type": "TextualBody", "value": "Seen elsewhere too"},
        "target": "http://example.com/elsewhere",
        "canonical": "urn:uuid:1",
    }
    response = post(api(editor), article, document)
    assert response.status_code == 201
    note = PageNote.objects.get(article=article)
    assert response.json()["canonical"] == "urn:uuid:1"
    assert response["Location"].endswith(f"/note-{note.pk}")


def test_put_needs_if_match(editor, article, claim):
    response = api(editor).put(
        f"{container(article)}{claim.pk}", json.dumps(span_document(article)), content_type=LD
    )
    assert response.status_code == 428


def test_put_with_a_stale_etag_is_refused_and_changes_nothing(editor, article, claim):
    response = api(editor).put(
        f"{container(article)}{claim.pk}",
        json.dumps(span_document(article, label="opinion")),
        content_type=LD,
        HTTP_IF_MATCH='"stale"',
    )
    assert response.status_code == 412
    claim.refresh_from_db()
    assert claim.label.slug == "claim"


def test_put_relabels_and_moves_the_etag(editor, article, claim):
    client = api(editor)
    url = f"{container(article)}{claim.pk}"
    etag = client.get(url)["ETag"]
    response = client.put(
        url,
        json.dumps(span_document(article, label="opinion")),
        content_type=LD,
        HTTP_IF_MATCH=etag,
    )
    assert response.status_code == 200
    assert response["ETag"] != etag
    claim.refresh_from_db()
    assert (claim.label.slug, claim.version) == ("opinion", 2)


def test_delete_withdraws_and_the_iri_is_gone(editor, article, claim):
    client = api(editor)
    url = f"{container(article)}{claim.pk}"
    response = client.delete(url, HTTP_IF_MATCH=client.get(url)["ETag"])
    assert response.status_code == 204
    claim.refresh_from_db()
    assert claim.status == "withdrawn"
    assert client.get(url).status_code == 410
    assert json.loads(client.get(container(article)).content)["total"] == 0


def test_an_annotation_of_another_article_is_not_found(editor, article, claim):
    other = make_article(editor, title="Anderes")
    assert api(editor).get(f"{container(other)}{claim.pk}").status_code == 404


def test_container_reads_a_constant_number_of_queries(editor, article):
    client = api(editor)
    make_annotation(editor, article, QUOTE)
    with CaptureQueriesContext(connection) as one:
        client.get(container(article))
    for start in range(49):  # 49 more one-character spans
        services.annotation_create(
            actor=editor, article_id=article.pk, label="speculation", start=start, end=start + 1
        )
    with CaptureQueriesContext(connection) as fifty:
        response = client.get(container(article))
    assert json.loads(response.content)["total"] == 50
    assert len(fifty.captured_queries) == len(one.captured_queries)


def test_a_span_from_a_machine_suggestion_has_a_generator_not_a_creator(editor, article):
    suggestion = SuggestionFactory(article=article, quote="Bundesregierung")
    services.suggestion_accept(actor=editor, suggestion_id=suggestion.pk)
    item = json.loads(api(editor).get(container(article)).content)["first"]["items"][0]
    assert item["generator"]["type"] == "Software"
    assert "creator" not in item


def test_a_posted_source_span_puts_its_check_in_the_outbox(editor, article):
    response = post(api(editor), article, span_document(article, "Via", label="source"))
    assert response.status_code == 201
    check = SourceCheck.objects.get(annotation__article=article)
    assert Job.objects.filter(args__contains=[check.pk]).exists()


def test_put_cannot_approve_a_verdict(editor, article, claim):
    client = api(editor)
    url = f"{container(article)}{claim.pk}"
    document = span_document(article)
    document["body"].append({"type": "TextualBody", "purpose": "assessing", "value": "True"})
    response = client.put(
        url, json.dumps(document), content_type=LD, HTTP_IF_MATCH=client.get(url)["ETag"]
    )
    assert response.status_code == 200
    assert not claim.verdicts.exists()
    assert all(b["purpose"] != "assessing" for b in response.json()["body"])


def test_an_editor_cannot_relabel_an_approved_span(editor, reviewer, chief, article, claim):
    services.annotation_assign(actor=editor, annotation_id=claim.pk, reviewer=reviewer)
    verdict = services.verdict_propose(
        actor=reviewer,
        annotation_id=claim.pk,
        rating="false",
        rationale="Der Haushalt nennt eine andere Summe für die Schiene.",
        evidence=[services.EvidenceInput(url="https://example.org/haushalt")],
    )
    services.verdict_approve(actor=chief, verdict_id=verdict.pk)
    client = api(editor)
    url = f"{container(article)}{claim.pk}"
    response = client.put(
        url,
        json.dumps(span_document(article, label="opinion")),
        content_type=LD,
        HTTP_IF_MATCH=client.get(url)["ETag"],
    )
    assert response.status_code == 409
    assert response.json()["detail"] == (
        "the verdict is approved; only a chief can change its span now"
    )


def put_span(client, article, annotation, document):
    url = f"{container(article)}{annotation.pk}"
    return client.put(
        url, json.dumps(document), content_type=LD, HTTP_IF_MATCH=client.get(url)["ETag"]
    )


def test_a_put_with_another_selector_moves_the_span(editor, article, claim):
    moved_to = "Das ist ein guter Tag"
    start = article.text.index(moved_to)

    response = put_span(api(editor), article, claim, span_document(article, moved_to))

    assert response.status_code == 200
    target = response.json()["target"]
    assert {"type": "TextPositionSelector", "start": start, "end": start + len(moved_to)} in (
        target["selector"]
    )
    claim.refresh_from_db()
    assert (claim.start, claim.end, claim.exact) == (start, start + len(moved_to), moved_to)
    assert claim.prefix == article.text[start - 32 : start]
    assert claim.anchor_state == "anchored"
    event = Event.objects.filter(annotation=claim, verb="annotation.updated").first()
    assert event.data["exact"] == {"from": QUOTE, "to": moved_to}
    page = Client()
    page.force_login(editor)
    review = page.get(f"/annotations/{claim.pk}/").content.decode()
    assert f"moved the span from “{QUOTE}” to “{moved_to}”" in review


def test_a_move_and_a_relabel_in_one_put_write_both(editor, article, claim):
    moved_to = "Das ist ein guter Tag"

    response = put_span(
        api(editor), article, claim, span_document(article, moved_to, label="opinion")
    )

    assert response.status_code == 200
    claim.refresh_from_db()
    assert (claim.exact, claim.label.slug) == (moved_to, "opinion")


def test_moving_a_span_sets_its_approved_verdict_aside(editor, reviewer, chief, article, claim):
    services.annotation_assign(actor=editor, annotation_id=claim.pk, reviewer=reviewer)
    verdict = services.verdict_propose(
        actor=reviewer,
        annotation_id=claim.pk,
        rating="false",
        rationale="Der Haushalt nennt eine andere Summe für die Schiene.",
        evidence=[services.EvidenceInput(url="https://example.org/haushalt")],
    )
    services.verdict_approve(actor=chief, verdict_id=verdict.pk)
    moved_to = "4,2 Milliarden Euro"

    response = put_span(api(chief), article, claim, span_document(article, moved_to))

    assert response.status_code == 200
    verdict.refresh_from_db()
    claim.refresh_from_db()
    assert verdict.status == "set_aside"
    assert (claim.exact, claim.status) == (moved_to, "assigned")
    aside = Event.objects.get(annotation=claim, verb="verdict.set_aside")
    assert (aside.data["old"], aside.data["new"]) == (QUOTE, moved_to)


def test_an_editor_cannot_move_an_approved_span(editor, reviewer, chief, article, claim):
    services.annotation_assign(actor=editor, annotation_id=claim.pk, reviewer=reviewer)
    verdict = services.verdict_propose(
        actor=reviewer,
        annotation_id=claim.pk,
        rating="false",
        rationale="Der Haushalt nennt eine andere Summe für die Schiene.",
        evidence=[services.EvidenceInput(url="https://example.org/haushalt")],
    )
    services.verdict_approve(actor=chief, verdict_id=verdict.pk)

    response = put_span(api(editor), article, claim, span_document(article, "4,2 Milliarden"))

    assert response.status_code == 409
    claim.refresh_from_db()
    assert claim.exact == QUOTE


def test_a_selector_that_does_not_match_the_text_is_refused_and_nothing_moves(
    editor, article, claim
):
    document = span_document(article)
    document["target"]["selector"] = [
        {"type": "TextQuoteSelector", "exact": "Das steht nirgends"},
        {"type": "TextPositionSelector", "start": 0, "end": 18},
    ]

    response = put_span(api(editor), article, claim, document)

    assert response.status_code == 400
    assert response.json()["detail"].startswith("exact does not match the text at 0–18")
    claim.refresh_from_db()
    assert claim.exact == QUOTE


def test_a_quote_that_is_not_in_the_article_is_refused(editor, article, claim):
    document = span_document(article)
    document["target"]["selector"] = [{"type": "TextQuoteSelector", "exact": "Das steht nirgends"}]

    response = put_span(api(editor), article, claim, document)

    assert response.status_code == 400
    assert response.json()["detail"] == "the quoted text is not in the article"


def test_moving_onto_another_span_of_the_same_label_is_a_conflict(editor, article, claim):
    other = make_annotation(editor, article, "Das ist ein guter Tag")

    response = put_span(api(editor), article, claim, span_document(article, other.exact))

    assert response.status_code == 409
    claim.refresh_from_db()
    assert claim.exact == QUOTE


def test_a_get_put_round_trip_keeps_the_annotation(editor, article, claim):
    client = api(editor)
    url = f"{container(article)}{claim.pk}"
    got = client.get(url)
    response = client.put(url, got.content, content_type=LD, HTTP_IF_MATCH=got["ETag"])
    assert response.status_code == 200
    claim.refresh_from_db()
    assert (claim.label.slug, claim.start, claim.end) == ("claim", claim.start, claim.end)


def test_text_plain_is_refused_with_415(editor, article):
    response = api(editor).post(container(article), "not JSON-LD", content_type="text/plain")
    assert response.status_code == 415, response.content


# --- CORS ------------------------------------------------------------------------------------


def test_cors_answers_only_configured_origins(editor, article, settings):
    settings.WAP_CORS_ORIGINS = ["https://cms.example.org"]
    client = APIClient()
    allowed = client.options(
        container(article),
        HTTP_ORIGIN="https://cms.example.org",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
    )
    assert allowed.status_code == 204
    assert allowed["Access-Control-Allow-Origin"] == "https://cms.example.org"
    assert "If-Match" in allowed["Access-Control-Allow-Headers"]
    other = client.options(
        container(article),
        HTTP_ORIGIN="https://evil.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
    )
    assert "Access-Control-Allow-Origin" not in other
    read = api(editor).get(container(article), HTTP_ORIGIN="https://cms.example.org")
    assert read["Access-Control-Allow-Origin"] == "https://cms.example.org"
    assert "ETag" in read["Access-Control-Expose-Headers"]


def test_no_cors_headers_without_configured_origins(editor, article):
    read = api(editor).get(container(article), HTTP_ORIGIN="https://cms.example.org")
    assert "Access-Control-Allow-Origin" not in read


# --- the conformance kit against a live server -----------------------------------------------


@pytest.fixture
def wap_check():
    if not (KIT / "wap_check.py").exists():
        pytest.skip(f"the protocol conformance kit is not at {KIT} (../shared/conformance)")
    return KIT / "wap_check.py"


def test_wap_check_passes_every_must_against_a_live_server(
    wap_check, live_server, settings, tmp_path
):
    settings.WAP_PAGE_SIZE = 5
    editor = UserFactory(username="wapeditor", roles=["editor"])
    article = make_article(editor)
    make_annotation(editor, article, QUOTE)
    report = tmp_path / "wap.json"
    result = subprocess.run(
        [
            sys.executable,
            str(wap_check),
            f"{live_server.url}{container(article)}",
            "--header",
            f"Authorization: Token {api_token(editor)}",
            "--fill",
            "8",
            "--json",
            str(report),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    verdicts = json.loads(report.read_text())
    results = verdicts["results"]
    musts = [r for r in results if r["level"] == "MUST"]
    failing = [
        f"{r['id']}: {r['status']} {r.get('detail', '')}" for r in musts if r["status"] != "PASS"
    ]
    assert failing == [], result.stdout
    assert len(musts) == 40
    assert result.returncode == 0, result.stdout
    # The SHOULDs not met (README): no Turtle, no Slug, and plain http on loopback.
    unmet = sorted(r["id"] for r in results if r["level"] == "SHOULD" and r["status"] != "PASS")
    assert unmet == ["ann-turtle", "container-turtle", "https", "post-slug"], result.stdout
