"""HTML pages. Reads go through selectors, writes through services; every page needs a
newsroom role (403 otherwise)."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import policy, selectors
from .models import Article


def newsroom_required(view):
    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not policy.is_newsroom_member(request.user):
            raise PermissionDenied("You need a newsroom role (editor, reviewer or chief).")
        return view(request, *args, **kwargs)

    return wrapper


@newsroom_required
@require_GET
def article_list(request: HttpRequest) -> HttpResponse:
    articles = selectors.article_list(
        status=request.GET.get("status") or None,
        language=request.GET.get("language") or None,
        q=request.GET.get("q") or None,
    )
    page = Paginator(articles, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "annotations/article_list.html",
        {"page": page, "statuses": Article.Status.choices, "filters": request.GET},
    )


@newsroom_required
@require_GET
def article_detail(request: HttpRequest, pk: int) -> HttpResponse:
    article = get_object_or_404(Article.objects.select_related("created_by"), pk=pk)
    annotations = selectors.article_annotations(article)
    return render(
        request,
        "annotations/article_detail.html",
        {"article": article, "annotations": annotations, "labels": selectors.labels()},
    )


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Database and broker reachability for load balancers; 503 when either is down."""
    checks: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:  # any driver error means "down" to a load balancer
        checks["database"] = f"down: {exc.__class__.__name__}"
    try:
        from factcheck.celery import app

        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        checks["broker"] = "ok"
    except Exception as exc:
        checks["broker"] = f"down: {exc.__class__.__name__}"
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse({"status": "ok" if healthy else "down", **checks}, status=200 if healthy else 503)


def not_found(request: HttpRequest, exception=None) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return render(request, "404.html", status=404)
