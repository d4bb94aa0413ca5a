"""`Idempotency-Key` on API POSTs: a retry with the same key within 24 hours gets the first
answer again and writes nothing.

The key is claimed (a row with no answer yet) before the view runs, so two copies of one
request sent at once cannot both write: the second hears 409 until the first has answered.
Answers of 5xx are not kept, so a retry after a crash runs again. Keys belong to the user
who sent them; the same key from another user is another key.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.request import Request

from .. import services
from ..models import IdempotencyKey

HEADER = "Idempotency-Key"
TTL = timedelta(hours=24)
MAX_KEY_LENGTH = 255
REPLAYED_HEADER = "Idempotent-Replayed"
# Response headers worth replaying (the body's type and the object's version).
KEPT_HEADERS = ("Content-Type", "ETag", "Location")


class Replay(Exception):
    """Raised before the view runs when the key already has an answer."""

    def __init__(self, record: IdempotencyKey) -> None:
        super().__init__(record.key)
        self.record = record


def _fingerprint(request: Request) -> str:
    digest = hashlib.sha256()
    digest.update(request.method.encode())
    digest.update(b"\0")
    digest.update(request.path.encode())
    digest.update(b"\0")
    digest.update(request._request.body)  # read once; Django keeps it for the parsers
    return digest.hexdigest()


def claim(request: Request) -> IdempotencyKey | None:
    """Claim the request's key, or raise Replay (answered before), Conflict (still running
    or used for another request), Invalid (a malformed key). None without a key."""
    key = request.headers.get(HEADER)
    if key is None or request.method != "POST" or not request.user.is_authenticated:
        return None
    key = key.strip()
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable() or not key.isascii():
        raise services.Invalid(
            _("Idempotency-Key must be 1 to %(n)s printable ASCII characters")
            % {"n": MAX_KEY_LENGTH}
        )
    fingerprint = _fingerprint(request)
    fresh_after = timezone.now() - TTL
    for _attempt in range(2):
        try:
            with transaction.atomic():
                return IdempotencyKey.objects.create(
                    user=request.user,
                    key=key,
                    method=request.method,
                    path=request.path[:2000],
                    fingerprint=fingerprint,
                )
        except IntegrityError:
            record = IdempotencyKey.objects.filter(user=request.user, key=key).first()
            if record is None:
                continue  # it expired and was removed meanwhile: claim it now
            if record.created_at < fresh_after:
                IdempotencyKey.objects.filter(pk=record.pk, created_at=record.created_at).delete()
                continue
            if record.fingerprint != fingerprint:
                raise services.Conflict(
                    _(
                        "this Idempotency-Key was already used for a different request; "
                        "use a new key for a new request"
                    )
                ) from None
            if record.status_code is None:
                raise services.Conflict(
                    _(
                        "a request with this Idempotency-Key is still being processed; "
                        "retry in a moment"
                    )
                ) from None
            raise Replay(record) from None
    raise services.Conflict(_("the Idempotency-Key could not be claimed; retry"))


def store(record: IdempotencyKey, response: Any) -> None:
    """Keep the answer for replays; a server error frees the key for a retry."""
    if response.status_code >= 500:
        IdempotencyKey.objects.filter(pk=record.pk).delete()
        return
    if hasattr(response, "render") and not getattr(response, "is_rendered", True):
        response.render()
    record.status_code = response.status_code
    record.response_body = bytes(response.content)
    record.response_headers = {name: response[name] for name in KEPT_HEADERS if name in response}
    record.save(update_fields=["status_code", "response_body", "response_headers"])


def replay(record: IdempotencyKey) -> HttpResponse:
    response = HttpResponse(bytes(record.response_body), status=record.status_code)
    for name, value in record.response_headers.items():
        response[name] = value
    response[REPLAYED_HEADER] = "true"
    return response


def purge_expired() -> int:
    """Remove keys older than 24 hours (called by the sweep)."""
    deleted, _rows = IdempotencyKey.objects.filter(created_at__lt=timezone.now() - TTL).delete()
    return deleted
