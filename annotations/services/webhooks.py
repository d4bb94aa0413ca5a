"""Outbound webhooks (Standard Webhooks): chiefs' subscriptions, and their deliveries.

Recording: `event_record` calls `webhook_deliveries_record` for every audit event. An event
with a webhook type (WEBHOOK_TYPES) gets one `WebhookDelivery` per active subscription that
wants it, in the event's transaction: the payload (the API's detail representation of the
object, plus the event's id, type, time and sync cursor) is built once, there, so every
attempt sends the same bytes and a receiver sees each version. Each delivery is a job in
the outbox (`jobs.enqueue(tasks.webhook_deliver, id)`).

Sending (`webhook_deliver`, in the worker, outside any transaction while it waits on the
network): per subscription strictly in cursor order. The head is the first unfinished
delivery in (txid, id) order; it is sent only when it is due, claimed by no live worker
(a conditional UPDATE), and no older transaction of this database is still in flight (it
could add an earlier delivery; on PostgreSQL the snapshot's in-progress ids). A later
delivery waits while an earlier one is retried. The POST goes through fetch.post (the SSRF
guard, short timeouts); a 2xx delivers it, anything else is retried with exponential
backoff and jitter. When a subscription has failed for FACTCHECK_WEBHOOK_GIVE_UP_SECONDS
(24 h) its head is given up, the subscription disabled, and the chiefs are emailed.

A worker killed mid-delivery leaves its claim; after FACTCHECK_WEBHOOK_CLAIM_SECONDS the
claim is stale and the delivery is sent again with the same `webhook-id`, which is how a
receiver folds the duplicate. `webhooks_tick` (beat) sends what is due and what lost its
worker.
"""

from __future__ import annotations

import base64
import json
import logging
import random
import secrets
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from standardwebhooks.webhooks import Webhook

from .. import fetch, tasks
from ..models import Event, Verdict, WebhookDelivery, WebhookSubscription
from .base import Conflict, Invalid, event_record, require_role, url_checked
from .jobs import enqueue

logger = logging.getLogger(__name__)

Type = WebhookSubscription.EventType
Verb = Event.Verb
State = WebhookDelivery.State

# Audit verbs → webhook event types. An annotation's assignment, a declined assignment and
# re-anchoring change its representation too, so they are `annotation.updated`; a verdict
# set aside by a text change goes back to work: `verdict.reopened`. An article created with
# its text (an upload, the API) and one fetched from a URL are both `article.imported`.
# A blind double review says nothing while its proposals are sealed; its reveal sends a
# `verdict.proposed` for each of the two verdicts, and its decision a `verdict.rejected` for
# each verdict not chosen (the chosen one is approved as any verdict: `verdict.approved`).
WEBHOOK_TYPES: dict[str, str] = {
    Verb.ARTICLE_CREATED: Type.ARTICLE_IMPORTED,
    Verb.ARTICLE_IMPORTED: Type.ARTICLE_IMPORTED,
    Verb.ARTICLE_PUBLISHED: Type.ARTICLE_PUBLISHED,
    Verb.ARTICLE_WITHDRAWN: Type.ARTICLE_WITHDRAWN,
    Verb.ARTICLE_CORRECTED: Type.ARTICLE_CORRECTED,
    Verb.ANNOTATION_CREATED: Type.ANNOTATION_CREATED,
    Verb.SUGGESTION_ACCEPTED: Type.ANNOTATION_CREATED,
    Verb.ANNOTATION_UPDATED: Type.ANNOTATION_UPDATED,
    Verb.ANNOTATION_ASSIGNED: Type.ANNOTATION_UPDATED,
    Verb.ASSIGNMENT_DECLINED: Type.ANNOTATION_UPDATED,
    Verb.ANNOTATION_FUZZY: Type.ANNOTATION_UPDATED,
    Verb.ANNOTATION_ORPHANED: Type.ANNOTATION_UPDATED,
    Verb.ANNOTATION_WITHDRAWN: Type.ANNOTATION_WITHDRAWN,
    Verb.VERDICT_PROPOSED: Type.VERDICT_PROPOSED,
    Verb.VERDICT_APPROVED: Type.VERDICT_APPROVED,
    Verb.VERDICT_REJECTED: Type.VERDICT_REJECTED,
    Verb.VERDICT_SET_ASIDE: Type.VERDICT_REOPENED,
    Verb.DOUBLE_REVIEW_REVEALED: Type.VERDICT_PROPOSED,
    Verb.DOUBLE_REVIEW_DECIDED: Type.VERDICT_REJECTED,
    Verb.SOURCE_CHECK_FINISHED: Type.SOURCE_CHECK_FINISHED,
}

