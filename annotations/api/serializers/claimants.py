"""Claimants in the API: the object, the brief reference an annotation carries, and the
bodies of a create and an edit (shape only; services.claimants validates meaning)."""

from __future__ import annotations

from rest_framework import serializers

from ...models import Claimant
from .fields import StrictSerializer, id_field


class ClaimantRefSerializer(serializers.Serializer):
    """The claimant an annotation names: its id, name and kind."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=Claimant.Kind.choices)


class ClaimantSerializer(serializers.ModelSerializer):
    """A claimant: who made claims, a person or an organisation, with the other names the
    desk knows it by."""

    aliases = serializers.ListField(child=serializers.CharField(), read_only=True)
    created_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = Claimant
        fields = [
            "id",
            "name",
            "kind",
            "aliases",
            "url",
            "description",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ClaimantCreateSerializer(StrictSerializer):
    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=Claimant.Kind.choices)
    aliases = serializers.ListField(
        child=serializers.CharField(max_length=200),
        required=False,
        max_length=50,
        help_text="Other names of the claimant, searched like its name.",
    )
    url = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, help_text="http(s) URL, or empty."
    )
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True)


class ClaimantUpdateSerializer(ClaimantCreateSerializer):
    # A PATCH: the fields of a new claimant, each optional. (A comment, not a docstring: the
    # schema shows a serializer's docstring.)

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        for field in fields.values():
            field.required = False
        return fields


class ClaimantMergeSerializer(StrictSerializer):
    duplicate = id_field(
        help_text="The claimant folded into this one: its claims name this one instead, its "
        "name and aliases become aliases, and it is deleted."
    )
