"""What every service shares: errors, the closing Event, and locks and checks of several.

The small helpers here (article_allows, annotation_lock, annotation_bump, url_checked…) are
used by more than one entity's module; a helper of one entity stays in its module.

Errors: `Forbidden` (403), `Invalid` (400), `Conflict` (409, names the current state),
`Stale` (412), `TooLarge` (413). A Conflict may carry `extra` fields for the API body (the
annotation a duplicate points to, the publish gate's lists).
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.conf import settings

# Who acts: a signed-in user of the newsroom (AUTH_USER_MODEL is not swapped). The doors
# pass request.user; policy refuses an anonymous one before anything is written. Every
# service module takes the type from here.
from django.contrib.auth.models import User
from django.db import connection, models
from django.db.models import DateTimeField, F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from .. import fetch, policy
from ..l10n import grouped
from ..models import Annotation, Article, Event, Label, Rating

Vocabulary = TypeVar("Vocabulary", Label, Rating)


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


def require_role(actor: User, action: str) -> None:
    """Raise Forbidden unless the actor's roles allow `action`, with policy's own words
    (policy.ROLE_ACTIONS: the API's early refusal says the same)."""
    reason = policy.role_refusal(actor, action)
    if reason is not None:
        raise Forbidden(reason)


def require_allowed(actor: User, action: str, obj: Any) -> None:
    """Raise Forbidden unless `actor` may take `action` on `obj`, with policy's own words
    (policy.OBJECT_ACTIONS)."""
    reason = policy.object_refusal(actor, action, obj)
    if reason is not None:
        raise Forbidden(reason)


def status_name(value: str, choices: type[models.TextChoices]) -> str:
    """A status as a message names it: the API's value (`in_review`) in English, which
    clients may match on, and its translated label (`In Prüfung`) in any other language."""
    if (get_language() or settings.LANGUAGE_CODE).startswith("en"):
        return value
    return str(dict(choices.choices).get(value, value))


# A label or rating named by a slug that no row has: what the field it came in is told.
UNKNOWN_VOCABULARY = {
    Label: gettext_lazy("unknown label '%(label)s'"),
    Rating: gettext_lazy("unknown rating '%(rating)s'"),
}


def vocabulary_entry(model: type[Vocabulary], value: str | Vocabulary) -> Vocabulary:
    """A label or rating given as itself or by its slug. Raises Invalid naming its field
    (`label`, `rating`) when no row has the slug."""
    if isinstance(value, model):
        return value
    try:
        return model.objects.get(slug=value)
    except model.DoesNotExist:
        field = model._meta.model_name
        raise Invalid(str(UNKNOWN_VOCABULARY[model]) % {field: value}, field=field) from None


def event_record(
    *,
    actor: User | None,
    verb: Event.Verb | str,
    article: Article | None = None,
    annotation: Annotation | None = None,
    annotation_id: int | None = None,
    data: dict[str, Any] | None = None,
) -> Event:
    """The audit row every service ends with; `actor` None for the system (a worker).

    Raises ValueError for a verb that is not an Event.Verb value: a misspelt verb fails
    where it is written (and in the tests), not as an event the history cannot put into
    words. An event with a webhook type gets its deliveries here, in the same transaction
    (services.webhooks)."""
    verb = Event.Verb(verb)
    if annotation is not None and article is None:
        article_id = annotation.article_id
    else:
        article_id = article.pk if article is not None else None
    event = Event.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        verb=verb,
        article_id=article_id,
        annotation_id=annotation.pk if annotation is not None else annotation_id,
        data=data or {},
    )
    # Webhook deliveries of the event, in its transaction (imported here: webhooks.py
    # imports this module).
    from .webhooks import webhook_deliveries_record

    webhook_deliveries_record(event)
    return event


# --- small helpers of several entities' services ----------------------------------------------