# The first bytes of a receiver's answer kept for the delivery log.
RESPONSE_HEAD_BYTES = 1024
# Deliveries one task sends, and seconds it spends, before it hands over to a new task
# (which goes on from there), so a slow receiver never runs into the time limits.
DRAIN_BATCH = 200
DRAIN_SECONDS = 60.0
# How long a task waits for older in-flight transactions before it leaves the head to
# the beat's tick (seconds), and how often it looks meanwhile.
SETTLE_WAIT_SECONDS = 5.0
SETTLE_POLL_SECONDS = 0.02


# --- the secret ------------------------------------------------------------------------------


def secret_new() -> str:
    """A signing secret in the spec's form: "whsec_" and the base64 of 32 random bytes."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode("ascii")


def signature_header(
    subscription: WebhookSubscription, *, message_id: str, sent_at: datetime, body: str
) -> str:
    """The `webhook-signature` value: "v1,<base64 HMAC-SHA256>" by the secret, and by the
    previous one too while a rotation's grace period runs (space-separated, as the spec
    allows), signed by the standardwebhooks package."""
    keys = [subscription.secret]
    until = subscription.previous_secret_until
    if subscription.previous_secret and until is not None and until > timezone.now():
        keys.append(subscription.previous_secret)
    return " ".join(
        Webhook(key).sign(msg_id=message_id, timestamp=sent_at, data=body) for key in keys
    )


# --- recording: one delivery per event and subscription, in the event's transaction ---------


def webhook_cursor() -> str | None:
    """The sync cursor of the change the current transaction wrote, when the change log
    (annotations.changes) offers one; None otherwise."""
    try:
        from .. import changes
    except ImportError:
        return None
    position = getattr(changes, "position_for_current_transaction", None)
    return position() if callable(position) else None


def webhook_type(event: Event) -> str | None:
    """The webhook type of an audit event, None when it has none. A withdrawn fact-check
    restored is published again: `article.published`."""
    if event.verb == Verb.ARTICLE_RESTORED:
        published = (event.data or {}).get("to") == "published"
        return Type.ARTICLE_PUBLISHED if published else None
    return WEBHOOK_TYPES.get(event.verb)


def _verdict_ids(event: Event) -> list[int]:
    """The verdicts a verdict-typed event is about: its `verdict`, or a double review's
    revealed pair, or the verdicts its decision did not choose."""
    data = event.data or {}
    if event.verb == Verb.DOUBLE_REVIEW_REVEALED:
        return [int(item["verdict"]) for item in data.get("verdicts") or []]
    if event.verb == Verb.DOUBLE_REVIEW_DECIDED:
        return [int(pk) for pk in data.get("not_chosen") or []]
    return [int(data["verdict"])] if data.get("verdict") else []


def _payloads_data(event_type: str, event: Event) -> list[dict[str, Any] | None]:
    """The API's detail representation of each object of the event, one message each; [None]
    for an event with no object. A sealed blind proposal is none of them: its author alone
    may see it until the reveal (policy.can_see_verdict), so it sends nothing."""
    # The payload is by contract what the API's detail endpoint gives, so the API's
    # serializers build it (imported here: services load before the API).
    from ..api import payloads

    kind = event_type.split(".", 1)[0]
    data = event.data or {}
    if kind == "verdict":
        ids = _verdict_ids(event)
        shown = set(
            Verdict.objects.filter(pk__in=ids, is_sealed=False).values_list("pk", flat=True)
        )
        return [payloads.verdict(pk) for pk in ids if pk in shown]
    if kind == "article" and event.article_id is not None:
        return [payloads.article(event.article_id)]
    if kind == "annotation" and event.annotation_id is not None:
        return [payloads.annotation(event.annotation_id)]
    if kind == "source_check" and data.get("sealed"):
        # The check of a blind reviewer's sealed evidence (services.source_checks).
        return []
    if kind == "source_check" and data.get("check"):
        return [payloads.source_check(int(data["check"]))]
    return [None]


def _transaction_id() -> int | None:
    """The current transaction's id on PostgreSQL (assigned by now: the event is written),
    None on SQLite, where one writer at a time makes the row id the order."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_xact_id()::text::bigint")
        return cursor.fetchone()[0]


