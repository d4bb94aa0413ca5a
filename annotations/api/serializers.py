"""Shapes of the REST API v1.

Input serializers validate shape only and refuse keys they do not know (a typo such as
`lable` must not be silently ignored); services validate meaning and permission. Output
serializers read objects loaded by selectors (their prefetches keep lists at a constant
number of queries) and give labels and ratings as slugs, users as usernames.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from django.core.validators import MinValueValidator
from django.db.models import QuerySet
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .. import history, representation, selectors
from ..models import (
    Annotation,
    Article,
    Comment,
    Event,
    Evidence,
    Label,
    Rating,
    SourceCheck,
    Suggestion,
    Verdict,
)

# --- input ----------------------------------------------------------------------------------


class StrictSerializer(serializers.Serializer):
    """Refuses unknown (and read-only) keys with 400 instead of ignoring them."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            unknown = sorted(str(key) for key in data if key not in writable)
            if unknown:
                raise serializers.ValidationError(
                    {name: ["Unknown field; this endpoint does not accept it."] for name in unknown}
                )
        return super().to_internal_value(data)


def text_field(**kwargs: Any) -> serializers.CharField:
    """A CharField that keeps whitespace: quotes and article text must stay byte-exact."""
    return serializers.CharField(trim_whitespace=False, **kwargs)


# A database id: larger values cannot exist, and saying so early keeps them out of SQL.
MAX_ID = 2**63 - 1


def id_field(**kwargs: Any) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


# Before 1893 Europe/Berlin kept local mean time, an offset with seconds (+00:53:28) that
# no RFC 3339 timestamp can carry: the API could not give such a date back. No article or
# deadline of a newsroom is that old.
EARLIEST_DATE = datetime(1900, 1, 1, tzinfo=UTC)


def date_time_field(**kwargs: Any) -> serializers.DateTimeField:
    """An optional input date and time, from 1900 on."""
    return serializers.DateTimeField(
        required=False,
        allow_null=True,
        validators=[MinValueValidator(EARLIEST_DATE, message="give a date from 1900 on")],
        **kwargs,
    )


class TokenRequestSerializer(StrictSerializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False)


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(read_only=True)
    expiry = serializers.DateTimeField(read_only=True, allow_null=True)


class ArticleCreateSerializer(StrictSerializer):
    title = serializers.CharField(max_length=500)
    text = text_field(allow_blank=True)
    language = serializers.CharField(max_length=35, required=False, allow_blank=True)
    source_url = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    outlet = serializers.CharField(max_length=200, required=False, allow_blank=True)
    byline = serializers.CharField(max_length=300, required=False, allow_blank=True)
    published_at = date_time_field()


class ArticleUpdateSerializer(StrictSerializer):
    title = serializers.CharField(max_length=500, required=False)
    text = text_field(required=False, allow_blank=True)
    language = serializers.CharField(max_length=35, required=False, allow_blank=True)
    source_url = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    outlet = serializers.CharField(max_length=200, required=False, allow_blank=True)
    byline = serializers.CharField(max_length=300, required=False, allow_blank=True)
    published_at = date_time_field()


class ArticlePublishSerializer(StrictSerializer):
    with_open_claims = serializers.BooleanField(required=False, default=False)
    acknowledge = serializers.ListField(
        child=serializers.CharField(max_length=100),
        required=False,
        default=list,
        max_length=1000,
        help_text="The `key` of every warning of the publish gate, each acknowledged by "
        "the chief who publishes; the acknowledgements are recorded with their name.",
    )


class ArticleArchiveSerializer(StrictSerializer):
    reason = serializers.CharField(max_length=1000, required=False, allow_blank=True)


class GateItemSerializer(serializers.Serializer):
    key = serializers.CharField(required=False, help_text="Warnings: what `acknowledge` names")
    code = serializers.CharField()
    message = serializers.CharField()
    annotation = serializers.IntegerField(required=False)
    exact = serializers.CharField(required=False)
    url = serializers.CharField(required=False)


class PublishGateSerializer(serializers.Serializer):
    ready = serializers.BooleanField()
    blockers = GateItemSerializer(many=True)
    warnings = GateItemSerializer(many=True)