def article_lock_shared(article_id: int) -> Article:
    """The article row held FOR SHARE on PostgreSQL: writers that need only its text to
    stay put (annotation creates) go side by side, while a text edit's FOR UPDATE waits for
    them and they for it. SQLite has one writer at a time anyway: a plain read there."""
    if connection.vendor != "postgresql":
        return Article.objects.select_for_update().get(pk=article_id)
    rows = list(
        Article.objects.raw(
            "SELECT * FROM annotations_article WHERE id = %s FOR SHARE", [article_id]
        )
    )
    if not rows:
        raise Article.DoesNotExist
    return rows[0]


def article_allows(actor: User | None, article: Article, act: policy.Act) -> None:
    """Raise Conflict when the article's state does not allow `act` (policy.ARTICLE_STATES)."""
    reason = policy.article_refusal(actor, article.status, act)
    if reason is not None:
        raise Conflict(reason)


def article_bump(article: Article, *fields: str) -> None:
    """Save `fields` of a locked article with its version moved on (the API's ETag)."""
    article.version += 1
    article.save(update_fields=[*fields, "version", "updated_at"])


def article_size_check(body: str) -> None:
    """Raise TooLarge when `body` exceeds FACTCHECK_MAX_ARTICLE_CHARS."""
    limit = settings.FACTCHECK_MAX_ARTICLE_CHARS
    if len(body) > limit:
        raise TooLarge(
            _("the article has %(count)s characters; the limit is %(limit)s")
            % {"count": grouped(len(body)), "limit": grouped(limit)},
            field="text",
        )


def annotation_lock(annotation_id: int) -> Annotation:
    """The annotation, locked (`select_for_update` on its row only), with label and article."""
    return (
        Annotation.objects.select_for_update(of=("self",))
        .select_related("label", "article")
        .get(pk=annotation_id)
    )


# The first time an annotation reaches each status, kept for the dashboard's timings
# (selectors.insights reads three columns instead of aggregating every assignment and
# verdict); a later return to the same status keeps the first time.
FIRST_REACHED = {
    Annotation.Status.ASSIGNED: "first_assigned_at",
    Annotation.Status.PROPOSED: "first_proposed_at",
    Annotation.Status.APPROVED: "first_approved_at",
}


def annotation_bump(annotation: Annotation, **changes: Any) -> None:
    """Apply changes and a version bump in one UPDATE on a row the caller has locked (with
    the first time it reached its new status, FIRST_REACHED)."""
    now = timezone.now()
    first = FIRST_REACHED.get(changes.get("status"))
    reached = {first: Coalesce(F(first), Value(now, output_field=DateTimeField()))} if first else {}
    Annotation.objects.filter(pk=annotation.pk).update(
        version=F("version") + 1, updated_at=now, **changes, **reached
    )
    for name, value in changes.items():
        setattr(annotation, name, value)
    if first and getattr(annotation, first) is None:
        setattr(annotation, first, now)
    annotation.version += 1
    annotation.updated_at = now


def url_checked(url: str, *, field: str = "url") -> str:
    """Input check only: http(s) with a host (fetch.check_url_shape); raises Invalid naming
    `field`. Addresses are judged at fetch time."""
    try:
        return fetch.check_url_shape((url or "").strip())
    except fetch.FetchError as exc:
        raise Invalid(str(exc), field=field) from exc


def url_fetch(url: str) -> fetch.FetchResult:
    """fetch.fetch() with the configured allow-list and limits (a worker's source check or
    import). Raises fetch.BlockedURL, fetch.TransientFetchError, fetch.FetchError."""
    return fetch.fetch(
        url,
        allow_hosts=settings.FETCH_ALLOW_HOSTS,
        max_bytes=settings.FETCH_MAX_BYTES,
        connect_timeout=settings.FETCH_CONNECT_TIMEOUT,
        read_timeout=settings.FETCH_READ_TIMEOUT,
        total_timeout=settings.FETCH_TOTAL_TIMEOUT,
    )