def webhook_deliveries_record(event: Event) -> list[WebhookDelivery]:
    """The deliveries of `event` to each active subscription that wants its type, one per
    object the event is about (a double review's reveal is about two verdicts), written in
    the caller's transaction with their outbox jobs. Nothing for a verb without a webhook
    type, when no subscription wants it (one small query), or for a sealed proposal."""
    event_type = webhook_type(event)
    if event_type is None:
        return []
    subscriptions = [
        subscription
        for subscription in WebhookSubscription.objects.filter(is_active=True)
        if event_type in subscription.event_types
    ]
    if not subscriptions:
        return []
    with translation.override("en"):
        objects = _payloads_data(event_type, event)
    if not objects:
        return []
    cursor = webhook_cursor()
    bodies = [
        json.dumps(
            {
                "id": event.pk,
                "type": event_type,
                "timestamp": event.created_at,
                "cursor": cursor,
                "data": data,
            },
            cls=DjangoJSONEncoder,
            ensure_ascii=False,
            separators=(",", ":"),
        )
        for data in objects
    ]
    deliveries = []
    # One transaction (a savepoint inside the caller's), so that `txid` is the id of the
    # transaction that writes the rows even when the caller runs in autocommit.
    with transaction.atomic():
        txid = _transaction_id()
        for subscription in subscriptions:
            for body in bodies:
                delivery = WebhookDelivery.objects.create(
                    subscription=subscription,
                    event=event,
                    event_type=event_type,
                    message_id=f"msg_{uuid.uuid4().hex}",
                    payload=body,
                    txid=txid,
                )
                enqueue(tasks.webhook_deliver, delivery.pk)
                deliveries.append(delivery)
    return deliveries


# --- sending ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Claim:
    """A delivery this worker holds: `attempts` (after its claim) is the claim's token."""

    delivery_id: int
    subscription_id: int
    attempts: int


# The oldest transaction still in flight that may write to this database: the snapshot's
# in-progress ids, less those a backend of another database holds (the snapshot is
# cluster-wide, and a long transaction next door must not stall our deliveries). An id
# pg_stat_activity does not show (it just began or ended) counts as ours: waiting a poll
# longer is safe, sending too early is not. In-flight ids lie within 2**31 of each other,
# so their low 32 bits (pg_stat_activity's `xid`) name them uniquely.
_HEAD_SQL = """
WITH in_flight AS (
    SELECT min(x::text::bigint) AS oldest
    FROM pg_snapshot_xip(pg_current_snapshot()) AS x
    WHERE x::text::bigint %% 4294967296 NOT IN (
        SELECT backend_xid::text::bigint FROM pg_stat_activity
        WHERE datname IS DISTINCT FROM current_database() AND backend_xid IS NOT NULL
    )
)
SELECT d.id, d.state, d.next_attempt_at, d.claimed_at, d.attempts,
       d.txid IS NULL OR in_flight.oldest IS NULL OR d.txid < in_flight.oldest
FROM annotations_webhookdelivery AS d, in_flight
WHERE d.subscription_id = %s AND d.state IN ('pending', 'sending')
ORDER BY d.txid, d.id
LIMIT 1
"""


