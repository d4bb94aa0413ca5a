"""Response shapes of the API other than the annotation and article objects: labels,
ratings, users, checks, verdicts, evidence, comments, history, suggestions, errors."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ... import history, machine_text, representation, selectors
from ...models import Comment, Event, Evidence, Label, Rating, SourceCheck, Suggestion, Verdict
from .fields import ObjectField


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(read_only=True)
    expiry = serializers.DateTimeField(read_only=True, allow_null=True)


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


class AnalysisSerializer(serializers.Serializer):
    revision = serializers.IntegerField(help_text="The article's text revision it is about.")
    state = serializers.ChoiceField(
        choices=["queued", "running", "done", "failed", "not_requested"],
        help_text="`queued` (also after a failed attempt that will be tried again, with "
        "its `error`), `running`, `done` (with `suggestions`, possibly 0), `failed` (given "
        "up, with its `error`), `not_requested` (no analysis was asked for this text).",
    )
    suggestions = serializers.IntegerField(
        help_text="Pending suggestions of the current text, once `done`."
    )
    attempts = serializers.IntegerField(help_text="Attempts the worker started.")
    error = serializers.CharField(
        help_text="Why the analysis failed, in the request's language (Accept-Language); "
        "empty when it did not."
    )
    error_code = serializers.CharField(
        help_text="The error as a stable code (`task_error`, `overtime`, `gave_up_after`…)."
    )
    error_params = ObjectField(help_text="The error's parameters by name.")
    message = serializers.CharField(
        help_text="The state in a sentence, in the request's language, as the page shows it."
    )
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)


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
    flags = serializers.SerializerMethodField(
        help_text="Each {code, cue, params, name, explanation}: vague, anonymous, "
        "unreachable, changed…; `name` and `explanation` in the request's language "
        "(Accept-Language)."
    )
    error = serializers.SerializerMethodField(
        help_text="Why the check failed or was blocked, in the request's language "
        "(Accept-Language); empty when it did not."
    )
    error_code = serializers.CharField(
        read_only=True, help_text="The error as a stable code (`dns_failed`, `address_blocked`…)."
    )
    error_params = ObjectField(read_only=True, help_text="The error's parameters by name.")
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
            "error_code",
            "error_params",
            "attempts",
            "requested_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_flags(self, check: SourceCheck) -> list[dict[str, Any]]:
        return machine_text.flags_for_display(check.flags)

    def get_error(self, check: SourceCheck) -> str:
        return machine_text.check_error(check)


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
        # Evidence sent with a verdict is sealed while the verdict is (services.evidence), and
        # a sealed verdict shows to its author alone: its evidence goes where it goes.
        items = [e for e in verdict.evidence.all() if e.removed_at is None]
        return VerdictEvidenceSerializer(items, many=True).data


# One instance each, reused for every row: a ModelSerializer builds its fields on first use,
# and building them again per row of a 50-row list cost more than the queries (queue bench).
_SOURCE_CHECK = SourceCheckSerializer()


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
        check = selectors.latest_evidence_check(evidence)
        return _SOURCE_CHECK.to_representation(check) if check else None


class CommentSerializer(serializers.ModelSerializer):
    annotation = serializers.IntegerField(source="annotation_id", read_only=True)
    author = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Comment
        fields = ["id", "annotation", "author", "body", "created_at"]
        read_only_fields = fields


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


class ClaimantProposalSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True, help_text="Null: not a claimant yet.")
    name = serializers.CharField()
    kind = serializers.CharField(allow_null=True)


class SuggestionSerializer(serializers.ModelSerializer):
    label = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    cue = serializers.SerializerMethodField(
        help_text="Why it was suggested, in the request's language (Accept-Language)."
    )
    reasons = serializers.ListField(
        child=serializers.DictField(),
        read_only=True,
        help_text="The cues that fired it, each {code, params: {words}}.",
    )
    flags = serializers.SerializerMethodField(
        help_text="Each {code, cue, params, name, explanation}, worded in the request's language."
    )
    claimant = serializers.SerializerMethodField(
        help_text="For a claim whose sentence names its speaker: the claimant it proposes, "
        "{id, name, kind} of a known one (by name or alias), or {id: null, name, kind: null} "
        "for one still to create; null when the sentence names nobody."
    )

    class Meta:
        model = Suggestion
        fields = [
            "id",
            "start",
            "end",
            "exact",
            "label",
            "cue",
            "reasons",
            "score",
            "flags",
            "status",
            "claimant",
        ]
        read_only_fields = fields

    def get_cue(self, suggestion: Suggestion) -> str:
        return machine_text.suggestion_reason(suggestion)

    @extend_schema_field(ClaimantProposalSerializer(allow_null=True))
    def get_claimant(self, suggestion: Suggestion) -> dict[str, Any] | None:
        """From the view's context `claimants` (selectors.claimant_proposals), by id."""
        return self.context.get("claimants", {}).get(suggestion.pk)

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_flags(self, suggestion: Suggestion) -> list[dict[str, Any]]:
        return machine_text.flags_for_display(suggestion.flags)


class ErrorSerializer(serializers.Serializer):
    """Every error under /api/: `detail`, and for field errors one list per field."""

    detail = serializers.CharField(required=False)
