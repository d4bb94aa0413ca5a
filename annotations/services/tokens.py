"""API tokens (django-rest-knox): issued for a password, stored only as a SHA-512 digest,
expiring after `API_TOKEN_TTL_HOURS`, revocable one by one or all at once.

No Event: the history is the newsroom's record of articles and annotations, and a token
says nothing about either.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from knox.models import AuthToken

from .base import User


def api_token_create(*, user: User) -> tuple[str, datetime | None]:
    """A new token for `user` and its expiry, after deleting the user's expired tokens. The
    caller has checked the password and the role; the token string exists only in this
    return value, never in a row."""
    AuthToken.objects.filter(user=user, expiry__lt=timezone.now()).delete()
    row, token = AuthToken.objects.create(user=user)
    return token, row.expiry


def api_token_revoke(*, token: AuthToken) -> None:
    """Revoke one token (the one a request authenticated with)."""
    AuthToken.objects.filter(pk=token.pk).delete()


def api_tokens_revoke_all(*, user: User) -> int:
    """Revoke every token of `user`; the number revoked."""
    deleted, _by_model = AuthToken.objects.filter(user=user).delete()
    return deleted
