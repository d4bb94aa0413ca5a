"""The annotation and article objects of the API: the serializers describe them for the
schema; `representation` builds them (one place), from rows the selectors read."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ... import representation, selectors
from ...models import Annotation, Article
from .claimants import ClaimantRefSerializer
from .outputs import _SOURCE_CHECK, CurrentVerdictSerializer, SourceCheckSerializer


class AnnotationSerializer(serializers.ModelSerializer):
    """The annotation object of DESIGN.md. Reads relations that
    `selectors.annotations_with_relations` prefetched."""

    article = serializers.IntegerField(source="article_id", read_only=True)
    label = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    assignees = serializers.SerializerMethodField()
    current_verdict = serializers.SerializerMethodField()
    claimant = ClaimantRefSerializer(
        read_only=True, allow_null=True, help_text="Who made the claim, when the desk named them."
    )
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Annotation
        fields = list(representation.API_FIELDS)
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_assignees(self, annotation: Annotation) -> list[str]:
        return selectors.assignees(annotation)

    @extend_schema_field(CurrentVerdictSerializer(allow_null=True))
    def get_current_verdict(self, annotation: Annotation) -> dict[str, Any] | None:
        verdict = representation.verdict_row_of(selectors.current_verdict(annotation))
        if verdict is None:
            return None
        return representation.verdict_object(verdict, representation.api_time())

    def to_representation(self, instance: Annotation) -> dict[str, Any]:
        """The object from representation.api_object: this class describes it for the
        schema and builds nothing itself. Reads what `selectors.annotations_with_relations`
        prefetched."""
        return representation.api_object(
            representation.row_of(instance),
            selectors.assignees(instance),
            representation.verdict_row_of(selectors.current_verdict(instance)),
        )


class SimilarEvidenceSerializer(serializers.Serializer):
    url = serializers.CharField()
    title = serializers.CharField()


class SimilarVerdictSerializer(serializers.Serializer):
    """An approved verdict on a similar claim of another article (selectors.similar_claims)."""

    verdict = serializers.IntegerField()
    annotation = serializers.IntegerField()
    article = serializers.IntegerField()
    article_title = serializers.CharField()
    exact = serializers.CharField()
    rating = serializers.CharField(help_text="Rating slug.")
    rating_name = serializers.CharField()
    rationale = serializers.CharField()
    decided_at = serializers.DateTimeField(allow_null=True)
    score = serializers.FloatField(help_text="0–1, how close the claims are.")
    evidence = SimilarEvidenceSerializer(many=True)
    review_url = serializers.SerializerMethodField(
        help_text="The earlier claim's review page, with its verdict and evidence."
    )
    report_url = serializers.SerializerMethodField(
        help_text="The earlier article's report page (public once the article is published)."
    )

    def get_review_url(self, item: dict[str, Any]) -> str:
        return reverse("annotations:annotation-review", args=[item["annotation"]])

    def get_report_url(self, item: dict[str, Any]) -> str:
        return reverse("annotations:article-report", args=[item["article"]])


class AnnotationDetailSerializer(AnnotationSerializer):
    """One annotation: the annotation object plus, for a claim, approved verdicts on
    similar claims elsewhere, so a reviewer can reuse their evidence."""

    similar = serializers.SerializerMethodField()

    class Meta(AnnotationSerializer.Meta):
        fields = [*AnnotationSerializer.Meta.fields, "similar"]
        read_only_fields = fields

    @extend_schema_field(SimilarVerdictSerializer(many=True))
    def get_similar(self, annotation: Annotation) -> list[dict[str, Any]]:
        if not annotation.label.needs_verdict:
            return []
        return SimilarVerdictSerializer(selectors.similar_claims(annotation), many=True).data

    def to_representation(self, instance: Annotation) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["similar"] = self.get_similar(instance)
        return data


class QueueItemSerializer(AnnotationSerializer):
    """A queue row: the assignment's annotation plus where it comes from and its state.
    It describes the row for the schema; `queue_objects` builds the rows.

    `due_at` is the assignment's due date (it defaults to the annotation's)."""

    article_title = serializers.CharField(read_only=True)
    assigned_by = serializers.CharField(read_only=True, help_text="Who assigned it.")
    latest_check = SourceCheckSerializer(read_only=True, allow_null=True)

    class Meta(AnnotationSerializer.Meta):
        fields = [*AnnotationSerializer.Meta.fields, "article_title", "assigned_by", "latest_check"]
        read_only_fields = fields


def annotation_objects(rows: list[Any], *, among: QuerySet | None = None) -> list[dict[str, Any]]:
    """Annotation objects (what AnnotationSerializer gives) for rows of
    `selectors.annotation_values`, with two more queries for the page: assignees and
    latest verdicts (`among`: a query of the rows' ids, see selectors.assignee_names).
    tests/api/test_api_annotations.py compares the two, field by field."""
    if not rows:
        return []
    ids = [row.id for row in rows]
    return representation.api_objects(
        rows,
        selectors.assignee_names(ids, among=among),
        selectors.latest_verdicts(ids, among=among),
    )


def queue_objects(rows: list[tuple]) -> list[dict[str, Any]]:
    """Queue rows (QueueItemSerializer's shape) for a page of `selectors.queue_values`:
    the annotation object with the assignment's due date, the article's title, who
    assigned it and the latest source check. Four queries for the page: the annotations,
    their assignees, latest verdicts and latest checks (tests/api/test_queue_order.py
    compares a row with the annotation endpoint's object)."""
    if not rows:
        return []
    ids = [annotation_id for annotation_id, _due_at, _assigned_by in rows]
    annotations = selectors.annotation_rows_by_id(ids, article_title=True)
    names = selectors.assignee_names(ids)
    verdicts = selectors.latest_verdicts(ids)
    checks = selectors.latest_checks(ids)
    time = representation.api_time()
    objects = []
    for annotation_id, due_at, assigned_by in rows:
        check = checks.get(annotation_id)
        objects.append(
            representation.queue_item(
                annotations[annotation_id],
                names.get(annotation_id, []),
                verdicts.get(annotation_id),
                due_at=due_at,
                assigned_by=assigned_by,
                latest_check=_SOURCE_CHECK.to_representation(check) if check else None,
                time=time,
            )
        )
    return objects


def new_annotation_object(annotation: Annotation) -> dict[str, Any]:
    """The annotation object of an annotation just created (no assignments or verdicts
    yet), built from the instance the service returned, with its label and author."""
    return representation.api_object(representation.row_of(annotation), [], None)


class ArticleSerializer(serializers.ModelSerializer):
    """An article in lists: everything but the text."""

    source_url = serializers.CharField(read_only=True, help_text="http(s) URL, or empty.")
    created_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = Article
        fields = [
            "id",
            "title",
            "language",
            "source_url",
            "outlet",
            "byline",
            "published_at",
            "revision",
            "status",
            "import_error",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ArticleDetailSerializer(ArticleSerializer):
    """One article with its text and its live (not withdrawn) annotations in text order."""

    annotations = serializers.SerializerMethodField()

    class Meta(ArticleSerializer.Meta):
        fields = [*ArticleSerializer.Meta.fields, "text", "annotations"]
        read_only_fields = fields

    @extend_schema_field(AnnotationSerializer(many=True))
    def get_annotations(self, article: Article) -> list[dict[str, Any]]:
        annotations = self.context.get("annotations")
        return annotations if annotations is not None else live_annotation_objects(article)


def live_annotation_objects(article: Article) -> list[dict[str, Any]]:
    """The annotation objects of the article's live annotations, in text order, built
    from plain values (see annotation_objects): three queries however many there are."""
    rows, among = selectors.live_span_rows(article)
    return annotation_objects(rows, among=among)


class ReanchoredSerializer(serializers.Serializer):
    anchored = serializers.IntegerField()
    fuzzy = serializers.IntegerField()
    orphaned = serializers.IntegerField()


class ArticleUpdateResultSerializer(ArticleDetailSerializer):
    reanchored = serializers.SerializerMethodField(
        help_text="How the annotations moved; null when the text did not change."
    )

    class Meta(ArticleDetailSerializer.Meta):
        fields = [*ArticleDetailSerializer.Meta.fields, "reanchored"]
        read_only_fields = fields

    @extend_schema_field(ReanchoredSerializer(allow_null=True))
    def get_reanchored(self, article: Article) -> dict[str, int] | None:
        return self.context.get("reanchored")
