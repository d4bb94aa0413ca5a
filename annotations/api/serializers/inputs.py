"""Request bodies of the API: shape only, unknown keys refused (services validate
meaning and permission)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from .fields import (
    StrictSerializer,
    UsernameOrIdField,
    date_time_field,
    due_date_field,
    id_field,
    text_field,
)


class TokenRequestSerializer(StrictSerializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False)


class ArticleCreateSerializer(StrictSerializer):
    title = serializers.CharField(max_length=500)
    text = text_field(allow_blank=True)
    language = serializers.CharField(max_length=35, required=False, allow_blank=True)
    source_url = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    outlet = serializers.CharField(max_length=200, required=False, allow_blank=True)
    byline = serializers.CharField(max_length=300, required=False, allow_blank=True)
    published_at = date_time_field()


class ArticleUpdateSerializer(ArticleCreateSerializer):
    # A PATCH: the fields of a new article, each optional. (A comment, not a docstring: the
    # schema shows a serializer's docstring.)

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        for field in fields.values():
            field.required = False
        return fields


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
    due_at = due_date_field()
    claimant = id_field(
        required=False, allow_null=True, help_text="The id of who made the claim (claims only)."
    )
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
    due_at = due_date_field()
    claimant = id_field(
        required=False,
        allow_null=True,
        help_text="The id of who made the claim (claims only); null names nobody.",
    )


class AssignSerializer(StrictSerializer):
    reviewer = UsernameOrIdField(help_text="The reviewer's username or id.")
    due_at = due_date_field()


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
