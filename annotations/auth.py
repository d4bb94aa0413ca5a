"""Logging in through the form, with a limit on failed attempts.

The API's token endpoint has DRF's throttle; this is the same protection for the login
form, so that neither can be used to guess passwords. Failures are counted per client
address and per username in the cache (`CACHE_URL`: Redis when several web hosts serve the
desk, so that they share the counts), for `LOGIN_FAILURE_WINDOW` seconds.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.views import LoginView
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _


def client_address(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or with `NUM_PROXIES` trusted proxies in front,
    the address the outermost of them saw (as DRF's throttles read it)."""
    proxies = settings.NUM_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-min(proxies, len(hops))]
    return request.META.get("REMOTE_ADDR", "")


class ThrottledLoginView(LoginView):
    """Django's login view; after `LOGIN_FAILURE_LIMIT` failed attempts from one address
    or for one username within the window it answers 429 without checking the password."""

    def _keys(self) -> list[str]:
        username = (self.request.POST.get("username") or "").strip().lower()[:150]
        keys = [f"login-failures:addr:{client_address(self.request)}"]
        if username:
            keys.append(f"login-failures:user:{username}")
        return keys

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        counts = cache.get_many(self._keys())
        if any(count >= settings.LOGIN_FAILURE_LIMIT for count in counts.values()):
            form = self.get_form_class()(request=self.request)  # unbound: no password check
            minutes = max(1, settings.LOGIN_FAILURE_WINDOW // 60)
            context = self.get_context_data(
                form=form,
                throttled=_("Too many failed logins. Wait %(minutes)s minutes, then try again.")
                % {"minutes": minutes},
            )
            return self.render_to_response(context, status=429)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form) -> HttpResponse:
        for key in self._keys():
            cache.add(key, 0, timeout=settings.LOGIN_FAILURE_WINDOW)
            try:
                cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.set(key, 1, timeout=settings.LOGIN_FAILURE_WINDOW)
        return super().form_invalid(form)
