"""The chiefs' approvals page: proposed verdicts to approve or reject, never their own."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from . import history, policy, selectors, services
from .review_forms import (
    DecisionForm,
    service_error_on,
)
from .review_views import _annotation_or_404, _render_review, _require, _review_url
from .views import _or_404, newsroom_required

# --- approvals ------------------------------------------------------------------------------


def _render_approvals(
    request: HttpRequest,
    *,
    status: int = 200,
    failed: tuple[int, str, DecisionForm] | None = None,
    error: str | None = None,
    final: tuple[int, forms.Form] | None = None,
) -> HttpResponse:
    """The approvals page; with `failed` (verdict, kind, form) or `final` (annotation, the
    final verdict's form) the refused form comes back as posted, with its errors."""
    user = request.user
    _require(user, "approvals.view")
    verdicts = selectors.approvals_page()
    annotations = [verdict.annotation for verdict in verdicts]
    names = history.Names.load()
    events = selectors.events_of(annotations)
    items = []
    # A revealed blind double review is one item: its two verdicts side by side.
    pairs: dict[int, dict] = {}
    for verdict in verdicts:
        annotation = verdict.annotation
        if verdict.is_blind:
            pair = pairs.get(annotation.pk)
            if pair is not None:
                pair["pair"].append(verdict)
                continue
        form = None
        kind = ""
        if failed and failed[0] == verdict.pk:
            kind, form = failed[1], failed[2]
        items.append(
            {
                "verdict": verdict,
                "annotation": annotation,
                "evidence": [
                    {"evidence": e, "check": e.check_list[0] if e.check_list else None}
                    for e in annotation.live_evidence
                ],
                "rejections": annotation.rejections,
                "can_decide": policy.can_decide_verdict(user, verdict),
                "form": form or DecisionForm(),
                "failed_kind": kind,
                "history": history.items(events[annotation.pk], names),
            }
        )
        if verdict.is_blind:
            pairs[annotation.pk] = items[-1]
            items[-1]["pair"] = [verdict]
            items[-1]["can_decide_pair"] = policy.can_decide_double_review(user, annotation)
            if final and final[0] == annotation.pk:
                items[-1]["final_form"] = final[1]
    for pair in pairs.values():
        # A chief's final verdict of this round rejected sent the pair back here: its note
        # shows beside the two proposals (services.double_review_back_to_decision).
        newest = max(verdict.pk for verdict in pair["pair"])
        pair["final_rejections"] = [
            r for r in pair["rejections"] if not r.is_blind and r.pk > newest
        ]
    return render(
        request,
        "annotations/approvals.html",
        {
            "items": items,
            "page_error": error,
            "ratings": list(selectors.ratings()),
            # Blind double reviews short of a reviewer: the chief assigns one.
            "short_of_reviewers": selectors.double_reviews_short_of_reviewers(),
        },
        status=status,
    )


@newsroom_required
@require_GET
def approvals(request: HttpRequest) -> HttpResponse:
    return _render_approvals(request)


def _decide(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    verdict = _or_404(selectors.verdict_plain, pk)
    form = DecisionForm(request.POST)
    form.is_valid()
    note = form.cleaned_data.get("note", "")
    try:
        if kind == "approve":
            services.verdict_approve(actor=request.user, verdict_id=verdict.pk, note=note)
        else:
            services.verdict_reject(actor=request.user, verdict_id=verdict.pk, note=note)
    except services.ServiceError as error:
        service_error_on(form, error)
        message = error.message if error.status_code != 400 else None
        if request.POST.get("return_to") == "review":
            return _render_review(
                request,
                _annotation_or_404(verdict.annotation_id),
                status=error.status_code,
                forms={"decision": form, "decision_kind": kind},
                error=message,
            )
        return _render_approvals(
            request, status=error.status_code, failed=(verdict.pk, kind, form), error=message
        )
    if kind == "approve":
        messages.success(request, _("Verdict approved."))
    elif selectors.double_review_waits_for_decision(verdict.annotation_id):
        messages.success(
            request,
            _(
                "Final verdict rejected. The double review is back for a decision: "
                "approve one of the two proposals or write a new final verdict."
            ),
        )
    else:
        messages.success(request, _("Verdict rejected; it went back to its reviewer."))
    if request.POST.get("return_to") == "review":
        return redirect(_review_url(verdict.annotation_id))
    return redirect("annotations:approvals")


@newsroom_required
@require_POST
def verdict_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, "approve")


@newsroom_required
@require_POST
def verdict_reject(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, "reject")
