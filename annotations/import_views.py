"""Importing articles: the import page (paste, upload or URL), and for a failed URL
import, fetching it again or removing it (archiving: nothing is deleted, and it can be
restored). The services decide who may and in which state; a refusal comes back as a
message on the form or the page the user came from."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from . import policy, selectors, services
from .forms import PasteImportForm, UploadImportForm, UrlImportForm
from .models import Article
from .views import _or_404, newsroom_required, size_limits

IMPORT_MODES = ("paste", "upload", "url")


def _service_error_on(form, error: services.ServiceError, fallback_field: str | None) -> None:
    field = error.field if error.field in form.fields else fallback_field
    form.add_error(field, error.message)


@newsroom_required
@require_http_methods(["GET", "POST"])
def article_import(request: HttpRequest) -> HttpResponse:
    if not policy.can_edit_article(request.user):
        raise PermissionDenied(_("Only editors and chiefs can import articles."))
    mode = request.POST.get("mode") if request.method == "POST" else request.GET.get("mode")
    mode = mode if mode in IMPORT_MODES else "paste"
    forms = {
        "paste": PasteImportForm(prefix="paste"),
        "upload": UploadImportForm(prefix="upload"),
        "url": UrlImportForm(prefix="url", initial={"url": request.GET.get("url", "")}),
    }
    if request.method == "POST":
        if mode == "paste":
            form = forms["paste"] = PasteImportForm(request.POST, prefix="paste")
        elif mode == "upload":
            form = forms["upload"] = UploadImportForm(request.POST, request.FILES, prefix="upload")
        else:
            form = forms["url"] = UrlImportForm(request.POST, prefix="url")
        if form.is_valid():
            article = _import(request, mode, form)
            if article is not None:
                if article.status == Article.Status.IMPORTING:
                    messages.info(request, _("The article is being fetched; this page updates."))
                else:
                    messages.success(request, _("Article imported. Select text to annotate it."))
                return redirect("annotations:article-detail", pk=article.pk)
    return render(
        request,
        "annotations/article_import.html",
        {"forms": forms, "mode": mode, "size_limits": size_limits()},
        status=400 if request.method == "POST" else 200,
    )


def _import(request: HttpRequest, mode: str, form) -> Article | None:
    """Create the article; a service refusal becomes an error on the form (None)."""
    data = form.cleaned_data
    # Errors about the text of an upload belong to its file field.
    fallback = {"url": "url", "upload": "file"}.get(mode)
    try:
        if mode == "url":
            return services.article_create_from_url(actor=request.user, url=data["url"])
        if mode == "upload":
            upload = data["file"]
            title, body = services.decode_upload(filename=upload.name, payload=upload.read())
        else:
            title, body = data["title"], data["text"]
        return services.article_create(
            actor=request.user,
            title=title,
            body=body,
            language=data.get("language") or None,
            outlet=data.get("outlet", ""),
            source_url=data.get("source_url", ""),
        )
    except services.ServiceError as error:
        _service_error_on(form, error, fallback)
        return None


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