def _head(subscription_id: int) -> tuple[Any, ...] | None:
    """(id, state, next_attempt_at, claimed_at, attempts, settled) of the subscription's
    first unfinished delivery in cursor order. `settled`: no transaction of this database
    older than its own is still in flight, so nothing can still appear before it (one
    statement, one snapshot).
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_HEAD_SQL, [subscription_id])
            return cursor.fetchone()
    row = (
        WebhookDelivery.objects.filter(
            subscription_id=subscription_id, state__in=[State.PENDING, State.SENDING]
        )
        .order_by("id")
        .values_list("id", "state", "next_attempt_at", "claimed_at", "attempts")
        .first()
    )
    return (*row, True) if row is not None else None


def _claim_head(subscription_id: int) -> Claim | float | None:
    """Claim the subscription's head delivery for this worker. None when there is nothing
    to send now (no unfinished delivery, the subscription is disabled, the head is held by
    a live claim or waits for its retry: the task that failed it looks again, and the
    tick); a number of seconds when the head still waits on an older transaction after
    SETTLE_WAIT_SECONDS and this task should look again then."""
    if not WebhookSubscription.objects.filter(pk=subscription_id, is_active=True).exists():
        return None
    waited_until = time.monotonic() + SETTLE_WAIT_SECONDS
    while True:
        head = _head(subscription_id)
        if head is None:
            return None
        delivery_id, state, next_attempt_at, claimed_at, attempts, settled = head
        if settled:
            break
        if time.monotonic() > waited_until:
            return SETTLE_WAIT_SECONDS
        time.sleep(SETTLE_POLL_SECONDS)
    now = timezone.now()
    if state == State.PENDING and next_attempt_at > now:
        return None
    stale = now - timedelta(seconds=settings.FACTCHECK_WEBHOOK_CLAIM_SECONDS)
    if state == State.SENDING and claimed_at is not None and claimed_at > stale:
        return None
    # Of two workers only one moves `attempts` from the value both read.
    claimed = WebhookDelivery.objects.filter(pk=delivery_id, state=state, attempts=attempts).update(
        state=State.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    return Claim(delivery_id, subscription_id, attempts + 1) if claimed else None


def _backoff(attempts: int) -> float:
    """Seconds before the next attempt after `attempts` failed ones: the base doubled each
    time up to the cap, half of it fixed and half random (jitter), so receivers that failed
    together are not hit again together."""
    base = settings.FACTCHECK_WEBHOOK_RETRY_BASE_SECONDS
    delay = min(settings.FACTCHECK_WEBHOOK_RETRY_MAX_SECONDS, base * 2 ** max(attempts - 1, 0))
    return delay / 2 + random.uniform(0, delay / 2)


def _response_text(head: bytes) -> str:
    return head[:RESPONSE_HEAD_BYTES].decode("utf-8", errors="replace").replace("\x00", "\ufffd")


def _send(claim: Claim) -> bool:
    """One attempt of a claimed delivery; True when the receiver took it (2xx)."""
    delivery = WebhookDelivery.objects.select_related("subscription").get(pk=claim.delivery_id)
    subscription = delivery.subscription
    sent_at = timezone.now()
    headers = {
        "Content-Type": "application/json",
        "webhook-id": delivery.message_id,
        "webhook-timestamp": str(int(sent_at.timestamp())),
        "webhook-signature": signature_header(
            subscription, message_id=delivery.message_id, sent_at=sent_at, body=delivery.payload
        ),
    }
    started = time.monotonic()
    status: int | None = None
    head = b""
    error = ""
    try:
        answer = fetch.post(
            subscription.url,
            delivery.payload.encode("utf-8"),
            headers=headers,
            allow_hosts=settings.FETCH_ALLOW_HOSTS,
            connect_timeout=settings.FACTCHECK_WEBHOOK_CONNECT_TIMEOUT,
            read_timeout=settings.FACTCHECK_WEBHOOK_TIMEOUT,
            total_timeout=settings.FACTCHECK_WEBHOOK_TIMEOUT,
            head_bytes=RESPONSE_HEAD_BYTES,
        )
        status, head = answer.status, answer.head
    except fetch.BlockedURL as exc:
        error = f"blocked: {exc.message}"
    except fetch.FetchError as exc:
        error = exc.message
    duration_ms = int((time.monotonic() - started) * 1000)
    delivered = status is not None and 200 <= status < 300
    if status is not None and not delivered:
        error = f"HTTP {status}"
    _attempt_record(
        claim,
        delivered=delivered,
        status=status,
        duration_ms=duration_ms,
        response=_response_text(head),
        error=error,
    )
    return delivered


def _attempt_record(
    claim: Claim,
    *,
    delivered: bool,
    status: int | None,
    duration_ms: int,
    response: str,
    error: str,
) -> None:
    """Store an attempt's outcome, if this worker still holds the claim. A failure is
    retried after a backoff; after FACTCHECK_WEBHOOK_GIVE_UP_SECONDS of failures the
    delivery is given up and its subscription disabled (the chiefs are emailed).

    Locks the subscription row, then the delivery's (as the chiefs' redeliveries do)."""
    now = timezone.now()
    with transaction.atomic():
        subscription = (
            WebhookSubscription.objects.select_for_update().filter(pk=claim.subscription_id).first()
        )
        delivery = (
            WebhookDelivery.objects.select_for_update()
            .filter(pk=claim.delivery_id, state=State.SENDING, attempts=claim.attempts)
            .first()
        )
        if subscription is None or delivery is None:
            return  # deleted, or the claim went stale and another worker took it over
        delivery.last_attempt_at = now
        delivery.last_status_code = status
        delivery.last_duration_ms = duration_ms
        delivery.last_response = response
        delivery.last_error = error[:2000]
        delivery.claimed_at = None
        if delivered:
            delivery.state = State.DELIVERED
            delivery.delivered_at = now
            if subscription.failing_since is not None:
                subscription.failing_since = None
                subscription.save(update_fields=["failing_since", "updated_at"])
        else:
            failing_since = subscription.failing_since or now
            give_up_after = timedelta(seconds=settings.FACTCHECK_WEBHOOK_GIVE_UP_SECONDS)
            if now - failing_since >= give_up_after:
                delivery.state = State.FAILED
                _subscription_disable(subscription, failing_since=failing_since, error=error)
            else:
                delivery.state = State.PENDING
                delivery.next_attempt_at = now + timedelta(seconds=_backoff(delivery.attempts))
                if subscription.failing_since is None:
                    subscription.failing_since = now
                    subscription.save(update_fields=["failing_since", "updated_at"])
        delivery.save(
            update_fields=[
                "state",
                "next_attempt_at",
                "claimed_at",
                "last_attempt_at",
                "last_status_code",
                "last_duration_ms",
                "last_response",
                "last_error",
                "delivered_at",
            ]
        )


def _subscription_disable(
    subscription: WebhookSubscription, *, failing_since: datetime, error: str
) -> None:
    """Disable a subscription that has failed since `failing_since`; its chiefs are told.
    The caller holds its lock."""
    subscription.is_active = False
    subscription.disabled_reason = (
        f"failing since {failing_since.isoformat(timespec='seconds')}: {error}"
    )[:500]
    subscription.save(update_fields=["is_active", "disabled_reason", "updated_at"])
    event_record(
        actor=None,
        verb=Verb.WEBHOOK_DISABLED,
        data={
            "webhook": subscription.pk,
            "url": subscription.url,
            "failing_since": failing_since.isoformat(),
            "error": error[:500],
        },
    )
    enqueue(tasks.notify, "webhook_disabled", subscription.pk)


def webhook_deliver(*, delivery_id: int) -> float | None:
    """Send the due deliveries of `delivery_id`'s subscription, head first, in cursor
    order, until one fails, none is due, or DRAIN_BATCH were sent. Returns the seconds
    after which the head is due (for the task to look again), or None. A delivery already
    sent (another task drained it) costs one query.

    Safe to run twice at once: each delivery is claimed before it is sent."""
    row = (
        WebhookDelivery.objects.filter(pk=delivery_id)
        .values_list("subscription_id", "state")
        .first()
    )
    if row is None or row[1] == State.DELIVERED:
        return None
    subscription_id = row[0]
    handover = time.monotonic() + DRAIN_SECONDS
    for _sent in range(DRAIN_BATCH):
        if time.monotonic() > handover:
            break
        claim = _claim_head(subscription_id)
        if not isinstance(claim, Claim):
            return claim
        if not _send(claim):
            return _due_in(subscription_id)
    return 0.0


def _due_in(subscription_id: int) -> float | None:
    """Seconds until the subscription's head is due (after a failed attempt)."""
    head = _head(subscription_id)
    if head is None or head[1] != State.PENDING:
        return None
    return max((head[2] - timezone.now()).total_seconds(), 0.0)


