"""A failed URL import, from the article list or its page: fetch it again, or remove it
(archive it: nothing is deleted, and it can be restored). The services decide who may and
in which state; a refusal comes back as a message on the page the user came from."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import selectors, services
from .views import _or_404, newsroom_required


def _back(request: HttpRequest, pk: int) -> HttpResponse:
    """The page the form was on: the article list, or the article's page."""
    if request.POST.get("return_to") == "list":
        return redirect("annotations:article-list")
    return redirect("annotations:article-detail", pk=pk)


def _refused(request: HttpRequest, pk: int, error: services.ServiceError) -> HttpResponse:
    if error.status_code == 403:
        raise PermissionDenied(error.message)
    messages.error(request, error.message)
    return _back(request, pk)


@newsroom_required
@require_POST
def article_import_retry(request: HttpRequest, pk: int) -> HttpResponse:
    article = _or_404(selectors.article_plain, pk)
    try:
        services.article_import_retry(actor=request.user, article_id=article.pk)
    except services.ServiceError as error:
        return _refused(request, article.pk, error)
    messages.info(request, _("The article is being fetched again; this page updates."))
    return redirect("annotations:article-detail", pk=article.pk)


@newsroom_required
@require_POST
def article_remove(request: HttpRequest, pk: int) -> HttpResponse:
    article = _or_404(selectors.article_plain, pk)
    try:
        services.article_archive(actor=request.user, article_id=article.pk)
    except services.ServiceError as error:
        return _refused(request, article.pk, error)
    messages.success(
        request,
        _(
            "“%(title)s” was removed. It is kept under the archived articles, "
            "where it can be restored."
        )
        % {"title": article.title},
    )
    return redirect("annotations:article-list")
