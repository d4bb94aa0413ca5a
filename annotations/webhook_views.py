"""The chiefs' webhooks page: subscriptions (create with the secret shown once, rotate the
secret, enable or disable, delete) and each one's delivery log (send one again, or all
since a time)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import selectors, services
from .models import WebhookDelivery
from .review_views import _require
from .views import _or_404, newsroom_required
from .webhook_forms import RedeliverSinceForm, WebhookForm

DELIVERIES_PER_PAGE = 50


def _render_list(
    request: HttpRequest,
    *,
    form: WebhookForm | None = None,
    secret: tuple[int, str] | None = None,
    status: int = 200,
    error: str | None = None,
) -> HttpResponse:
    response = render(
        request,
        "annotations/webhooks.html",
        {
            "subscriptions": list(selectors.webhook_list()),
            "form": form or WebhookForm(),
            # (subscription id, secret): shown in this one answer, never stored for a page.
            "secret": secret,
            "page_error": error,
        },
        status=status,
    )
    if secret is not None:
        response["Cache-Control"] = "no-store"  # no copy of the secret in any cache
    return response


@newsroom_required
@require_http_methods(["GET", "POST"])
def webhooks(request: HttpRequest) -> HttpResponse:
    _require(request.user, "webhook.manage")
    if request.method == "GET":
        return _render_list(request)
    form = WebhookForm(request.POST)
    if not form.is_valid():
        return _render_list(request, form=form, status=400)
    try:
        subscription = services.webhook_create(
            actor=request.user,
            url=form.cleaned_data["url"],
            event_types=form.cleaned_data["event_types"],
            description=form.cleaned_data["description"],
        )
    except services.ServiceError as error:
        form.add_error("url" if error.field == "url" else None, error.message)
        return _render_list(request, form=form, status=error.status_code)
    return _render_list(request, secret=(subscription.pk, subscription.secret), status=201)


def _act(request: HttpRequest, pk: int, action: Any, done: str) -> HttpResponse:
    _require(request.user, "webhook.manage")
    _or_404(selectors.webhook_detail, pk)
    try:
        action()
    except services.ServiceError as error:
        return _render_list(request, status=error.status_code, error=error.message)
    messages.success(request, done)
    return redirect("annotations:webhooks")


@newsroom_required
@require_POST
def webhook_rotate(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request.user, "webhook.manage")
    _or_404(selectors.webhook_detail, pk)
    subscription = services.webhook_rotate_secret(actor=request.user, webhook_id=pk)
    return _render_list(request, secret=(subscription.pk, subscription.secret))


@newsroom_required
@require_POST
def webhook_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    enable = request.POST.get("is_active") == "1"
    return _act(
        request,
        pk,
        lambda: services.webhook_update(actor=request.user, webhook_id=pk, is_active=enable),
        _("Subscription enabled; what waited is being sent.")
        if enable
        else _("Subscription disabled."),
    )


@newsroom_required
@require_POST
def webhook_delete(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda: services.webhook_delete(actor=request.user, webhook_id=pk),
        _("Subscription deleted."),
    )


def _render_deliveries(
    request: HttpRequest,
    pk: int,
    *,
    form: RedeliverSinceForm | None = None,
    status: int = 200,
    error: str | None = None,
) -> HttpResponse:
    _require(request.user, "webhook.manage")
    subscription = _or_404(selectors.webhook_detail, pk)
    state = request.GET.get("state") or None
    if state not in WebhookDelivery.State.values:
        state = None
    page = Paginator(selectors.webhook_deliveries(pk, state=state), DELIVERIES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "annotations/webhook_deliveries.html",
        {
            "subscription": subscription,
            "page": page,
            "state": state,
            "states": WebhookDelivery.State.choices,
            "form": form or RedeliverSinceForm(),
            "page_error": error,
        },
        status=status,
    )


@newsroom_required
@require_GET
def webhook_deliveries(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_deliveries(request, pk)


@newsroom_required
@require_POST
def webhook_delivery_redeliver(request: HttpRequest, pk: int, delivery_id: int) -> HttpResponse:
    _require(request.user, "webhook.manage")
    _or_404(lambda did: selectors.webhook_delivery(pk, did), delivery_id)
    try:
        services.webhook_redeliver(actor=request.user, webhook_id=pk, delivery_id=delivery_id)
    except services.ServiceError as error:
        return _render_deliveries(request, pk, status=error.status_code, error=error.message)
    messages.success(request, _("The delivery is sent again."))
    return redirect("annotations:webhook-deliveries", pk=pk)


@newsroom_required
@require_POST
def webhook_redeliver_since(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request.user, "webhook.manage")
    _or_404(selectors.webhook_detail, pk)
    form = RedeliverSinceForm(request.POST)
    if not form.is_valid():
        return _render_deliveries(request, pk, form=form, status=400)
    try:
        count = services.webhook_redeliver_since(
            actor=request.user, webhook_id=pk, since=form.cleaned_data["since"]
        )
    except services.ServiceError as error:
        return _render_deliveries(
            request, pk, form=form, status=error.status_code, error=error.message
        )
    messages.success(
        request,
        _("%(count)d deliveries are sent again.") % {"count": count},
    )
    return redirect("annotations:webhook-deliveries", pk=pk)
