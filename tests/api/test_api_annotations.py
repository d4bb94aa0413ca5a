"""Annotations through the API: create with every bad input, list and filters, detail
with ETags, compare-and-set edits, withdraw, assign, decline, comments and history."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from annotations import services
from annotations.models import Annotation, Comment, Event
from tests.factories import api_token, make_annotation, make_article

pytestmark = pytest.mark.django_db

RATIONALE = "Der Haushaltsplan nennt exakt diese Summe auf Seite 12."
EVIDENCE = [services.EvidenceInput(url="https://example.org/haushalt")]

ANNOTATION_KEYS = [
    "id",
    "article",
    "start",
    "end",
    "exact",
    "prefix",
    "suffix",
    "label",
    "note",
    "priority",
    "due_at",
    "status",
    "anchor_state",
    "version",
    "assignees",
    "current_verdict",
    "claimant",
    "created_by",
    "created_at",
    "updated_at",
]


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
    return client


def create(client, article, **fields):
    body = {"article": article.pk, "label": "claim", **fields}
    return client.post("/api/v1/annotations/", body, format="json")


def span(article, quote):
    start = article.text.index(quote)
    return {"start": start, "end": start + len(quote)}


# --- create ---------------------------------------------------------------------------------


def test_editor_creates_annotation_and_gets_the_full_object(editor, article):
    response = create(api(editor), article, **span(article, "Die Bundesregierung"), note="prüfen")
    assert response.status_code == 201
    body = response.json()
    assert list(body) == ANNOTATION_KEYS
    assert body["exact"] == "Die Bundesregierung"
    assert body["prefix"] == "Berlin – "
    assert body["suffix"] == article.text[28:60]
    assert body["label"] == "claim"
    assert body["status"] == "open"
    assert body["anchor_state"] == "anchored"
    assert body["version"] == 1
    assert body["assignees"] == []
    assert body["current_verdict"] is None
    assert body["created_by"] == "editor"
    assert response["ETag"] == '"1"'
    # Built from the service's instance: the same object a later read gives.
    read = api(editor).get(f"/api/v1/annotations/{body['id']}/").json()
    read.pop("similar")
    assert body == read


def test_utf16_offsets_are_converted_to_code_points(editor, article):
    # "𝔘" is one code point but two UTF-16 code units, and so is the emoji before it.
    start = article.text.index("𝔘")
    utf16_start = start + 1  # the emoji 😀 before it counts twice in UTF-16
    response = create(
        api(editor), article, start=utf16_start, end=utf16_start + 2, offset_unit="utf16"
    )
    assert response.status_code == 201
    assert response.json()["start"] == start
    assert response.json()["end"] == start + 1
    assert response.json()["exact"] == "𝔘"


def test_utf16_offset_inside_a_surrogate_pair_is_refused(editor, article):
    start = article.text.index("𝔘") + 1
    response = create(api(editor), article, start=start + 1, end=start + 2, offset_unit="utf16")
    assert response.status_code == 400
    assert "falls inside a surrogate pair" in response.json()["detail"]


def test_start_not_before_end_is_refused_naming_the_text_length(editor, article):
    response = create(api(editor), article, start=10, end=10)
    assert response.status_code == 400
    assert response.json() == {
        "detail": f"start 10 must be before end 10; the text has {len(article.text)} characters"
    }
    assert not Annotation.objects.exists()


def test_negative_start_is_refused_naming_the_text_length(editor, article):
    response = create(api(editor), article, start=-1, end=5)
    assert response.status_code == 400
    assert response.json() == {
        "detail": f"start must be 0 or more (got -1); the text has {len(article.text)} characters"
    }


def test_end_past_the_text_is_refused_naming_the_text_length(editor, article):
    length = len(article.text)
    response = create(api(editor), article, start=0, end=length + 5)
    assert response.status_code == 400
    assert response.json() == {
        "detail": f"end {length + 5} is past the end of the text ({length} characters)"
    }


def test_exact_that_does_not_match_is_refused_showing_what_is_there(editor, article):
    response = create(api(editor), article, start=0, end=6, exact="Bonn –")
    assert response.status_code == 400
    assert response.json()["detail"].startswith(
        "exact does not match the text at 0–6: found 'Berlin'"
    )


def test_unknown_label_is_refused(editor, article):
    response = create(api(editor), article, start=0, end=6, label="rumour")
    assert response.status_code == 400
    assert response.json() == {
        "label": ["unknown label 'rumour'"],
        "detail": "unknown label 'rumour'",
    }


def test_unknown_article_is_refused_with_400(editor):
    response = api(editor).post(
        "/api/v1/annotations/",
        {"article": 999999, "start": 0, "end": 1, "label": "claim"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "article": ["unknown article 999999"],
        "detail": "unknown article 999999",
    }


def test_missing_fields_are_refused(editor, article):
    response = api(editor).post("/api/v1/annotations/", {"article": article.pk}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "start": ["This field is required."],
        "end": ["This field is required."],
        "label": ["This field is required."],
    }


def test_unknown_fields_are_refused(editor, article):
    response = create(api(editor), article, start=0, end=6, lable="claim")
    assert response.status_code == 400
    assert response.json() == {"lable": ["Unknown field; this endpoint does not accept it."]}
    assert not Annotation.objects.exists()


def test_read_only_fields_are_refused_on_create(editor, article):
    response = create(api(editor), article, start=0, end=6, status="approved")
    assert response.status_code == 400
    assert response.json() == {"status": ["Unknown field; this endpoint does not accept it."]}


def test_unknown_offset_unit_is_refused(editor, article):
    response = create(api(editor), article, start=0, end=6, offset_unit="bytes")
    assert response.status_code == 400
    assert response.json() == {"offset_unit": ['"bytes" is not a valid choice.']}


def test_priority_outside_the_scale_is_refused(editor, article):
    response = create(api(editor), article, start=0, end=6, priority=9)
    assert response.status_code == 400
    assert response.json()["detail"] == "priority must be one of [1, 2, 3, 4]"


def test_annotating_an_archived_article_answers_409(editor, article):
    services.article_archive(actor=editor, article_id=article.pk)
    response = create(api(editor), article, start=0, end=6)
    assert response.status_code == 409
    assert response.json() == {
        "detail": "the article is archived and read-only; a chief or editor can restore it"
    }


def test_reviewer_cannot_annotate(reviewer, article):
    response = create(api(reviewer), article, start=0, end=6)
    assert response.status_code == 403
    assert response.json() == {"detail": "only editors and chiefs can annotate"}


# --- list -----------------------------------------------------------------------------------


@pytest.fixture
def assorted(editor, reviewer, other_reviewer, chief, article, claim):
    """A claim with an approved `false` verdict, an assigned opinion, an open source."""
    opinion = make_annotation(editor, article, "Kritiker meinen", label="opinion")
    source = make_annotation(editor, article, "Source / Quelle: Via", label="source")
    services.annotation_assign(actor=editor, annotation_id=claim.pk, reviewer=reviewer)
    verdict = services.verdict_propose(
        actor=reviewer,
        annotation_id=claim.pk,
        rating="false",
        rationale=RATIONALE,
        evidence=EVIDENCE,
    )
    services.verdict_approve(actor=chief, verdict_id=verdict.pk)
    services.annotation_assign(actor=editor, annotation_id=opinion.pk, reviewer=other_reviewer)
    return {"claim": claim.pk, "opinion": opinion.pk, "source": source.pk}


def ids(response):
    assert response.status_code == 200, response.json()
    return [row["id"] for row in response.json()["results"]]


def test_annotation_list_filters(editor, article, assorted):
    client = api(editor)
    other = make_article(editor, title="Anderer")
    make_annotation(editor, other, "Berlin")
    assert ids(client.get("/api/v1/annotations/", {"article": article.pk})) == [
        assorted["claim"],
        assorted["opinion"],
        assorted["source"],
    ]
    assert ids(client.get("/api/v1/annotations/", {"label": "opinion"})) == [assorted["opinion"]]
    assert ids(client.get("/api/v1/annotations/", {"status": "approved"})) == [assorted["claim"]]
    assert ids(client.get("/api/v1/annotations/", {"assignee": "reviewer2"})) == [
        assorted["opinion"]
    ]
    assert ids(client.get("/api/v1/annotations/", {"rating": "false"})) == [assorted["claim"]]


def test_annotation_list_filters_by_update_time(editor, article, assorted):
    Annotation.objects.filter(pk=assorted["source"]).update(
        updated_at=timezone.now() - timedelta(days=2)
    )
    since = (timezone.now() - timedelta(days=1)).isoformat()
    listed = ids(api(editor).get("/api/v1/annotations/", {"updated_since": since}))
    assert assorted["source"] not in listed
    assert assorted["claim"] in listed


def test_annotation_list_refuses_a_malformed_date(editor):
    response = api(editor).get("/api/v1/annotations/", {"updated_since": "yesterday"})
    assert response.status_code == 400
    assert response.json() == {"updated_since": ["Enter a valid date/time."]}


def test_annotation_list_shows_assignees_and_current_verdict(editor, assorted):
    body = api(editor).get(f"/api/v1/annotations/{assorted['claim']}/").json()
    assert body["assignees"] == ["reviewer"]
    verdict = body["current_verdict"]
    assert verdict["rating"] == "false"
    assert verdict["status"] == "approved"
    assert verdict["author"] == "reviewer"
    assert verdict["decided_by"] == "chief"


def test_listed_objects_are_the_annotation_objects_field_by_field(
    editor, reviewer, other_reviewer, chief, article, assorted
):
    """The list builds its objects from plain values; they must be what the annotation
    serializer gives: assignees (a declined one left out), the newest verdict of several,
    due dates, notes, a withdrawn span."""
    from annotations import selectors
    from annotations.api.serializers import AnnotationSerializer

    opinion = assorted["opinion"]
    services.assignment_decline(actor=other_reviewer, annotation_id=opinion, reason="Urlaub")
    services.annotation_assign(
        actor=editor,
        annotation_id=opinion,
        reviewer=reviewer,
        due_at=timezone.now() + timedelta(days=3),
    )
    services.annotation_update(
        actor=editor,
        annotation_id=assorted["source"],
        changes={"note": "Welche Agentur? <b>fragen</b>", "priority": 4},
        expected_version=None,
    )
    rejected = make_annotation(editor, article, "Die Bundesregierung")
    services.annotation_assign(actor=editor, annotation_id=rejected.pk, reviewer=reviewer)
    first = services.verdict_propose(
        actor=reviewer,
        annotation_id=rejected.pk,
        rating="false",
        rationale=RATIONALE,
        evidence=EVIDENCE,
    )
    services.verdict_reject(actor=chief, verdict_id=first.pk, note="Quelle fehlt noch.")
    services.verdict_propose(
        actor=reviewer, annotation_id=rejected.pk, rating="mostly-false", rationale=RATIONALE
    )
    withdrawn = make_annotation(editor, article, "Kritiker", label="opinion")
    services.annotation_withdraw(actor=editor, annotation_id=withdrawn.pk, expected_version=None)

    listed = api(editor).get("/api/v1/annotations/", {"article": article.pk}).json()["results"]
    expected = [
        AnnotationSerializer(annotation).data
        for annotation in selectors.annotations_with_relations(
            Annotation.objects.filter(article=article)
        ).order_by("start", "end", "id")
    ]
    assert len(listed) == 5
    assert listed == [dict(item) for item in expected]
    second_page = api(editor).get(
        "/api/v1/annotations/", {"article": article.pk, "page_size": 2, "page": 2}
    )
    assert second_page.json()["results"] == [dict(item) for item in expected[2:4]]
    # The article detail embeds the same objects, withdrawn ones left out.
    embedded = api(editor).get(f"/api/v1/articles/{article.pk}/").json()["annotations"]
    assert embedded == [dict(item) for item in expected if item["status"] != "withdrawn"]
    assert len(embedded) == 4
    by_id = {item["id"]: item for item in listed}
    assert by_id[opinion]["assignees"] == ["reviewer"]
    assert by_id[rejected.pk]["current_verdict"]["rating"] == "mostly-false"
    assert by_id[withdrawn.pk]["status"] == "withdrawn"


def _list_queries(client, article_id):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/annotations/", {"article": article_id})
    assert response.status_code == 200
    return len(queries), response.json()["count"]


def test_annotation_list_uses_the_same_number_of_queries_for_1_and_50_rows(editor, reviewer):
    one = make_article(editor, title="Eins", body="Wort " * 60)
    many = make_article(editor, title="Viele", body="Wort " * 60)
    make_annotation(editor, one, "Wort")
    for n in range(50):
        annotation = services.annotation_create(
            actor=editor, article_id=many.pk, label="claim", start=n * 5, end=n * 5 + 4
        )
        if n % 3 == 0:
            services.annotation_assign(actor=editor, annotation_id=annotation.pk, reviewer=reviewer)
        if n % 6 == 0:
            services.verdict_propose(
                actor=reviewer,
                annotation_id=annotation.pk,
                rating="true",
                rationale=RATIONALE,
                evidence=EVIDENCE,
            )
    client = api(editor)
    queries_one, count_one = _list_queries(client, one.pk)
    queries_many, count_many = _list_queries(client, many.pk)
    assert (count_one, count_many) == (1, 50)
    assert queries_one == queries_many


# --- detail, ETag and compare-and-set edits --------------------------------------------------


def test_detail_sends_the_version_as_strong_etag(editor, claim):
    response = api(editor).get(f"/api/v1/annotations/{claim.pk}/")
    assert response.status_code == 200
    assert response["ETag"] == '"1"'


def test_patch_with_current_if_match_updates_and_bumps_the_etag(editor, claim):
    response = api(editor).patch(
        f"/api/v1/annotations/{claim.pk}/",
        {"note": "Zahl prüfen", "priority": 4, "label": "opinion"},
        format="json",
        HTTP_IF_MATCH='"1"',
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["note"], body["priority"], body["label"], body["version"]) == (
        "Zahl prüfen",
        4,
        "opinion",
        2,
    )
    assert response["ETag"] == '"2"'


def test_patch_with_stale_if_match_answers_412_and_changes_nothing(editor, claim):
    services.annotation_update(
        actor=editor, annotation_id=claim.pk, changes={"note": "erste"}, expected_version=1
    )
    response = api(editor).patch(
        f"/api/v1/annotations/{claim.pk}/", {"note": "zweite"}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert response.status_code == 412
    assert response.json() == {
        "detail": "the annotation was changed by someone else (now version 2, you edited "
        "version 1); reload to see their change"
    }
    claim.refresh_from_db()
    assert (claim.note, claim.version) == ("erste", 2)


def test_patch_with_a_weak_etag_answers_412(editor, claim):
    response = api(editor).patch(
        f"/api/v1/annotations/{claim.pk}/", {"note": "x"}, format="json", HTTP_IF_MATCH='W/"1"'
    )
    assert response.status_code == 412
    claim.refresh_from_db()
    assert claim.version == 1


def test_patch_without_if_match_applies_to_the_current_version(editor, claim):
    response = api(editor).patch(f"/api/v1/annotations/{claim.pk}/", {"note": "x"}, format="json")
    assert response.status_code == 200
    assert response.json()["version"] == 2


def test_patch_cannot_move_a_span(editor, claim):
    response = api(editor).patch(
        f"/api/v1/annotations/{claim.pk}/", {"start": 0}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert response.status_code == 400
    assert response.json() == {"start": ["Unknown field; this endpoint does not accept it."]}


def test_patch_with_unknown_label_is_refused(editor, claim):
    response = api(editor).patch(
        f"/api/v1/annotations/{claim.pk}/", {"label": "rumour"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["detail"] == "unknown label 'rumour'"


def test_reviewer_cannot_edit_annotations(reviewer, claim):
    response = api(reviewer).patch(f"/api/v1/annotations/{claim.pk}/", {"note": "x"}, format="json")
    assert response.status_code == 403
    assert response.json() == {"detail": "only editors and chiefs can edit annotations"}


def test_withdrawn_annotation_cannot_be_edited(editor, claim):
    services.annotation_withdraw(actor=editor, annotation_id=claim.pk)
    response = api(editor).patch(f"/api/v1/annotations/{claim.pk}/", {"note": "x"}, format="json")
    assert response.status_code == 409
    assert response.json() == {"detail": "the annotation is withdrawn"}


def test_delete_withdraws_and_keeps_the_history(editor, claim):
    client = api(editor)
    response = client.delete(f"/api/v1/annotations/{claim.pk}/")
    assert response.status_code == 204
    body = client.get(f"/api/v1/annotations/{claim.pk}/").json()
    assert body["status"] == "withdrawn"
    verbs = [
        item["verb"]
        for item in client.get(f"/api/v1/annotations/{claim.pk}/history/").json()["results"]
    ]
    assert verbs == ["annotation.created", "annotation.withdrawn"]


def test_delete_with_stale_if_match_answers_412(editor, claim):
    response = api(editor).delete(f"/api/v1/annotations/{claim.pk}/", HTTP_IF_MATCH='"7"')
    assert response.status_code == 412
    claim.refresh_from_db()
    assert claim.status == "open"


def test_withdrawing_twice_answers_409(editor, claim):
    services.annotation_withdraw(actor=editor, annotation_id=claim.pk)
    response = api(editor).delete(f"/api/v1/annotations/{claim.pk}/")
    assert response.status_code == 409
    assert response.json() == {"detail": "the annotation is already withdrawn"}


def test_reviewer_cannot_withdraw(reviewer, claim):
    response = api(reviewer).delete(f"/api/v1/annotations/{claim.pk}/")
    assert response.status_code == 403
    assert response.json() == {"detail": "only editors and chiefs can withdraw annotations"}


# --- assign and decline ---------------------------------------------------------------------


def test_editor_assigns_by_username_and_gets_the_updated_annotation(editor, reviewer, claim):
    due = (timezone.now() + timedelta(days=1)).isoformat()
    response = api(editor).post(
        f"/api/v1/annotations/{claim.pk}/assign/",
        {"reviewer": "reviewer", "due_at": due},
        format="json",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "assigned"
    assert body["assignees"] == ["reviewer"]
    assert body["version"] == 2
    assert response["ETag"] == '"2"'


def test_editor_assigns_by_id(editor, reviewer, claim):
    response = api(editor).post(
        f"/api/v1/annotations/{claim.pk}/assign/", {"reviewer": reviewer.pk}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["assignees"] == ["reviewer"]


def test_assigning_an_unknown_reviewer_answers_400(editor, claim):
    response = api(editor).post(
        f"/api/v1/annotations/{claim.pk}/assign/", {"reviewer": "nobody"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "reviewer": ["unknown reviewer 'nobody'"],
        "detail": "unknown reviewer 'nobody'",
    }


def test_assigning_someone_who_is_not_a_reviewer_answers_400(editor, chief, claim):
    response = api(editor).post(
        f"/api/v1/annotations/{claim.pk}/assign/", {"reviewer": "chief"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["detail"] == "'chief' is not a reviewer"


def test_assigning_without_a_reviewer_answers_400(editor, claim):
    response = api(editor).post(f"/api/v1/annotations/{claim.pk}/assign/", {}, format="json")
    assert response.status_code == 400
    assert response.json() == {"reviewer": ["This field is required."]}


def test_reviewer_cannot_assign(reviewer, claim):
    response = api(reviewer).post(
        f"/api/v1/annotations/{claim.pk}/assign/", {"reviewer": "reviewer"}, format="json"
    )
    assert response.status_code == 403
    assert response.json() == {"detail": "only editors and chiefs can assign"}


def test_assigning_an_approved_annotation_answers_409_naming_its_state(
    editor, reviewer, other_reviewer, chief, claim
):
    services.annotation_assign(actor=editor, annotation_id=claim.pk, reviewer=reviewer)
    verdict = services.verdict_propose(
        actor=reviewer,
        annotation_id=claim.pk,
        rating="true",
        rationale=RATIONALE,
        evidence=EVIDENCE,
    )
    services.verdict_approve(actor=chief, verdict_id=verdict.pk)
    response = api(editor).post(
        f"/api/v1/annotations/{claim.pk}/assign/", {"reviewer": "reviewer2"}, format="json"
    )
    assert response.status_code == 409
    assert response.json() == {
        "detail": "the annotation is approved; only open or assigned ones can be assigned"
    }


def test_assigned_reviewer_declines_and_the_item_reopens(editor, reviewer, claim):
    services.annotation_assign(actor=editor, annotation_id=claim.pk, reviewer=reviewer)
    response = api(reviewer).post(
        f"/api/v1/annotations/{claim.pk}/decline/", {"reason": "Befangen"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "open"
    assert response.json()["assignees"] == []


def test_declining_without_a_reason_answers_400(editor, reviewer, claim):
    services.annotation_assign(actor=editor, annotation_id=claim.pk, reviewer=reviewer)
    response = api(reviewer).post(
        f"/api/v1/annotations/{claim.pk}/decline/", {"reason": " "}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["detail"] == "give a reason for declining"


def test_only_the_assigned_reviewer_can_decline(editor, reviewer, other_reviewer, claim):
    services.annotation_assign(actor=editor, annotation_id=claim.pk, reviewer=reviewer)
    for user in (other_reviewer, editor):
        response = api(user).post(
            f"/api/v1/annotations/{claim.pk}/decline/", {"reason": "nein"}, format="json"
        )
        assert response.status_code == 403
        assert response.json() == {"detail": "this item is not assigned to you"}


# --- comments and history -------------------------------------------------------------------


def test_any_newsroom_role_comments_and_reads_the_thread(editor, reviewer, claim):
    created = api(reviewer).post(
        f"/api/v1/annotations/{claim.pk}/comments/", {"body": "Quelle fehlt?"}, format="json"
    )
    assert created.status_code == 201
    assert created.json()["author"] == "reviewer"
    assert created.json()["body"] == "Quelle fehlt?"
    thread = api(editor).get(f"/api/v1/annotations/{claim.pk}/comments/").json()
    assert [c["body"] for c in thread["results"]] == ["Quelle fehlt?"]


def test_empty_comment_is_refused(editor, claim):
    response = api(editor).post(
        f"/api/v1/annotations/{claim.pk}/comments/", {"body": "  "}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"body": ["the comment is empty"], "detail": "the comment is empty"}
    assert not Comment.objects.exists()


def test_comment_on_unknown_annotation_answers_404(editor):
    response = api(editor).post(
        "/api/v1/annotations/999999/comments/", {"body": "x"}, format="json"
    )
    assert response.status_code == 404


def test_history_lists_actor_verb_time_and_data(editor, reviewer, claim):
    services.annotation_assign(actor=editor, annotation_id=claim.pk, reviewer=reviewer)
    items = api(reviewer).get(f"/api/v1/annotations/{claim.pk}/history/").json()["results"]
    assert [set(item) for item in items] == [{"actor", "verb", "created_at", "data", "summary"}] * 2
    assert [(i["actor"], i["verb"]) for i in items] == [
        ("editor", "annotation.created"),
        ("editor", "annotation.assigned"),
    ]
    assert items[1]["data"] == {"reviewer": "reviewer", "due_at": None}
    assert [i["summary"] for i in items] == [
        "marked the span as Claim",
        "assigned it to reviewer",
    ]
    assert Event.objects.filter(annotation=claim).count() == 2


def test_history_summaries_follow_the_readers_language(editor, reviewer, claim):
    services.annotation_update(
        actor=editor,
        annotation_id=claim.pk,
        changes={"label": "opinion", "priority": 3},
        expected_version=None,
    )
    url = f"/api/v1/annotations/{claim.pk}/history/"
    english = [i["summary"] for i in api(reviewer).get(url).json()["results"]]
    assert english == ["marked the span as Claim", "edited label, priority"]
    german = api(reviewer).get(url, HTTP_ACCEPT_LANGUAGE="de").json()["results"]
    assert [i["summary"] for i in german] == [
        "hat die Stelle als Behauptung markiert",
        "hat Kategorie, Priorität bearbeitet",
    ]


def test_claim_detail_shows_approved_verdicts_on_similar_claims_elsewhere(
    editor, reviewer, chief, claim
):
    services.annotation_assign(actor=editor, annotation_id=claim.pk, reviewer=reviewer)
    verdict = services.verdict_propose(
        actor=reviewer,
        annotation_id=claim.pk,
        rating="true",
        rationale=RATIONALE,
        evidence=EVIDENCE,
    )
    services.verdict_approve(actor=chief, verdict_id=verdict.pk)
    second = make_article(
        editor,
        title="Zweite Meldung",
        body="Hamburg – Wie berichtet hat die Bundesregierung 4,2 Milliarden Euro für den Ausbau "
        "der Schiene freigegeben.\n",
    )
    repeat = make_annotation(
        editor, second, "4,2 Milliarden Euro für den Ausbau der Schiene freigegeben"
    )
    body = api(reviewer).get(f"/api/v1/annotations/{repeat.pk}/").json()
    assert [(s["verdict"], s["rating"], s["article_title"]) for s in body["similar"]] == [
        (verdict.pk, "true", "Schienenausbau")
    ]
    assert body["similar"][0]["evidence"] == [{"url": "https://example.org/haushalt", "title": ""}]


def test_detail_of_a_non_claim_has_no_similar_verdicts(editor, article):
    opinion = make_annotation(editor, article, "Kritiker meinen", label="opinion")
    assert api(editor).get(f"/api/v1/annotations/{opinion.pk}/").json()["similar"] == []


def test_annotation_list_refuses_an_article_id_that_is_not_whole(editor):
    response = api(editor).get("/api/v1/annotations/", {"article": "1.5"})
    assert response.status_code == 400
    assert response.json() == {"article": ["Enter a whole number."]}


@pytest.mark.parametrize("zone", ["Europe/Berlin", "UTC", "America/New_York", "Asia/Kolkata"])
def test_timestamps_written_by_postgresql_read_as_drf_writes_them(editor, claim, zone):
    """The list has PostgreSQL write its timestamps (selectors.IsoTimestamp): whole
    seconds, microseconds, summer and winter time, UTC, offsets west and half-hours."""
    from datetime import UTC, datetime

    from rest_framework import serializers

    from annotations import selectors

    moments = [
        datetime(2026, 1, 15, 9, 30, 0, tzinfo=UTC),
        datetime(2026, 7, 1, 23, 59, 59, 120, tzinfo=UTC),
        datetime(2026, 3, 29, 1, 0, 0, 999999, tzinfo=UTC),
    ]
    field = serializers.DateTimeField()
    with timezone.override(zone):
        for moment in moments:
            Annotation.objects.filter(pk=claim.pk).update(
                created_at=moment, updated_at=moment, due_at=None
            )
            row = selectors.annotation_values(Annotation.objects.filter(pk=claim.pk)).get()
            due_at, created_at, updated_at = row[10], row[15], row[16]
            assert due_at is None
            assert created_at == updated_at == field.to_representation(moment)