class ArticleImportSerializer(StrictSerializer):
    """Either `file` (multipart: .txt, .md, .html, with an optional title and language) or
    `url` (JSON)."""

    file = serializers.FileField(required=False, allow_empty_file=True)
    url = serializers.CharField(max_length=2000, required=False)
    title = serializers.CharField(max_length=500, required=False, allow_blank=True)
    language = serializers.CharField(max_length=35, required=False, allow_blank=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("file" in attrs) == ("url" in attrs):
            raise serializers.ValidationError(
                "send either a file (multipart field `file`) or a `url`, not both or neither"
            )
        if "url" in attrs and ({"title", "language"} & set(attrs)):
            # The worker takes both from the fetched page.
            raise serializers.ValidationError("title and language go with a file, not a url")
        return attrs


class AnnotationCreateSerializer(StrictSerializer):
    article = id_field()
    # Negative and too-large offsets reach the service, whose message names the text length.
    start = serializers.IntegerField()
    end = serializers.IntegerField()
    label = serializers.CharField(max_length=40)
    note = serializers.CharField(required=False, allow_blank=True)
    exact = text_field(required=False)
    priority = serializers.IntegerField(required=False)
    due_at = date_time_field()
    offset_unit = serializers.ChoiceField(
        choices=["codepoint", "utf16"],
        required=False,
        default="codepoint",
        help_text="How `start` and `end` count: code points (default) or UTF-16 code units.",
    )


class AnnotationUpdateSerializer(StrictSerializer):
    label = serializers.CharField(max_length=40, required=False)
    note = serializers.CharField(required=False, allow_blank=True)
    priority = serializers.IntegerField(required=False)
    due_at = date_time_field()


@extend_schema_field({"oneOf": [{"type": "string"}, {"type": "integer"}]})
class UsernameOrIdField(serializers.Field):
    def to_internal_value(self, data: Any) -> str:
        if isinstance(data, bool) or not isinstance(data, (str, int)):
            raise serializers.ValidationError("give the reviewer's username or id")
        value = str(data).strip()
        if not value or len(value) > 150:
            raise serializers.ValidationError("give the reviewer's username or id")
        if value.isdecimal() and int(value) > MAX_ID:  # not isdigit: int() refuses "²"
            raise serializers.ValidationError(f"unknown reviewer '{value}'")
        return value

    def to_representation(self, value: Any) -> Any:
        return value


class AssignSerializer(StrictSerializer):
    reviewer = UsernameOrIdField(help_text="The reviewer's username or id.")
    due_at = date_time_field()


class DeclineSerializer(StrictSerializer):
    reason = serializers.CharField(allow_blank=True)


class EvidenceInputSerializer(StrictSerializer):
    url = serializers.CharField(max_length=2000)
    title = serializers.CharField(max_length=500, required=False, allow_blank=True)
    note = serializers.CharField(required=False, allow_blank=True)


class VerdictCreateSerializer(StrictSerializer):
    rating = serializers.CharField(max_length=40)
    rationale = serializers.CharField(allow_blank=True)
    evidence = EvidenceInputSerializer(many=True, required=False)


class VerdictApproveSerializer(StrictSerializer):
    note = serializers.CharField(required=False, allow_blank=True)


class VerdictRejectSerializer(StrictSerializer):
    note = serializers.CharField(allow_blank=True)


class CommentCreateSerializer(StrictSerializer):
    body = serializers.CharField(allow_blank=True)


class EmptySerializer(StrictSerializer):
    """For actions that take no input: any key is refused."""


# --- output ---------------------------------------------------------------------------------


class RatingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Rating
        fields = [
            "slug",
            "name",
            "name_de",
            "description",
            "description_de",
            "order",
            "claimreview_value",
            "colour",
        ]


class LabelSerializer(serializers.ModelSerializer):
    class Meta:
        model = Label
        fields = ["slug", "name", "name_de", "colour", "shortcut", "needs_verdict", "order"]


class UserSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(read_only=True)
    name = serializers.SerializerMethodField()
    roles = serializers.SerializerMethodField()
    open_assignments = serializers.IntegerField(
        read_only=True, help_text="Pending assignments: the reviewer's current workload."
    )

    def get_name(self, user: Any) -> str:
        return user.get_full_name()

    def get_roles(self, user: Any) -> list[str]:
        return sorted(group.name for group in user.groups.all())


class SourceCheckSerializer(serializers.ModelSerializer):
    url = serializers.CharField(read_only=True, help_text="The URL as submitted.")
    evidence = serializers.IntegerField(source="evidence_id", read_only=True, allow_null=True)
    sha256 = serializers.CharField(
        read_only=True, help_text="SHA-256 (hex) of the page's extracted main text."
    )
    excerpt = serializers.CharField(
        read_only=True, help_text="The passage of the source that best matches the quote."
    )
    flags = serializers.ListField(
        child=serializers.DictField(),
        read_only=True,
        help_text="Each {code, cue, explanation}: vague, anonymous, unreachable, changed…",
    )
    attempts = serializers.IntegerField(
        read_only=True, help_text="Fetches started, retries and re-sent deliveries included."
    )

    class Meta:
        model = SourceCheck
        fields = [
            "id",
            "url",
            "evidence",
            "status",
            "http_status",
            "final_url",
            "content_type",
            "title",
            "sha256",
            "quote_found",
            "quote_score",
            "excerpt",
            "flags",
            "error",
            "attempts",
            "requested_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields


class VerdictEvidenceSerializer(serializers.ModelSerializer):
    url = serializers.CharField(read_only=True)

    class Meta:
        model = Evidence
        fields = ["id", "url", "title", "note"]


class CurrentVerdictSerializer(serializers.ModelSerializer):
    rating = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    author = serializers.SlugRelatedField(slug_field="username", read_only=True)
    decided_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = Verdict
        fields = list(representation.VERDICT_FIELDS)


class VerdictSerializer(CurrentVerdictSerializer):
    """A verdict with its evidence; the view loads evidence with the verdict."""

    annotation = serializers.IntegerField(source="annotation_id", read_only=True)
    annotation_status = serializers.CharField(source="annotation.status", read_only=True)
    evidence = serializers.SerializerMethodField()

    class Meta(CurrentVerdictSerializer.Meta):
        fields = [
            "id",
            "annotation",
            "annotation_status",
            *representation.VERDICT_FIELDS[1:],
            "evidence",
        ]

    @extend_schema_field(VerdictEvidenceSerializer(many=True))
    def get_evidence(self, verdict: Verdict) -> list[dict[str, Any]]:
        items = [e for e in verdict.evidence.all() if e.removed_at is None]
        return VerdictEvidenceSerializer(items, many=True).data


# One instance each, reused for every row: a ModelSerializer builds its fields on first use,
# and building them again per row of a 50-row list cost more than the queries (queue bench).
_SOURCE_CHECK = SourceCheckSerializer()


class AnnotationSerializer(serializers.ModelSerializer):
    """The annotation object of DESIGN.md. Reads relations that
    `selectors.annotations_with_relations` prefetched."""

    article = serializers.IntegerField(source="article_id", read_only=True)
    label = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    assignees = serializers.SerializerMethodField()
    current_verdict = serializers.SerializerMethodField()
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
    annotations = {
        row.id: row
        for row in selectors.annotation_values(
            Annotation.objects.filter(pk__in=ids).order_by(), article_title=True
        )
    }
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
    live = (
        Annotation.objects.filter(article=article)
        .exclude(status=Annotation.Status.WITHDRAWN)
        .order_by("start", "end", "id")
    )
    return annotation_objects(list(selectors.annotation_values(live)), among=live.values("id"))


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


class EvidenceSerializer(serializers.ModelSerializer):
    url = serializers.CharField(read_only=True)
    annotation = serializers.IntegerField(source="annotation_id", read_only=True)
    verdict = serializers.IntegerField(source="verdict_id", read_only=True, allow_null=True)
    added_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    latest_check = serializers.SerializerMethodField()

    class Meta:
        model = Evidence
        fields = [
            "id",
            "annotation",
            "verdict",
            "url",
            "title",
            "note",
            "added_by",
            "created_at",
            "latest_check",
        ]
        read_only_fields = fields

    @extend_schema_field(SourceCheckSerializer(allow_null=True))
    def get_latest_check(self, evidence: Evidence) -> dict[str, Any] | None:
        checks = getattr(evidence, "check_list", None)
        if checks is None:
            checks = list(evidence.checks.order_by("-requested_at", "-id")[:1])
        return _SOURCE_CHECK.to_representation(checks[0]) if checks else None


class CommentSerializer(serializers.ModelSerializer):
    annotation = serializers.IntegerField(source="annotation_id", read_only=True)
    author = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Comment
        fields = ["id", "annotation", "author", "body", "created_at"]
        read_only_fields = fields


@extend_schema_field(OpenApiTypes.OBJECT)
class ObjectField(serializers.JSONField):
    """A JSON object (an event's data)."""


class HistoryItemSerializer(serializers.ModelSerializer):
    actor = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    data = ObjectField(read_only=True)
    summary = serializers.SerializerMethodField(
        help_text="What happened, in words, in the request's language (Accept-Language)."
    )

    class Meta:
        model = Event
        fields = ["actor", "verb", "created_at", "data", "summary"]
        read_only_fields = fields

    def get_summary(self, event: Event) -> str:
        # The names of labels and ratings are read once per response, not per event.
        names = self.context.get("history_names")
        if names is None:
            names = self.context["history_names"] = history.Names.load()
        return history.summary(event, names)


class SuggestionSerializer(serializers.ModelSerializer):
    label = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    flags = serializers.ListField(child=serializers.DictField(), read_only=True)

    class Meta:
        model = Suggestion
        fields = ["id", "start", "end", "exact", "label", "cue", "score", "flags", "status"]
        read_only_fields = fields


class ErrorSerializer(serializers.Serializer):
    """Every error under /api/: `detail`, and for field errors one list per field."""

    detail = serializers.CharField(required=False)