def webhooks_tick() -> int:
    """The beat's: start a delivery task for every active subscription whose head is due
    or lost its worker (a stale claim). Returns the number of tasks started."""
    now = timezone.now()
    stale = now - timedelta(seconds=settings.FACTCHECK_WEBHOOK_CLAIM_SECONDS)
    started = 0
    for subscription_id in WebhookSubscription.objects.filter(is_active=True).values_list(
        "pk", flat=True
    ):
        head = _head(subscription_id)
        if head is None:
            continue
        delivery_id, state, next_attempt_at, claimed_at, _attempts, _settled = head
        due = state == State.PENDING and next_attempt_at <= now
        lost = state == State.SENDING and (claimed_at is None or claimed_at <= stale)
        if due or lost:
            enqueue(tasks.webhook_deliver, delivery_id)
            started += 1
    return started


# --- chiefs' management ----------------------------------------------------------------------


def _event_types_checked(event_types: list[str] | None) -> list[str]:
    chosen = list(dict.fromkeys(event_types or []))
    if not chosen:
        raise Invalid(_("choose at least one event type"), field="event_types")
    unknown = [value for value in chosen if value not in Type.values]
    if unknown:
        raise Invalid(
            _("unknown event type: %(types)s") % {"types": ", ".join(map(str, unknown))},
            field="event_types",
        )
    return [value for value in Type.values if value in chosen]


