"""Token authentication: knox's, reading the token, its user and the user's roles in one
query, and without knox's per-request sweep of the user's other tokens."""

from __future__ import annotations

import binascii
from hmac import compare_digest

from django.contrib.postgres.aggregates import ArrayAgg
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from knox.crypto import hash_token
from knox.models import get_token_model
from knox.settings import CONSTANTS
from rest_framework import exceptions


class TokenAuthentication(KnoxTokenAuthentication):
    """Knox's token check (SHA-512 digest, compared in constant time; expiry), with two
    changes for the request's cost:

    - knox reads every token of the user on every request to delete the expired ones; here
      a request looks at its own token only (an expired one is deleted and refused), and the
      user's other expired tokens go when a new token is issued (`api_token_create`);
    - on PostgreSQL the user's groups come with the token, so `policy.roles` needs no
      query of its own.
    """

    def authenticate_credentials(self, token: bytes) -> tuple:
        message = _("Invalid token.")
        try:
            text = token.decode("utf-8")
            digest = hash_token(text)
        except (UnicodeDecodeError, TypeError, binascii.Error):
            raise exceptions.AuthenticationFailed(message) from None
        rows = (
            get_token_model()
            .objects.filter(token_key=text[: CONSTANTS.TOKEN_KEY_LENGTH])
            .select_related("user")
        )
        if connection.vendor == "postgresql":
            rows = rows.annotate(
                role_names=ArrayAgg("user__groups__name", distinct=True, default=[])
            )
        for auth_token in rows:
            if self._cleanup_token(auth_token):
                continue
            if compare_digest(digest, auth_token.digest):
                user = auth_token.user
                if hasattr(auth_token, "role_names"):
                    # The cache `policy.roles` reads (a user without groups has none).
                    user._factcheck_roles = frozenset(n for n in auth_token.role_names if n)
                return self.validate_user(auth_token)
        raise exceptions.AuthenticationFailed(message)

    def _cleanup_token(self, auth_token) -> bool:
        if auth_token.expiry is not None and auth_token.expiry < timezone.now():
            auth_token.delete()
            return True
        return False


class TokenScheme(KnoxTokenScheme):
    """The schema's `knoxApiToken` scheme for this subclass (drf-spectacular matches the
    exact class, so knox's own extension does not apply)."""

    target_class = "annotations.api.authentication.TokenAuthentication"
