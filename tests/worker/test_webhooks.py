"""Webhooks with the real worker and a real receiver on 127.0.0.1 that verifies every
signature with the standardwebhooks package: each event once and in cursor order, nothing
lost while the receiver is down, nothing sent to a blocked address, a day of failures
disables the subscription and tells the chiefs, and chiefs send deliveries again."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from django.core import mail
from django.utils import timezone

from annotations import selectors, services
from annotations.models import Event, WebhookDelivery, WebhookSubscription
from tests.background import worker_test
from tests.conftest import wait_for
from tests.factories import GERMAN_TEXT, UserFactory, make_annotation, make_article
from tests.source_site import running_site
from tests.webhook_receiver import Receiver, running_receiver

State = WebhookDelivery.State
CLAIM = "4,2 Milliarden Euro für den Ausbau der Schiene freigegeben"
RATIONALE = "Laut Haushaltsplan des Ministeriums ist der Betrag korrekt angegeben."
SOURCE_PAGE = (
    "<!doctype html><html><head><title>Mitteilung</title></head><body><article><p>Die "
    f"Bundesregierung hat am Mittwoch {CLAIM}.</p></article></body></html>"
)


@pytest.fixture
def receiver(settings, worker) -> Iterator[Receiver]:
    with running_receiver() as site:
        settings.FETCH_ALLOW_HOSTS = [site.host_port]
        settings.FACTCHECK_WEBHOOK_RETRY_BASE_SECONDS = 0.2
        settings.FACTCHECK_WEBHOOK_RETRY_MAX_SECONDS = 0.8
        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
        yield site
        # A subscription that still fails would be retried for ever: stop it before the
        # worker is waited for and the tables flushed.
        WebhookSubscription.objects.update(is_active=False)


def subscribe(chief, receiver: Receiver, types: list[str] | None = None) -> WebhookSubscription:
    subscription = services.webhook_create(
        actor=chief,
        url=receiver.url,
        event_types=types or list(WebhookSubscription.EventType.values),
    )
    receiver.secret = subscription.secret
    return subscription


def in_cursor_order(subscription: WebhookSubscription) -> list[str]:
    return list(
        WebhookDelivery.objects.filter(subscription=subscription)
        .order_by("txid", "id")
        .values_list("message_id", flat=True)
    )


def all_delivered(subscription: WebhookSubscription, count: int | None = None):
    def check() -> bool:
        rows = WebhookDelivery.objects.filter(subscription=subscription)
        if count is not None and rows.count() < count:
            return False
        return rows.exists() and not rows.exclude(state=State.DELIVERED).exists()

    return check


@worker_test
def test_a_receiver_gets_each_event_type_once_in_cursor_order_with_a_verifiable_signature(
    receiver, editor, reviewer, chief
):
    subscription = subscribe(chief, receiver)
    second_chief = UserFactory(username="chief2", roles=["chief"])
    with running_site() as source:
        receiver_allowed = [receiver.host_port, source.host_port]
        from django.conf import settings

        settings.FETCH_ALLOW_HOSTS = receiver_allowed
        source.add("/plan", SOURCE_PAGE)

        article = make_article(editor)  # article.imported
        claim = make_annotation(editor, article, CLAIM)  # annotation.created
        extra = make_annotation(editor, article, "Kritiker meinen", label="opinion")
        services.annotation_withdraw(actor=editor, annotation_id=extra.pk)
        services.annotation_assign(actor=editor, annotation_id=claim.pk, reviewer=reviewer)
        first = services.verdict_propose(
            actor=reviewer,
            annotation_id=claim.pk,
            rating="true",
            rationale=RATIONALE,
            evidence=[services.EvidenceInput(url=source.url("/plan"), title="Plan")],
        )
        services.verdict_reject(actor=chief, verdict_id=first.pk, note="Quelle fehlt noch.")
        second = services.verdict_propose(
            actor=reviewer, annotation_id=claim.pk, rating="true", rationale=RATIONALE
        )
        services.verdict_approve(actor=chief, verdict_id=second.pk)
        gate = selectors.publish_gate(selectors.article_detail(article.pk))
        services.article_publish(
            actor=chief, article_id=article.pk, acknowledge=[w["key"] for w in gate.warnings]
        )
        # A chief changes the approved words: the verdict is set aside (reopened), then
        # approved again, which corrects the published fact-check.
        services.article_update(
            actor=chief,
            article_id=article.pk,
            fields={},
            body=GERMAN_TEXT.replace("4,2 Milliarden", "4,3 Milliarden"),
        )
        third = services.verdict_propose(
            actor=reviewer, annotation_id=claim.pk, rating="mostly-true", rationale=RATIONALE
        )
        services.verdict_approve(actor=second_chief, verdict_id=third.pk)
        services.article_archive(actor=chief, article_id=article.pk, reason="Zurückgezogen.")
        wait_for(
            lambda: Event.objects.filter(verb=Event.Verb.SOURCE_CHECK_FINISHED).exists(),
            timeout=60,
            message="the source check",
        )

    expected = in_cursor_order(subscription)
    wait_for(all_delivered(subscription), timeout=60, message="every delivery")
    got = receiver.accepted()

    assert [item.webhook_id for item in got] == expected  # each once, in cursor order
    assert all(item.verified for item in got)
    assert {item.type for item in got} == set(WebhookSubscription.EventType.values)
    payload_ids = [item.body["id"] for item in got]
    assert len(set(payload_ids)) == len(payload_ids)
    withdrawn = next(item.body for item in got if item.type == "annotation.withdrawn")
    assert withdrawn["data"]["id"] == extra.pk
    assert withdrawn["data"]["status"] == "withdrawn"
    approved = [item.body["data"] for item in got if item.type == "verdict.approved"]
    assert [v["id"] for v in approved] == [second.pk, third.pk]
    corrected = next(item.body for item in got if item.type == "article.corrected")
    assert corrected["data"]["id"] == article.pk
    check = next(item.body for item in got if item.type == "source_check.finished")
    assert check["data"]["url"] == source.url("/plan")
    assert check["data"]["status"] == "done"


@worker_test
def test_a_receiver_that_answers_500_for_a_while_gets_everything_after_it_recovers(
    receiver, editor, chief, article
):
    subscription = subscribe(chief, receiver, ["annotation.created", "annotation.withdrawn"])
    receiver.failing.set()
    quotes = ["Die Bundesregierung", "am Mittwoch", "Ausbau der Schiene", "sagte die Ministerin"]
    for quote in quotes:
        make_annotation(editor, article, quote)
    wait_for(
        lambda: WebhookDelivery.objects.filter(subscription=subscription, attempts__gte=3).exists(),
        timeout=30,
        message="the head to be retried",
    )
    head = WebhookDelivery.objects.filter(subscription=subscription).order_by("txid", "id")[0]
    assert head.last_status_code == 500
    assert "down for maintenance" in head.last_response
    assert head.state in (State.PENDING, State.SENDING)  # retried, never given up
    # Strict order: nothing after the head went out while it failed.
    assert WebhookDelivery.objects.filter(subscription=subscription, attempts=0).count() == 3
    assert WebhookSubscription.objects.get(pk=subscription.pk).failing_since is not None
    assert receiver.accepted() == []

    receiver.failing.clear()
    wait_for(all_delivered(subscription, 4), timeout=30, message="every delivery")

    assert [item.webhook_id for item in receiver.unique()] == in_cursor_order(subscription)
    assert [item.body["data"]["exact"] for item in receiver.unique()] == quotes
    assert WebhookSubscription.objects.get(pk=subscription.pk).failing_since is None


@worker_test
def test_a_receiver_on_a_blocked_address_is_never_contacted(
    receiver, settings, editor, chief, article
):
    settings.FETCH_ALLOW_HOSTS = []  # the receiver's loopback address is not allowed
    subscription = subscribe(chief, receiver, ["annotation.created"])
    make_annotation(editor, article, CLAIM)

    delivery = wait_for(
        lambda: WebhookDelivery.objects.filter(
            subscription=subscription, attempts__gte=2, state=State.PENDING
        ).first(),
        timeout=30,
        message="two refused attempts",
    )

    assert delivery.last_error.startswith("blocked: address 127.0.0.1 is in 127.0.0.0/8")
    assert delivery.last_status_code is None
    assert receiver.requests == 0


@worker_test
def test_a_day_of_failures_disables_the_subscription_and_tells_the_chiefs(
    receiver, settings, editor, chief, article
):
    settings.FACTCHECK_WEBHOOK_GIVE_UP_SECONDS = 1  # a day, shortened
    subscription = subscribe(chief, receiver, ["annotation.created"])
    receiver.failing.set()
    make_annotation(editor, article, CLAIM)
    make_annotation(editor, article, "Kritiker meinen")

    wait_for(
        lambda: not WebhookSubscription.objects.get(pk=subscription.pk).is_active,
        timeout=30,
        message="the subscription to be disabled",
    )
    disabled = WebhookSubscription.objects.get(pk=subscription.pk)
    assert disabled.disabled_reason.endswith("HTTP 500")
    head, waiting = WebhookDelivery.objects.filter(subscription=subscription).order_by("txid", "id")
    assert head.state == State.FAILED
    assert waiting.state == State.PENDING and waiting.attempts == 0
    assert Event.objects.filter(verb=Event.Verb.WEBHOOK_DISABLED, data__webhook=subscription.pk)
    wait_for(
        lambda: [m for m in mail.outbox if "chief@example.org" in m.to],
        timeout=30,
        message="the chiefs' email",
    )
    email = next(m for m in mail.outbox if "chief@example.org" in m.to)
    assert receiver.url in email.subject
    assert "/webhooks/" in email.body

    # Enabled again once the receiver is back: what waited is sent; the given-up head
    # goes out when a chief sends it again.
    receiver.failing.clear()
    services.webhook_update(actor=chief, webhook_id=subscription.pk, is_active=True)
    wait_for(
        lambda: WebhookDelivery.objects.get(pk=waiting.pk).state == State.DELIVERED,
        timeout=30,
        message="the waiting delivery",
    )
    services.webhook_redeliver(actor=chief, webhook_id=subscription.pk, delivery_id=head.pk)
    wait_for(all_delivered(subscription, 2), timeout=30, message="the redelivered head")
    assert {item.webhook_id for item in receiver.unique()} == {head.message_id, waiting.message_id}


@worker_test
def test_a_chief_sends_everything_since_a_time_again_with_the_same_webhook_ids(
    receiver, editor, chief, article
):
    subscription = subscribe(chief, receiver, ["annotation.created"])
    make_annotation(editor, article, "Die Bundesregierung")
    wait_for(all_delivered(subscription, 1), timeout=30, message="the first delivery")
    since = timezone.now()
    make_annotation(editor, article, "am Mittwoch")
    make_annotation(editor, article, "sagte die Ministerin")
    wait_for(all_delivered(subscription, 3), timeout=30, message="three deliveries")
    assert len(receiver.accepted()) == 3

    count = services.webhook_redeliver_since(actor=chief, webhook_id=subscription.pk, since=since)

    assert count == 2
    wait_for(lambda: len(receiver.accepted()) == 5, timeout=30, message="two sent again")
    wait_for(all_delivered(subscription, 3), timeout=30, message="all delivered again")
    again = [item.webhook_id for item in receiver.accepted()[3:]]
    assert again == in_cursor_order(subscription)[1:]
    assert len(receiver.unique()) == 3  # the receiver folds them by webhook-id
    bodies = [json.dumps(item.body, sort_keys=True) for item in receiver.accepted()]
    assert bodies[1:3] == bodies[3:5]  # the same bytes again
