"""The header's language switch: Django's `set_language`, which also remembers a signed-in
user's choice as the language of their emails (the worker has no request to read it from)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.i18n import set_language

from .services.preferences import user_language_set


def language_switch(request: HttpRequest) -> HttpResponse:
    """Switch the session's language (a POST sets the cookie, then redirects to `next`) as
    Django does; a signed-in user's choice is saved too. A language that is not offered
    changes nothing."""
    response = set_language(request)
    if request.method == "POST":
        user_language_set(user=request.user, language=request.POST.get("language", ""))
    return response
