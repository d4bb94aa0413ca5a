"""Webhook subscriptions (chiefs only): list, create (the secret shown once), change,
delete, rotate the secret; the delivery log, and sending deliveries again."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from ... import selectors, services
from ...models import WebhookDelivery
from .. import serializers as s
from ..serializers import webhooks as w
from .base import ID, ApiView, object_write_schema, require_role, schema_responses

DELIVERY_ID = OpenApiParameter("delivery_id", OpenApiTypes.INT, OpenApiParameter.PATH)
STATE = OpenApiParameter(
    "state",
    OpenApiTypes.STR,
    OpenApiParameter.QUERY,
    required=False,
    enum=WebhookDelivery.State.values,
    description="Only deliveries in this state.",
)


def _webhook_response(
    webhook_id: int, code: int = status.HTTP_200_OK, *, secret: str | None = None
) -> Response:
    subscription = selectors.webhook_detail(webhook_id)
    if secret is None:
        return Response(w.WebhookSerializer(subscription).data, status=code)
    subscription.secret = secret
    response = Response(w.WebhookWithSecretSerializer(subscription).data, status=code)
    response["Cache-Control"] = "no-store"  # no copy of the secret in any cache
    return response


class WebhookListView(ApiView):
    def initial(self, request: Request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        require_role(request.user, "webhook.manage")

    @extend_schema(
        operation_id="webhooks_list",
        responses=schema_responses({200: w.WebhookSerializer(many=True)}),
    )
    def get(self, request: Request) -> Response:
        return self.paginated(selectors.webhook_list(), w.WebhookSerializer)

    @extend_schema(
        operation_id="webhooks_create",
        request=w.WebhookCreateSerializer,
        description="Subscribes a receiver. The answer carries the signing secret "
        "(whsec_…), shown this once.",
        responses=schema_responses({201: w.WebhookWithSecretSerializer}, 400, 409, 413, 415),
    )
    def post(self, request: Request) -> Response:
        data = self.validated(w.WebhookCreateSerializer)
        subscription = services.webhook_create(
            actor=request.user,
            url=data["url"],
            event_types=data["event_types"],
            description=data.get("description", ""),
        )
        return _webhook_response(
            subscription.pk, status.HTTP_201_CREATED, secret=subscription.secret
        )


class WebhookDetailView(ApiView):
    def initial(self, request: Request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        require_role(request.user, "webhook.manage")

    @extend_schema(
        operation_id="webhooks_retrieve",
        parameters=[ID],
        responses=schema_responses({200: w.WebhookSerializer}, 404),
    )
    def get(self, request: Request, pk: int) -> Response:
        return _webhook_response(pk)

    @object_write_schema(
        "webhooks_partial_update", w.WebhookUpdateSerializer, {200: w.WebhookSerializer}
    )
    def patch(self, request: Request, pk: int) -> Response:
        data = self.validated(w.WebhookUpdateSerializer)
        services.webhook_update(actor=request.user, webhook_id=pk, **data)
        return _webhook_response(pk)

    @extend_schema(
        operation_id="webhooks_destroy",
        parameters=[ID],
        responses=schema_responses({204: None}, 404),
    )
    def delete(self, request: Request, pk: int) -> Response:
        services.webhook_delete(actor=request.user, webhook_id=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class WebhookRotateSecretView(ApiView):
    @object_write_schema(
        "webhooks_rotate_secret",
        s.EmptySerializer,
        {200: w.WebhookWithSecretSerializer},
        description="A new secret, shown this once. The old one still signs (a second "
        "signature) for FACTCHECK_WEBHOOK_ROTATION_GRACE_SECONDS.",
    )
    def post(self, request: Request, pk: int) -> Response:
        require_role(request.user, "webhook.manage")
        self.validated(s.EmptySerializer)
        subscription = services.webhook_rotate_secret(actor=request.user, webhook_id=pk)
        return _webhook_response(pk, secret=subscription.secret)


class WebhookDeliveriesView(ApiView):
    @extend_schema(
        operation_id="webhooks_deliveries_list",
        parameters=[ID, STATE],
        responses=schema_responses({200: w.WebhookDeliverySerializer(many=True)}, 404),
    )
    def get(self, request: Request, pk: int) -> Response:
        require_role(request.user, "webhook.manage")
        selectors.webhook_detail(pk)
        state = request.query_params.get("state") or None
        if state is not None and state not in WebhookDelivery.State.values:
            raise services.Invalid(
                _("unknown state; give one of: %(states)s")
                % {"states": ", ".join(WebhookDelivery.State.values)},
                field="state",
            )
        return self.paginated(
            selectors.webhook_deliveries(pk, state=state), w.WebhookDeliverySerializer
        )


class WebhookDeliveryRedeliverView(ApiView):
    @object_write_schema(
        "webhooks_deliveries_redeliver",
        s.EmptySerializer,
        {200: w.WebhookDeliverySerializer},
        parameters=[ID, DELIVERY_ID],
        description="Sends the delivery again with the same webhook-id and body.",
    )
    def post(self, request: Request, pk: int, delivery_id: int) -> Response:
        require_role(request.user, "webhook.manage")
        self.validated(s.EmptySerializer)
        services.webhook_redeliver(actor=request.user, webhook_id=pk, delivery_id=delivery_id)
        return Response(
            w.WebhookDeliverySerializer(selectors.webhook_delivery(pk, delivery_id)).data
        )


class WebhookRedeliverSinceView(ApiView):
    @object_write_schema(
        "webhooks_redeliver",
        w.WebhookRedeliverSinceSerializer,
        {200: w.WebhookRedeliveredSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        require_role(request.user, "webhook.manage")
        data = self.validated(w.WebhookRedeliverSinceSerializer)
        count = services.webhook_redeliver_since(
            actor=request.user, webhook_id=pk, since=data["since"]
        )
        return Response({"redelivered": count})
