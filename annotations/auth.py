"""Logging in: the lockout after failed attempts, and API tokens that die with the password.

django-axes counts failed logins (the form and the token endpoint both call `authenticate`)
per username *and* client address, in the database, so every gunicorn worker and host
shares the counts. After `LOGIN_FAILURE_LIMIT` failures that pair is refused for
`LOGIN_FAILURE_WINDOW` seconds, even with the right password; the same user from another
address, and colleagues behind the same address, keep logging in. A success resets the pair.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .policy import landing_page
from .services.preferences import user_language_set
from .services.tokens import api_tokens_revoke_all


def client_address(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or with `NUM_PROXIES` trusted proxies in front,
    the address the outermost of them saw (as DRF's throttles read it). Without proxies a
    client's X-Forwarded-For is ignored: it could name any address."""
    proxies = settings.NUM_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-min(proxies, len(hops))]
    return request.META.get("REMOTE_ADDR", "")


def login_failure_limit(request: HttpRequest | None, credentials: dict | None) -> int:
    """AXES_FAILURE_LIMIT, read when it is needed (settings may change in tests)."""
    return settings.LOGIN_FAILURE_LIMIT


def login_failure_window(request: HttpRequest | None) -> timedelta:
    """AXES_COOLOFF_TIME, read when it is needed."""
    return timedelta(seconds=settings.LOGIN_FAILURE_WINDOW)


def is_locked_out(request: HttpRequest) -> bool:
    """Whether the `authenticate` call on this request was refused or ended in a lockout
    (django-axes sets the flag on the request it was given)."""
    return bool(getattr(request, "axes_locked_out", False))


def lockout_message() -> str:
    minutes = max(1, settings.LOGIN_FAILURE_WINDOW // 60)
    return _("Too many failed logins. Wait %(minutes)s minutes, then try again.") % {
        "minutes": minutes
    }


class ThrottledLoginView(LoginView):
    """Django's login view; a username+address that is locked out answers 429 and the
    password is not checked."""

    def form_valid(self, form) -> HttpResponse:
        response = super().form_valid(form)
        # The language the login page was read in (the switch's cookie or the browser's)
        # becomes the language of the user's emails.
        user_language_set(user=form.get_user(), language=get_language())
        return response

    def get_default_redirect_url(self) -> str:
        """Where a login without `?next=` lands: by role (policy.landing_page)."""
        if self.next_page:
            return super().get_default_redirect_url()
        return reverse(landing_page(self.request.user))

    def form_invalid(self, form) -> HttpResponse:
        if is_locked_out(self.request):
            form = self.get_form_class()(request=self.request)  # unbound: no error list
            context = self.get_context_data(form=form, throttled=lockout_message())
            return self.render_to_response(context, status=429)
        return super().form_invalid(form)


class ApiTokensRevokedOnPasswordChange:
    """Listed in AUTH_PASSWORD_VALIDATORS for its `password_changed` hook, which Django
    calls after `user.save()` whenever `set_password` ran before it: the password change
    form, the admin, `manage.py changepassword`, a script. (Hash upgrades on login are not
    changes.) A token must not outlive the password that was exchanged for it. A hook of
    the framework rather than a `post_save` signal, which STYLE.md rules out."""

    def validate(self, password: str, user=None) -> None:
        return None

    def password_changed(self, password: str, user=None) -> None:
        if user is not None and user.pk is not None:
            api_tokens_revoke_all(user=user)

    def get_help_text(self) -> str:
        return _("Changing your password revokes your API tokens.")
