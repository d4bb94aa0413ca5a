"""The sync cursor through the API: `?cursor=` on every list of articles, annotations,
verdicts, evidence, source checks and events, the change feed, tombstones, paging, bad
cursors, and the JSON Lines export from a cursor."""

import csv
import io
import json

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from annotations import changes, services
from annotations.models import Annotation, Change, Event
from tests.factories import VerdictFactory, api_token, make_annotation, make_article

# Committed writes, as in production: a reader never sees the changes of a transaction
# still open, its own included (a test wrapped in one transaction would read nothing).
pytestmark = pytest.mark.django_db(transaction=True)

QUOTES = [
    "4,2 Milliarden Euro für den Ausbau der Schiene freigegeben",
    "Schiene",
    "Milliarden",
    "Ausbau",
    "Euro",
]


def api(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
    return client


def read_all(client: APIClient, path: str, cursor: str = "", **params) -> tuple[list, str]:
    """Every item from `cursor` on, following next_cursor until a page is not full."""
    items = []
    for _round in range(1000):
        response = client.get(path, {"cursor": cursor, **params})
        assert response.status_code == 200, response.content
        body = response.json()
        items.extend(body["results"])
        cursor = body["next_cursor"]
        if not body["has_more"]:
            return items, cursor
    raise AssertionError("the cursor never reached the end")


def current_cursor() -> str:
    return changes.encode(changes.read("", limit=changes.MAX_PAGE).position)


def test_an_empty_cursor_lists_each_annotation_once_as_it_is_now(editor, article):
    claim = make_annotation(editor, article, QUOTES[0])
    services.annotation_update(
        actor=editor, annotation_id=claim.pk, changes={"note": "zweimal"}, expected_version=1
    )
    response = api(editor).get("/api/v1/annotations/", {"cursor": ""})
    assert response.status_code == 200
    body = response.json()
    assert [(item["kind"], item["id"]) for item in body["results"]] == [("annotation", claim.pk)]
    item = body["results"][0]
    assert item["deleted"] is False
    assert item["version"] == 2
    assert item["object"]["note"] == "zweimal"
    assert item["object"] == api(editor).get("/api/v1/annotations/").json()["results"][0]
    assert body["next_cursor"].startswith("c1_")
    assert body["has_more"] is False


def test_the_same_cursor_comes_back_when_nothing_changed(editor, claim):
    first = api(editor).get("/api/v1/annotations/", {"cursor": ""}).json()
    again = api(editor).get("/api/v1/annotations/", {"cursor": first["next_cursor"]}).json()
    assert again == {"results": [], "next_cursor": first["next_cursor"], "has_more": False}


def test_a_change_after_the_cursor_is_read_and_nothing_before_it(editor, article, claim):
    cursor = api(editor).get("/api/v1/annotations/", {"cursor": ""}).json()["next_cursor"]
    other = make_annotation(editor, article, QUOTES[1])
    body = api(editor).get("/api/v1/annotations/", {"cursor": cursor}).json()
    assert [item["id"] for item in body["results"]] == [other.pk]


def test_a_withdrawn_annotation_is_a_tombstone(editor, claim):
    cursor = api(editor).get("/api/v1/annotations/", {"cursor": ""}).json()["next_cursor"]
    services.annotation_withdraw(actor=editor, annotation_id=claim.pk)
    body = api(editor).get("/api/v1/annotations/", {"cursor": cursor}).json()
    assert body["results"] == [
        {
            "kind": "annotation",
            "id": claim.pk,
            "version": 2,
            "deleted": True,
            "changed_at": body["results"][0]["changed_at"],
            "object": None,
        }
    ]


def test_paging_with_page_size_reads_every_change_once(editor, article):
    made = [make_annotation(editor, article, quote).pk for quote in QUOTES]
    items, _cursor = read_all(api(editor), "/api/v1/annotations/", page_size=2)
    assert [item["id"] for item in items] == made


def test_a_bad_cursor_answers_400_and_says_what_to_send(editor, claim):
    for bad in ["nonsense", "c1_!!", "c1_MTIz", changes.encode(changes.Position(1, 2)) + "x"]:
        response = api(editor).get("/api/v1/annotations/", {"cursor": bad})
        assert response.status_code == 400, bad
        assert response.json() == {
            "cursor": [
                "this cursor is not valid: send the next_cursor of an earlier answer, or an "
                "empty cursor to start from the beginning"
            ]
        }


def test_a_bad_cursor_is_refused_by_every_list(editor, claim):
    paths = [
        "/api/v1/articles/",
        "/api/v1/annotations/",
        "/api/v1/changes/",
        "/api/v1/export/annotations/",
        f"/api/v1/annotations/{claim.pk}/verdicts/",
        f"/api/v1/annotations/{claim.pk}/evidence/",
        f"/api/v1/annotations/{claim.pk}/source-checks/",
        f"/api/v1/annotations/{claim.pk}/history/",
    ]
    for path in paths:
        response = api(editor).get(path, {"cursor": "c1_bm9wZQ"})
        assert response.status_code == 400, path
        assert list(response.json()) == ["cursor"], path


def test_a_cursor_with_a_filter_answers_400_naming_it(editor, claim):
    response = api(editor).get("/api/v1/annotations/", {"cursor": "", "status": "open"})
    assert response.status_code == 400
    assert response.json() == {"cursor": ["a cursor reads every change; leave out status"]}


def test_a_page_size_out_of_range_answers_400(editor, claim):
    response = api(editor).get("/api/v1/annotations/", {"cursor": "", "page_size": "0"})
    assert response.status_code == 400
    assert response.json() == {"page_size": ["use a whole number from 1 to 1000"]}


def test_without_a_cursor_the_lists_are_numbered_pages_as_before(editor, claim):
    body = api(editor).get("/api/v1/annotations/").json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 1


def test_an_archived_article_is_a_tombstone_and_a_restored_one_comes_back(chief, editor):
    article = make_article(editor)
    cursor = current_cursor()
    services.article_archive(actor=chief, article_id=article.pk)
    body = api(editor).get("/api/v1/articles/", {"cursor": cursor}).json()
    assert [(item["id"], item["deleted"]) for item in body["results"]] == [(article.pk, True)]
    services.article_restore(actor=chief, article_id=article.pk)
    body = api(editor).get("/api/v1/articles/", {"cursor": body["next_cursor"]}).json()
    assert [(item["id"], item["deleted"]) for item in body["results"]] == [(article.pk, False)]
    assert body["results"][0]["object"]["title"] == article.title
    assert body["results"][0]["object"]["status"] == article.status


def test_removed_evidence_is_a_tombstone_and_its_check_is_listed(editor, claim):
    cursor = current_cursor()
    evidence = services.evidence_add(
        actor=editor, annotation_id=claim.pk, url="https://example.org/haushalt"
    )
    path = f"/api/v1/annotations/{claim.pk}/evidence/"
    body = api(editor).get(path, {"cursor": cursor}).json()
    assert [(item["kind"], item["id"], item["deleted"]) for item in body["results"]] == [
        ("evidence", evidence.pk, False)
    ]
    assert body["results"][0]["object"]["url"] == "https://example.org/haushalt"
    checks = api(editor).get(f"/api/v1/annotations/{claim.pk}/source-checks/", {"cursor": cursor})
    [check] = checks.json()["results"]
    assert check["kind"] == "source_check"
    assert check["object"]["evidence"] == evidence.pk
    assert check["object"]["annotation"] == claim.pk
    services.evidence_remove(actor=editor, evidence_id=evidence.pk)
    body = api(editor).get(path, {"cursor": body["next_cursor"]}).json()
    assert [(item["id"], item["deleted"]) for item in body["results"]] == [(evidence.pk, True)]


def test_an_annotations_verdicts_are_read_from_a_cursor(editor, reviewer, claim, article):
    other = make_annotation(editor, article, QUOTES[1])
    cursor = current_cursor()
    verdict = VerdictFactory(annotation=claim, author=reviewer)
    VerdictFactory(annotation=other, author=reviewer)
    body = api(editor).get(f"/api/v1/annotations/{claim.pk}/verdicts/", {"cursor": cursor}).json()
    assert [(item["kind"], item["id"]) for item in body["results"]] == [("verdict", verdict.pk)]
    assert body["results"][0]["object"]["annotation"] == claim.pk


def test_history_from_a_cursor_gives_each_event_with_its_id(editor, claim):
    cursor = current_cursor()
    services.annotation_update(
        actor=editor, annotation_id=claim.pk, changes={"note": "n"}, expected_version=1
    )
    event = Event.objects.filter(annotation=claim).latest("id")
    body = api(editor).get(f"/api/v1/annotations/{claim.pk}/history/", {"cursor": cursor}).json()
    assert [item["id"] for item in body["results"]] == [event.pk]
    item = body["results"][0]["object"]
    assert item["id"] == event.pk
    assert item["verb"] == "annotation.updated"
    assert item["annotation"] == claim.pk


def test_the_change_feed_gives_every_kind_and_filters_by_kind(editor, claim):
    items, _cursor = read_all(api(editor), "/api/v1/changes/")
    kinds = {item["kind"] for item in items}
    assert {"article", "annotation", "event"} <= kinds
    events, _cursor = read_all(api(editor), "/api/v1/changes/", kind="event")
    assert {item["kind"] for item in events} == {"event"}
    assert {item["id"] for item in events} == set(Event.objects.values_list("id", flat=True))


def test_an_unknown_kind_answers_400(editor):
    response = api(editor).get("/api/v1/changes/", {"kind": "comment"})
    assert response.status_code == 400
    assert response.json()["kind"][0].startswith("unknown kind 'comment'; use article, ")


def test_an_outsider_is_refused_the_change_feed_and_anonymous_asks_for_credentials(outsider):
    assert api(outsider).get("/api/v1/changes/").status_code == 403
    assert api(outsider).get("/api/v1/annotations/", {"cursor": ""}).status_code == 403
    assert APIClient().get("/api/v1/changes/").status_code == 401


def test_a_cursor_read_runs_the_same_queries_for_1_and_50_annotations(editor):
    counts = []
    for size in (1, 50):
        article = make_article(editor, body=" ".join(f"wort{n}" for n in range(size)))
        cursor = current_cursor()
        for n in range(size):
            quote = f"wort{n}"
            start = article.text.index(quote + " ") if n < size - 1 else article.text.index(quote)
            services.annotation_create(
                actor=editor,
                article_id=article.pk,
                label="claim",
                start=start,
                end=start + len(quote),
            )
        client = api(editor)
        client.get("/api/v1/annotations/", {"cursor": cursor})  # warm the token check
        with CaptureQueriesContext(connection) as queries:
            body = client.get("/api/v1/annotations/", {"cursor": cursor}).json()
        assert len(body["results"]) == size
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_jsonl_export_from_a_cursor_gives_changed_rows_then_tombstones(editor, article):
    first = make_annotation(editor, article, QUOTES[0])
    cursor = current_cursor()
    second = make_annotation(editor, article, QUOTES[1])
    services.annotation_withdraw(actor=editor, annotation_id=first.pk)
    response = api(editor).get("/api/v1/export/annotations/", {"cursor": cursor})
    assert response.status_code == 200
    lines = [json.loads(line) for line in b"".join(response.streaming_content).splitlines()]
    assert [line["id"] for line in lines] == [second.pk, first.pk]
    assert lines[0]["exact"] == QUOTES[1]
    assert lines[1] == {"id": first.pk, "kind": "annotation", "deleted": True}
    assert response["Has-More"] == "false"
    again = api(editor).get("/api/v1/export/annotations/", {"cursor": response["Next-Cursor"]})
    assert b"".join(again.streaming_content) == b""
    assert again["Next-Cursor"] == response["Next-Cursor"]


def test_the_csv_export_from_a_cursor_gives_changed_rows_then_tombstone_rows(editor, article):
    first = make_annotation(editor, article, QUOTES[0])
    cursor = current_cursor()
    second = make_annotation(editor, article, QUOTES[1])
    services.annotation_withdraw(actor=editor, annotation_id=first.pk)
    response = api(editor).get("/api/v1/export/annotations/", {"cursor": cursor, "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(int(r["id"]), r["deleted"]) for r in rows] == [
        (second.pk, "false"),
        (first.pk, "true"),
    ]
    assert rows[0]["exact"] == QUOTES[1]
    assert rows[1]["exact"] == ""
    again = api(editor).get(
        "/api/v1/export/annotations/", {"cursor": response["Next-Cursor"], "format": "csv"}
    )
    assert list(csv.DictReader(io.StringIO(b"".join(again.streaming_content).decode()))) == []


def test_every_write_of_a_watched_table_is_logged_even_a_queryset_update(editor, claim):
    before = Change.objects.filter(kind="annotation", object_id=claim.pk).count()
    Annotation.objects.filter(pk=claim.pk).update(note="ohne Service")
    Annotation.objects.filter(pk=claim.pk).update(note="ohne Service")  # no change: no row
    logged = Change.objects.filter(kind="annotation", object_id=claim.pk)
    assert logged.count() == before + 1


def test_the_position_of_the_current_transaction_is_its_newest_change(editor, claim):
    assert changes.position_for_current_transaction() is None  # autocommit: wrote nothing
    with transaction.atomic():
        assert changes.position_for_current_transaction() is None
        services.annotation_update(
            actor=editor, annotation_id=claim.pk, changes={"note": "n"}, expected_version=1
        )
        newest = Change.objects.order_by("-id").first()
        position = changes.position_for_current_transaction()
    assert newest.kind == "event"
    assert changes.decode(position) == changes.Position(newest.txid, newest.pk)
    # A reader from just before that position gets the transaction's last change.
    before = changes.Position(newest.txid, newest.pk - 1)
    assert [c.pk for c in changes.read(before).changes] == [newest.pk]


def test_the_schema_offers_cursor_on_every_list_and_describes_the_change_page(editor):
    schema = json.loads(
        api(editor).get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").content
    )
    lists = [
        "/api/v1/articles/",
        "/api/v1/annotations/",
        "/api/v1/changes/",
        "/api/v1/export/annotations/",
        "/api/v1/annotations/{id}/verdicts/",
        "/api/v1/annotations/{id}/evidence/",
        "/api/v1/annotations/{id}/source-checks/",
        "/api/v1/annotations/{id}/history/",
    ]
    for path in lists:
        names = [p["name"] for p in schema["paths"][path]["get"]["parameters"]]
        assert "cursor" in names, path
    page = schema["components"]["schemas"]["ChangePage"]
    assert set(page["properties"]) == {"results", "next_cursor", "has_more"}
    ok = schema["paths"]["/api/v1/annotations/"]["get"]["responses"]["200"]
    reference = ok["content"]["application/json"]["schema"]["$ref"]
    one_of = schema["components"]["schemas"][reference.rsplit("/", 1)[1]]["oneOf"]
    assert {"$ref": "#/components/schemas/ChangePage"} in one_of
    assert {"$ref": "#/components/schemas/PaginatedAnnotationList"} in one_of
