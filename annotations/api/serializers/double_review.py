"""Request bodies of a blind double review: the two reviewers, the chief's final verdict."""

from __future__ import annotations

from rest_framework import serializers

from .fields import StrictSerializer, UsernameOrIdField


class DoubleReviewSerializer(StrictSerializer):
    reviewers = serializers.ListField(
        child=UsernameOrIdField(),
        min_length=2,
        max_length=2,
        help_text="The two reviewers, by username or id.",
    )


class FinalVerdictSerializer(StrictSerializer):
    rating = serializers.CharField(max_length=40)
    rationale = serializers.CharField(allow_blank=True)
