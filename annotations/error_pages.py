"""Error answers in the reader's language: a page of the app (templates/400.html, 411.html,
413.html, 500.html) for the pages, JSON (`{"detail": …}`) under /api/.

The pages render without a request context, as Django's own error views do: the request
that failed may lack a session or a user (a body refused before any middleware ran), and
a 500 must not fail again in a context processor. The language is the one LocaleMiddleware
activated, or, before it ran, the one the request asks for (`in_request_language`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils import translation
from django.utils.translation import gettext as _


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


@contextmanager
def in_request_language(request: HttpRequest) -> Iterator[None]:
    """The request's language (its language cookie, then Accept-Language) for code that runs
    before LocaleMiddleware."""
    with translation.override(translation.get_language_from_request(request)):
        yield


def error_page(status: int, *, message: str = "", **context: Any) -> HttpResponse:
    """The app's page for `status` (templates/<status>.html) in the active language."""
    body = loader.get_template(f"{status}.html").render({"message": message, **context})
    return HttpResponse(body, status=status, content_type="text/html; charset=utf-8")


def error_response(
    request: HttpRequest, status: int, *, message: str, **context: Any
) -> HttpResponse:
    """JSON `{"detail": message}` under /api/, the app's error page elsewhere."""
    if is_api(request):
        return JsonResponse({"detail": message}, status=status)
    return error_page(status, message=message, **context)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler400: a malformed request, or a form over Django's upload limits (413)."""
    if isinstance(exception, RequestDataTooBig):
        return error_response(request, 413, message=_("The request is too large."))
    return error_response(request, 400, message=_("The request could not be understood."))


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: logged by Django already; the reader learns only that it failed."""
    return error_response(request, 500, message=_("Internal error; it has been logged."))
