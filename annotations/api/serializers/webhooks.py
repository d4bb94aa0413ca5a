"""Webhook subscriptions and deliveries: request bodies and answers."""

from __future__ import annotations

from typing import Any

from django.core.validators import MinValueValidator
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ...models import WebhookDelivery, WebhookSubscription
from .fields import EARLIEST_DATE, StrictSerializer


@extend_schema_field(
    serializers.ListField(
        child=serializers.ChoiceField(choices=WebhookSubscription.EventType.choices)
    )
)
class EventTypesField(serializers.Field):
    """A list of event types. Its errors are one flat list of messages, as every field
    error of the API (a ListField would key a bad item's errors by its index)."""

    def to_internal_value(self, data: Any) -> list[str]:
        if not isinstance(data, list) or not data:
            raise serializers.ValidationError("give a list of event types")
        known = set(WebhookSubscription.EventType.values)
        unknown = [str(item) for item in data if not isinstance(item, str) or item not in known]
        if unknown:
            raise serializers.ValidationError(
                "unknown event type: "
                + ", ".join(unknown)[:500]
                + "; known: "
                + ", ".join(WebhookSubscription.EventType.values)
            )
        return list(data)

    def to_representation(self, value: Any) -> Any:
        return value


class WebhookCreateSerializer(StrictSerializer):
    url = serializers.CharField(max_length=2000, help_text="An http(s) URL that takes POSTs.")
    event_types = EventTypesField(help_text="The event types the receiver wants.")
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)


class WebhookUpdateSerializer(StrictSerializer):
    url = serializers.CharField(max_length=2000, required=False)
    event_types = EventTypesField(required=False)
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)
    is_active = serializers.BooleanField(
        required=False, help_text="false disables it; true enables it and sends what waits."
    )


class WebhookRedeliverSinceSerializer(StrictSerializer):
    since = serializers.DateTimeField(
        validators=[MinValueValidator(EARLIEST_DATE, message="give a date from 1900 on")],
        help_text="Every delivered or failed delivery created at or after this time is sent "
        "again, in order, with its webhook-id.",
    )


class WebhookSerializer(serializers.ModelSerializer):
    """A subscription; its secret is never shown again after it was made or rotated."""

    event_types = serializers.ListField(child=serializers.CharField(), read_only=True)
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    unsent = serializers.IntegerField(read_only=True, help_text="Deliveries still to send.")
    failed = serializers.IntegerField(read_only=True, help_text="Deliveries given up.")
    last_delivered_at = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = WebhookSubscription
        fields = [
            "id",
            "url",
            "description",
            "event_types",
            "is_active",
            "disabled_reason",
            "failing_since",
            "unsent",
            "failed",
            "last_delivered_at",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class WebhookWithSecretSerializer(WebhookSerializer):
    secret = serializers.CharField(
        read_only=True,
        help_text="The signing secret (whsec_…), shown this once: store it now.",
    )

    class Meta(WebhookSerializer.Meta):
        fields = [*WebhookSerializer.Meta.fields, "secret"]
        read_only_fields = fields


class WebhookDeliverySerializer(serializers.ModelSerializer):
    """One delivery and its last attempt."""

    webhook_id = serializers.CharField(
        source="message_id", read_only=True, help_text="The webhook-id header."
    )
    event = serializers.IntegerField(source="event_id", read_only=True, allow_null=True)
    status_code = serializers.IntegerField(
        source="last_status_code", read_only=True, allow_null=True
    )
    duration_ms = serializers.IntegerField(
        source="last_duration_ms", read_only=True, allow_null=True
    )
    response = serializers.CharField(
        source="last_response", read_only=True, help_text="The first bytes of the answer."
    )
    error = serializers.CharField(source="last_error", read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "webhook_id",
            "event",
            "event_type",
            "state",
            "attempts",
            "created_at",
            "last_attempt_at",
            "next_attempt_at",
            "delivered_at",
            "status_code",
            "duration_ms",
            "response",
            "error",
        ]
        read_only_fields = fields


class WebhookRedeliveredSerializer(serializers.Serializer):
    redelivered = serializers.IntegerField(read_only=True)