def webhook_create(
    *, actor: Any, url: str, event_types: list[str], description: str = ""
) -> WebhookSubscription:
    """A new active subscription with a fresh secret (the caller shows it once).

    Raises Forbidden (not a chief), Invalid (URL, event types)."""
    require_role(actor, "webhook.manage")
    url = url_checked(url)
    chosen = _event_types_checked(event_types)
    with transaction.atomic():
        subscription = WebhookSubscription.objects.create(
            url=url,
            description=(description or "").strip()[:200],
            event_types=chosen,
            secret=secret_new(),
            created_by=actor,
        )
        event_record(
            actor=actor,
            verb=Verb.WEBHOOK_CREATED,
            data={"webhook": subscription.pk, "url": url, "event_types": chosen},
        )
    return subscription


def webhook_update(
    *,
    actor: Any,
    webhook_id: int,
    url: str | None = None,
    event_types: list[str] | None = None,
    description: str | None = None,
    is_active: bool | None = None,
) -> WebhookSubscription:
    """Change a subscription's URL, event types, description, or switch it on or off.
    Switching it on clears its failure record and sends what waits.

    Locks the subscription. Raises Forbidden, Invalid, DoesNotExist (404)."""
    require_role(actor, "webhook.manage")
    changes: dict[str, Any] = {}
    if url is not None:
        changes["url"] = url_checked(url)
    if event_types is not None:
        changes["event_types"] = _event_types_checked(event_types)
    if description is not None:
        changes["description"] = description.strip()[:200]
    with transaction.atomic():
        subscription = WebhookSubscription.objects.select_for_update().get(pk=webhook_id)
        if is_active is not None and is_active != subscription.is_active:
            changes["is_active"] = is_active
            if is_active:
                changes["disabled_reason"] = ""
                changes["failing_since"] = None
            else:
                changes["disabled_reason"] = _("disabled by %(user)s") % {
                    "user": actor.get_username()
                }
        changed = {
            name: value for name, value in changes.items() if getattr(subscription, name) != value
        }
        if not changed:
            return subscription
        for name, value in changed.items():
            setattr(subscription, name, value)
        subscription.save()
        event_record(
            actor=actor,
            verb=Verb.WEBHOOK_UPDATED,
            data={
                "webhook": subscription.pk,
                **{
                    name: value
                    for name, value in changed.items()
                    if name in ("url", "event_types", "is_active", "description")
                },
            },
        )
        if changed.get("is_active"):
            _kick(subscription.pk)
    return subscription


