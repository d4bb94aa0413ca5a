"""Blind double review on the pages: a chief asks two reviewers, or writes the final verdict."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from . import selectors, services
from .approval_views import _render_approvals
from .review_forms import service_error_on
from .review_views import _annotation_or_404, _render_review, _review_url
from .views import newsroom_required


class DoubleReviewForm(forms.Form):
    first = forms.CharField(label=gettext_lazy("First reviewer"), required=False)
    second = forms.CharField(label=gettext_lazy("Second reviewer"), required=False)


class FinalVerdictForm(forms.Form):
    rating = forms.CharField(
        label=gettext_lazy("Rating"),
        error_messages={"required": gettext_lazy("Choose a rating.")},
    )
    rationale = forms.CharField(label=gettext_lazy("Rationale"), required=False)


@newsroom_required
@require_POST
def double_review_request(request: HttpRequest, pk: int) -> HttpResponse:
    annotation = _annotation_or_404(pk)
    form = DoubleReviewForm(request.POST)
    form.is_valid()
    names = [form.cleaned_data.get(name) or "" for name in ("first", "second")]
    reviewers = [selectors.user_by_name_or_id(name) if name else None for name in names]
    try:
        services.double_review_request(
            actor=request.user, annotation_id=annotation.pk, reviewers=reviewers
        )
    except services.ServiceError as error:
        return _render_review(request, annotation, status=error.status_code, error=error.message)
    messages.success(
        request, _("Marked for blind double review: both reviewers have it in their queue.")
    )
    return redirect(_review_url(annotation.pk))


@newsroom_required
@require_POST
def double_review_finalise(request: HttpRequest, pk: int) -> HttpResponse:
    annotation = _annotation_or_404(pk)
    form = FinalVerdictForm(request.POST)
    if not form.is_valid():
        return _render_approvals(request, status=400, final=(annotation.pk, form))
    try:
        services.double_review_finalise(
            actor=request.user,
            annotation_id=annotation.pk,
            rating=form.cleaned_data.get("rating") or "",
            rationale=form.cleaned_data.get("rationale") or "",
        )
    except services.ServiceError as error:
        # The chief's rating and words come back with the error on its field.
        service_error_on(form, error)
        message = error.message if error.status_code != 400 else None
        return _render_approvals(
            request, status=error.status_code, error=message, final=(annotation.pk, form)
        )
    messages.success(request, _("Final verdict written; another chief approves it."))
    return redirect("annotations:approvals")
