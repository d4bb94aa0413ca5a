"""What every service shares: the errors it raises, the audit Event it ends with, and the
outbox through which it asks for background work.

Errors: `Forbidden` (403), `Invalid` (400), `Conflict` (409, names the current state),
`Stale` (412), `TooLarge` (413). A Conflict may carry `extra` fields for the API body (the
annotation a duplicate points to, the publish gate's lists).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import get_language

from ..models import Annotation, Article, Event


class ServiceError(Exception):
    status_code = 400

    def __init__(
        self, message: str, *, field: str | None = None, extra: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.extra = extra or {}


class Invalid(ServiceError):
    status_code = 400


class Forbidden(ServiceError):
    status_code = 403


class Conflict(ServiceError):
    status_code = 409


class Stale(ServiceError):
    status_code = 412


class TooLarge(ServiceError):
    status_code = 413


def require(allowed: bool, message: str) -> None:
    """Raise Forbidden with `message` unless `allowed` (a policy answer)."""
    if not allowed:
        raise Forbidden(message)


def status_name(value: str, choices: type[models.TextChoices]) -> str:
    """A status as a message names it: the API's value (`in_review`) in English, which
    clients may match on, and its translated label (`In Prüfung`) in any other language."""
    if (get_language() or settings.LANGUAGE_CODE).startswith("en"):
        return value
    return str(dict(choices.choices).get(value, value))


def event_record(
    *,
    actor: Any,
    verb: str,
    article: Article | None = None,
    annotation: Annotation | None = None,
    annotation_id: int | None = None,
    data: dict[str, Any] | None = None,
) -> Event:
    if annotation is not None and article is None:
        article_id = annotation.article_id
    else:
        article_id = article.pk if article is not None else None
    return Event.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        verb=verb,
        article_id=article_id,
        annotation_id=annotation.pk if annotation is not None else annotation_id,
        data=data or {},
    )
