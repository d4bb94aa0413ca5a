"""One annotation representation (annotations/representation.py): the API's list, detail
and create, the annotate page and the bulk export all give the object that DRF's own
fields give, checked field by field against a reference serializer kept here."""

import json
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework import serializers
from rest_framework.test import APIClient

from annotations import exports, selectors, services
from annotations.models import Annotation, Assignment, Verdict
from tests.factories import api_token, make_annotation

pytestmark = pytest.mark.django_db

RATIONALE = "Der Haushaltsplan nennt exakt diese Summe auf Seite 12."


class ReferenceVerdict(serializers.ModelSerializer):
    rating = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    author = serializers.SlugRelatedField(slug_field="username", read_only=True)
    decided_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Verdict
        fields = [
            "id",
            "rating",
            "status",
            "rationale",
            "author",
            "decided_by",
            "decided_at",
            "decision_note",
            "quote",
            "article_revision",
            "created_at",
        ]


class ReferenceAnnotation(serializers.ModelSerializer):
    """The annotation object of DESIGN.md from DRF's per-field serializers, as the API
    built it before representation.py: the contract the single builder must keep."""

    article = serializers.IntegerField(source="article_id")
    label = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    assignees = serializers.SerializerMethodField()
    current_verdict = serializers.SerializerMethodField()
    claimant = serializers.SerializerMethodField()
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Annotation
        fields = [
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

    def get_claimant(self, annotation):
        claimant = annotation.claimant
        if claimant is None:
            return None
        return {"id": claimant.pk, "name": claimant.name, "kind": claimant.kind}

    def get_assignees(self, annotation):
        names = []
        for assignment in annotation.assignments.exclude(state="declined").order_by("id"):
            if assignment.reviewer.username not in names:
                names.append(assignment.reviewer.username)
        return names

    def get_current_verdict(self, annotation):
        latest = annotation.verdicts.order_by("-id").first()
        return ReferenceVerdict(latest).data if latest else None


def api(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
    return client


def reference(article) -> list[dict]:
    annotations = Annotation.objects.filter(article=article).order_by("start", "end", "id")
    return [json.loads(json.dumps(ReferenceAnnotation(a).data)) for a in annotations]


@pytest.fixture
def varied(editor, reviewer, other_reviewer, chief, article):
    """A claim naming its claimant, assigned twice (one declined) with a rejected and a
    proposed verdict, a noted source with a due date, and a withdrawn opinion."""
    claim = make_annotation(editor, article, "Die Bundesregierung")
    claimant = services.claimant_create(actor=editor, name="Bundesregierung", kind="organisation")
    services.annotation_claimant_set(actor=editor, annotation_id=claim.pk, claimant_id=claimant.pk)
    services.annotation_assign(actor=editor, annotation_id=claim.pk, reviewer=other_reviewer)
    services.assignment_decline(actor=other_reviewer, annotation_id=claim.pk, reason="Urlaub")
    services.annotation_assign(
        actor=editor,
        annotation_id=claim.pk,
        reviewer=reviewer,
        due_at=timezone.now() + timedelta(days=2, microseconds=7),
    )
    first = services.verdict_propose(
        actor=reviewer,
        annotation_id=claim.pk,
        rating="false",
        rationale=RATIONALE,
        evidence=[services.EvidenceInput(url="https://example.org/haushalt")],
    )
    services.verdict_reject(actor=chief, verdict_id=first.pk, note="Quelle fehlt noch.")
    services.verdict_propose(
        actor=reviewer, annotation_id=claim.pk, rating="mostly-false", rationale=RATIONALE
    )
    source = make_annotation(editor, article, "Kritiker", label="source")
    services.annotation_update(
        actor=editor,
        annotation_id=source.pk,
        changes={"note": "Welche <b>Agentur</b>?", "priority": 4},
        expected_version=None,
    )
    opinion = make_annotation(editor, article, "Milliarden", label="opinion")
    services.annotation_withdraw(actor=editor, annotation_id=opinion.pk, expected_version=None)
    return {"claim": claim.pk, "source": source.pk, "opinion": opinion.pk}


def test_api_list_detail_and_article_give_what_drfs_fields_give(editor, article, varied):
    expected = reference(article)
    listed = api(editor).get("/api/v1/annotations/", {"article": article.pk}).json()["results"]
    assert listed == expected
    assert [item["assignees"] for item in listed if item["id"] == varied["claim"]] == [["reviewer"]]
    detail = api(editor).get(f"/api/v1/annotations/{varied['claim']}/")
    assert detail.status_code == 200
    assert detail["ETag"] == f'"{detail.json()["version"]}"'
    body = detail.json()
    assert body.pop("similar") is not None
    assert body == next(item for item in expected if item["id"] == varied["claim"])
    embedded = api(editor).get(f"/api/v1/articles/{article.pk}/").json()["annotations"]
    assert embedded == [item for item in expected if item["id"] != varied["opinion"]]


def test_created_annotation_answers_what_drfs_fields_give(editor, article):
    start = article.text.index("Kritiker")
    response = api(editor).post(
        "/api/v1/annotations/",
        {"article": article.pk, "start": start, "end": start + 8, "label": "claim"},
        format="json",
    )
    assert response.status_code == 201
    assert [response.json()] == reference(article)


def test_annotate_page_hands_the_script_the_api_objects_plus_verdicts(
    client, editor, article, varied
):
    client.force_login(editor)
    page = client.get(f"/articles/{article.pk}/").content.decode()
    found = re.search(r'<script id="page-data" type="application/json">(.*?)</script>', page, re.S)
    assert found is not None
    spans = json.loads(found.group(1))["annotations"]
    histories = {span["id"]: span.pop("verdicts") for span in spans}
    assignments = {span["id"]: span.pop("assignments") for span in spans}
    assert spans == reference(article)
    # The panel's one due date: each assignment's day at the desk, declined ones left out.
    [assignment] = assignments[varied["claim"]]
    due_at = Assignment.objects.get(
        annotation_id=varied["claim"], reviewer__username="reviewer"
    ).due_at
    assert assignment == {
        "reviewer": "reviewer",
        "due_at": timezone.localtime(due_at).isoformat(),
        "due_day": timezone.localtime(due_at).date().isoformat(),
        "state": "done",  # its verdict is proposed
    }
    assert assignments[varied["source"]] == []
    claim_history = Verdict.objects.filter(annotation_id=varied["claim"]).order_by("id")
    assert histories[varied["claim"]] == [
        json.loads(json.dumps(ReferenceVerdict(verdict).data)) for verdict in claim_history
    ]
    assert [v["status"] for v in histories[varied["claim"]]] == ["rejected", "proposed"]
    assert histories[varied["source"]] == []


def test_export_rows_carry_the_api_objects_values(article, varied):
    rows = {row["id"]: row for row in exports.annotation_rows(Annotation.objects.all())}
    for item in reference(article):
        row = rows[item["id"]]
        for field in ("article", "exact", "prefix", "suffix", "label", "note", "priority"):
            assert row[field] == item[field]
        assert row["assignees"] == item["assignees"]
        verdict = item["current_verdict"]
        assert row["rating"] == (verdict["rating"] if verdict else None)
        assert row["verdict_status"] == (verdict["status"] if verdict else None)
        assert row["article_title"] == article.title
        claimant = item["claimant"] or {"id": None, "name": None, "kind": None}
        assert (row["claimant_id"], row["claimant"], row["claimant_kind"]) == (
            claimant["id"],
            claimant["name"],
            claimant["kind"],
        )
    assert rows[varied["claim"]]["rating"] == "mostly-false"
    assert rows[varied["claim"]]["claimant"] == "Bundesregierung"


def test_selected_rows_are_read_by_name(article, varied):
    row = selectors.annotation_values(Annotation.objects.filter(pk=varied["source"])).get()
    assert (row.id, row.label, row.note, row.priority) == (
        varied["source"],
        "source",
        "Welche <b>Agentur</b>?",
        4,
    )
    assert row.article_title is None
    assert selectors.assignee_names([varied["claim"]]) == {varied["claim"]: ["reviewer"]}
    latest = selectors.latest_verdicts([varied["claim"], varied["source"]])
    assert list(latest) == [varied["claim"]]
    assert (latest[varied["claim"]].rating, latest[varied["claim"]].status) == (
        "mostly-false",
        "proposed",
    )
