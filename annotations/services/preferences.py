"""A user's lasting preferences: the language their emails are written in.

The header's language switch and each login save the language the user reads in; the
worker, which has no request, writes each email in it (notifications.py). A user who never
chose reads in settings.LANGUAGE_CODE. No Event: a preference says nothing about articles
or annotations.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import get_supported_language_variant

from ..models import UserPreference
from .base import User


def language_supported(language: str | None) -> str | None:
    """The code of settings.LANGUAGES that `language` names ("de-AT" → "de"), or None."""
    if not language:
        return None
    try:
        return get_supported_language_variant(language)
    except LookupError:
        return None


def user_language_set(*, user: User, language: str) -> str | None:
    """Save the language of `user`'s emails; its row is created the first time. Returns the
    code saved, or None (and saves nothing) for an anonymous user or an unsupported
    language."""
    code = language_supported(language)
    if code is None or not user.is_authenticated:
        return None
    UserPreference.objects.update_or_create(user=user, defaults={"language": code})
    return code


def user_languages(user_ids: list[int]) -> dict[int, str]:
    """The language of each user's emails, settings.LANGUAGE_CODE for one who never chose
    (or whose saved language is no longer offered). One query."""
    saved = dict(
        UserPreference.objects.filter(user_id__in=user_ids).values_list("user_id", "language")
    )
    return {
        user_id: language_supported(saved.get(user_id)) or settings.LANGUAGE_CODE
        for user_id in user_ids
    }
