"""Webhook subscriptions and their delivery log, for the chiefs' page and the API."""

from __future__ import annotations

from django.db.models import Count, Max, Q, QuerySet

from ..models import WebhookDelivery, WebhookSubscription

_UNFINISHED = [WebhookDelivery.State.PENDING, WebhookDelivery.State.SENDING]


def webhook_list() -> QuerySet[WebhookSubscription]:
    """Every subscription with the number of deliveries still to send and when the last
    one went out, in one query."""
    return (
        WebhookSubscription.objects.select_related("created_by")
        .annotate(
            unsent=Count("deliveries", filter=Q(deliveries__state__in=_UNFINISHED)),
            failed=Count("deliveries", filter=Q(deliveries__state=WebhookDelivery.State.FAILED)),
            last_delivered_at=Max("deliveries__delivered_at"),
        )
        .order_by("created_at", "id")
    )


def webhook_detail(pk: int) -> WebhookSubscription:
    """One subscription with the list's counts. Raises DoesNotExist."""
    return webhook_list().get(pk=pk)


def webhook_deliveries(webhook_id: int, *, state: str | None = None) -> QuerySet[WebhookDelivery]:
    """A subscription's delivery log, newest first (`state` narrows it)."""
    rows = WebhookDelivery.objects.filter(subscription_id=webhook_id).defer("payload")
    if state:
        rows = rows.filter(state=state)
    return rows.order_by("-created_at", "-id")


def webhook_delivery(webhook_id: int, pk: int) -> WebhookDelivery:
    """One delivery of one subscription, with its body. Raises DoesNotExist."""
    return WebhookDelivery.objects.get(subscription_id=webhook_id, pk=pk)
