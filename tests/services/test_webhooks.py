"""Webhook deliveries are recorded with their event, in its transaction, signed in the
Standard Webhooks format; only chiefs manage subscriptions."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from annotations import fetch, services
from annotations.models import Event, Job, WebhookDelivery, WebhookSubscription
from annotations.services import webhooks
from tests.factories import make_annotation
from tests.webhook_receiver import running_receiver

Type = WebhookSubscription.EventType
CLAIM = "4,2 Milliarden Euro für den Ausbau der Schiene freigegeben"


def subscribe(chief, *types: str, url: str = "https://cms.example.org/hooks"):
    return services.webhook_create(actor=chief, url=url, event_types=list(types))


@pytest.mark.django_db
def test_a_new_subscription_gets_a_secret_in_the_whsec_form(chief):
    subscription = subscribe(chief, Type.ANNOTATION_CREATED)
    assert subscription.secret.startswith("whsec_")
    assert len(Webhook(subscription.secret)._whsecret) == 32
    assert subscription.is_active


@pytest.mark.django_db
def test_an_event_of_a_subscribed_type_gets_one_delivery_per_active_subscription(
    chief, editor, article
):
    wanted = subscribe(chief, Type.ANNOTATION_CREATED)
    also = subscribe(chief, Type.ANNOTATION_CREATED, Type.VERDICT_APPROVED)
    other_type = subscribe(chief, Type.VERDICT_APPROVED)
    disabled = subscribe(chief, Type.ANNOTATION_CREATED)
    services.webhook_update(actor=chief, webhook_id=disabled.pk, is_active=False)

    annotation = make_annotation(editor, article, CLAIM)

    deliveries = WebhookDelivery.objects.filter(event__annotation=annotation)
    assert sorted(d.subscription_id for d in deliveries) == [wanted.pk, also.pk]
    assert {d.event_type for d in deliveries} == {"annotation.created"}
    assert not WebhookDelivery.objects.filter(subscription__in=[other_type, disabled]).exists()
    # Each is a job of the outbox, written with it.
    jobs = Job.objects.filter(task="annotations.webhook_deliver")
    assert sorted(job.args[0] for job in jobs) == sorted(d.pk for d in deliveries)


@pytest.mark.django_db
def test_the_payload_is_the_api_annotation_object_with_the_event_id_type_time_and_cursor(
    chief, editor, article, client
):
    subscribe(chief, Type.ANNOTATION_CREATED)
    annotation = make_annotation(editor, article, CLAIM)
    delivery = WebhookDelivery.objects.get(event__annotation=annotation)
    event = Event.objects.get(pk=delivery.event_id)

    payload = json.loads(delivery.payload)

    assert payload["id"] == event.pk
    assert payload["type"] == "annotation.created"
    assert payload["timestamp"].startswith(event.created_at.strftime("%Y-%m-%dT%H:%M"))
    assert "cursor" in payload
    client.force_login(editor)
    api_object = client.get(f"/api/v1/annotations/{annotation.pk}/").json()
    api_object.pop("similar", None)
    assert payload["data"] == api_object


@pytest.mark.django_db
def test_a_rolled_back_write_leaves_no_delivery(chief, editor, article):
    subscribe(chief, Type.ANNOTATION_CREATED)
    with pytest.raises(RuntimeError), transaction.atomic():
        make_annotation(editor, article, CLAIM)
        raise RuntimeError("the request failed after the write")
    assert not WebhookDelivery.objects.exists()


@pytest.mark.django_db
def test_a_verdict_event_carries_the_verdict_and_a_text_change_reopens_it(chief, editor):
    assert webhooks.WEBHOOK_TYPES[Event.Verb.VERDICT_SET_ASIDE] == Type.VERDICT_REOPENED
    restored = Event(verb=Event.Verb.ARTICLE_RESTORED, data={"to": "published"})
    archived_back = Event(verb=Event.Verb.ARTICLE_RESTORED, data={"to": "draft"})
    assert webhooks.webhook_type(restored) == Type.ARTICLE_PUBLISHED
    assert webhooks.webhook_type(archived_back) is None
    assert webhooks.webhook_type(Event(verb=Event.Verb.COMMENT_ADDED)) is None


@pytest.mark.django_db
def test_the_signature_verifies_with_the_standardwebhooks_package(chief):
    subscription = subscribe(chief, Type.ANNOTATION_CREATED)
    body = '{"type":"annotation.created"}'
    now = timezone.now()
    header = webhooks.signature_header(subscription, message_id="msg_1", sent_at=now, body=body)
    headers = {
        "webhook-id": "msg_1",
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": header,
    }
    assert Webhook(subscription.secret).verify(body, headers) == {"type": "annotation.created"}
    with pytest.raises(WebhookVerificationError):
        Webhook(webhooks.secret_new()).verify(body, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(subscription.secret).verify(body + " ", headers)


@pytest.mark.django_db
def test_after_a_rotation_both_secrets_verify_until_the_grace_period_ends(chief):
    subscription = subscribe(chief, Type.ANNOTATION_CREATED)
    old = subscription.secret
    rotated = services.webhook_rotate_secret(actor=chief, webhook_id=subscription.pk)
    assert rotated.secret != old
    body, now = "{}", timezone.now()
    headers = {"webhook-id": "msg_2", "webhook-timestamp": str(int(now.timestamp()))}
    headers["webhook-signature"] = webhooks.signature_header(
        rotated, message_id="msg_2", sent_at=now, body=body
    )
    assert Webhook(old).verify(body, headers) == {}
    assert Webhook(rotated.secret).verify(body, headers) == {}

    rotated.previous_secret_until = timezone.now() - timedelta(seconds=1)
    headers["webhook-signature"] = webhooks.signature_header(
        rotated, message_id="msg_2", sent_at=now, body=body
    )
    with pytest.raises(WebhookVerificationError):
        Webhook(old).verify(body, headers)
    assert Webhook(rotated.secret).verify(body, headers) == {}


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["editor", "reviewer", "outsider"])
def test_only_chiefs_manage_webhooks(persona, request):
    user = request.getfixturevalue(persona)
    with pytest.raises(services.Forbidden, match="only chiefs can manage webhooks"):
        services.webhook_create(
            actor=user, url="https://cms.example.org/hooks", event_types=["verdict.approved"]
        )
    assert not WebhookSubscription.objects.exists()


@pytest.mark.django_db
def test_a_subscription_needs_an_http_url_and_known_event_types(chief):
    with pytest.raises(services.Invalid) as error:
        services.webhook_create(actor=chief, url="ftp://cms.example.org/", event_types=["x"])
    assert error.value.field == "url"
    with pytest.raises(services.Invalid, match=r"unknown event type: article\.eaten"):
        services.webhook_create(
            actor=chief, url="https://cms.example.org/", event_types=["article.eaten"]
        )
    with pytest.raises(services.Invalid, match="choose at least one event type"):
        services.webhook_create(actor=chief, url="https://cms.example.org/", event_types=[])


def test_retries_back_off_exponentially_with_jitter(settings):
    settings.FACTCHECK_WEBHOOK_RETRY_BASE_SECONDS = 10
    settings.FACTCHECK_WEBHOOK_RETRY_MAX_SECONDS = 3600
    for attempts, full in [(1, 10), (2, 20), (3, 40), (10, 3600), (30, 3600)]:
        delays = {webhooks._backoff(attempts) for _ in range(50)}
        assert all(full / 2 <= delay <= full for delay in delays)
        assert len(delays) > 1  # jitter


def test_the_guard_refuses_a_loopback_receiver_before_connecting():
    with running_receiver() as receiver:
        with pytest.raises(fetch.BlockedURL, match="Loopback"):
            fetch.post(receiver.url, b"{}", headers={}, allow_hosts=[])
        with pytest.raises(fetch.BlockedURL, match="Private-Use"):
            fetch.post("http://10.1.2.3:8080/hooks", b"{}", headers={}, allow_hosts=[])
        assert receiver.requests == 0
        answer = fetch.post(receiver.url, b"{}", headers={}, allow_hosts=[receiver.host_port])
        assert answer.status == 401  # reached, and the signature is missing
        assert receiver.requests == 1