def webhook_rotate_secret(*, actor: Any, webhook_id: int) -> WebhookSubscription:
    """A new secret (the caller shows it once). The old one signs too for
    FACTCHECK_WEBHOOK_ROTATION_GRACE_SECONDS, so a receiver can switch without a gap.

    Locks the subscription. Raises Forbidden, DoesNotExist (404)."""
    require_role(actor, "webhook.manage")
    with transaction.atomic():
        subscription = WebhookSubscription.objects.select_for_update().get(pk=webhook_id)
        subscription.previous_secret = subscription.secret
        subscription.previous_secret_until = timezone.now() + timedelta(
            seconds=settings.FACTCHECK_WEBHOOK_ROTATION_GRACE_SECONDS
        )
        subscription.secret = secret_new()
        subscription.save()
        event_record(
            actor=actor, verb=Verb.WEBHOOK_SECRET_ROTATED, data={"webhook": subscription.pk}
        )
    return subscription


def webhook_delete(*, actor: Any, webhook_id: int) -> None:
    """Delete a subscription and its delivery log.

    Locks the subscription. Raises Forbidden, DoesNotExist (404)."""
    require_role(actor, "webhook.manage")
    with transaction.atomic():
        subscription = WebhookSubscription.objects.select_for_update().get(pk=webhook_id)
        event_record(
            actor=actor,
            verb=Verb.WEBHOOK_DELETED,
            data={"webhook": subscription.pk, "url": subscription.url},
        )
        subscription.delete()


def _redeliverable(subscription: WebhookSubscription) -> None:
    if not subscription.is_active:
        raise Conflict(_("the subscription is disabled; enable it first"))


def _kick(subscription_id: int) -> None:
    """Start a delivery task at the subscription's head, if it has one (after commit)."""
    head = _head(subscription_id)
    if head is not None:
        enqueue(tasks.webhook_deliver, head[0])


def webhook_redeliver(*, actor: Any, webhook_id: int, delivery_id: int) -> WebhookDelivery:
    """Send one delivery again, with the same webhook-id and body (a receiver that kept
    it can fold it). It is sent in its cursor place, before anything still unsent.

    Locks the subscription and the delivery. Raises Forbidden, Conflict (disabled, or
    being sent right now), DoesNotExist (404)."""
    require_role(actor, "webhook.manage")
    with transaction.atomic():
        subscription = WebhookSubscription.objects.select_for_update().get(pk=webhook_id)
        _redeliverable(subscription)
        delivery = WebhookDelivery.objects.select_for_update().get(
            pk=delivery_id, subscription=subscription
        )
        if delivery.state == State.SENDING:
            raise Conflict(_("the delivery is being sent right now"))
        if delivery.state != State.PENDING:
            delivery.state = State.PENDING
            delivery.next_attempt_at = timezone.now()
            delivery.save(update_fields=["state", "next_attempt_at"])
        event_record(
            actor=actor,
            verb=Verb.WEBHOOK_REDELIVERED,
            data={"webhook": subscription.pk, "deliveries": [delivery.pk]},
        )
        _kick(subscription.pk)
    return delivery


def webhook_redeliver_since(*, actor: Any, webhook_id: int, since: datetime) -> int:
    """Send again every delivered or failed delivery created at or after `since`, in
    cursor order, with their webhook-ids. Returns how many.

    Locks the subscription. Raises Forbidden, Conflict (disabled), DoesNotExist (404)."""
    require_role(actor, "webhook.manage")
    with transaction.atomic():
        subscription = WebhookSubscription.objects.select_for_update().get(pk=webhook_id)
        _redeliverable(subscription)
        again = WebhookDelivery.objects.filter(
            subscription=subscription,
            created_at__gte=since,
            state__in=[State.DELIVERED, State.FAILED],
        )
        ids = list(again.values_list("pk", flat=True))
        WebhookDelivery.objects.filter(pk__in=ids).update(
            state=State.PENDING, next_attempt_at=timezone.now()
        )
        event_record(
            actor=actor,
            verb=Verb.WEBHOOK_REDELIVERED,
            data={"webhook": subscription.pk, "since": since.isoformat(), "count": len(ids)},
        )
        if ids:
            _kick(subscription.pk)
    return len(ids)
