"""The chiefs' webhooks page and delivery log through Django's test client: the secret is
shown once, every write needs CSRF and a chief, user text is escaped, refusals show their
message, and the lists run a constant number of queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from annotations import services
from annotations.models import Event, WebhookDelivery, WebhookSubscription

pytestmark = pytest.mark.django_db

URL = "https://cms.example.org/hooks"
HOSTILE = '<script>alert("x")</script>'


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def subscription(chief):
    return services.webhook_create(
        actor=chief, url=URL, event_types=["annotation.created"], description=HOSTILE
    )


def delivery(subscription, n: int = 0, **fields) -> WebhookDelivery:
    return WebhookDelivery.objects.create(
        subscription=subscription,
        event_type="annotation.created",
        message_id=f"msg_page_{n}",
        payload="{}",
        **fields,
    )


def test_a_chief_sees_the_page_and_its_link_in_the_menu(chief, subscription):
    response = logged_in(chief).get("/webhooks/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'href="/webhooks/" aria-current="page"' in page
    assert URL in page
    assert HOSTILE not in page and "&lt;script&gt;" in page
    assert subscription.secret not in page


@pytest.mark.parametrize("persona", ["editor", "reviewer"])
def test_other_roles_are_refused_and_see_no_link(persona, request, subscription):
    client = logged_in(request.getfixturevalue(persona))
    assert client.get("/webhooks/").status_code == 403
    assert client.get(f"/webhooks/{subscription.pk}/deliveries/").status_code == 403
    response = client.post(f"/webhooks/{subscription.pk}/delete/")
    assert response.status_code == 403
    assert WebhookSubscription.objects.filter(pk=subscription.pk).exists()
    assert 'href="/webhooks/"' not in client.get("/articles/").content.decode()


def test_an_anonymous_visitor_is_sent_to_the_login():
    response = Client().get("/webhooks/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_creating_a_subscription_shows_its_secret_once(chief):
    client = logged_in(chief)
    response = client.post(
        "/webhooks/",
        {
            "url": URL,
            "description": "CMS",
            "event_types": ["verdict.approved", "article.published"],
        },
    )
    assert response.status_code == 201
    subscription = WebhookSubscription.objects.get()
    assert subscription.event_types == ["article.published", "verdict.approved"]
    assert subscription.secret in response.content.decode()
    assert subscription.secret not in client.get("/webhooks/").content.decode()


def test_a_write_without_the_csrf_token_is_refused(chief, subscription):
    client = Client(enforce_csrf_checks=True)
    client.force_login(chief)
    response = client.post(f"/webhooks/{subscription.pk}/delete/")
    assert response.status_code == 403
    assert WebhookSubscription.objects.filter(pk=subscription.pk).exists()


def test_a_bad_url_is_shown_on_the_form_and_nothing_is_saved(chief):
    response = logged_in(chief).post(
        "/webhooks/", {"url": "ftp://cms.example.org/", "event_types": ["verdict.approved"]}
    )
    assert response.status_code == 400
    assert "only http and https URLs are accepted" in response.content.decode()
    response = logged_in(chief).post("/webhooks/", {"url": URL})
    assert response.status_code == 400
    assert not WebhookSubscription.objects.exists()


def test_rotating_shows_the_new_secret(chief, subscription):
    response = logged_in(chief).post(f"/webhooks/{subscription.pk}/rotate/")
    assert response.status_code == 200
    subscription.refresh_from_db()
    assert subscription.secret in response.content.decode()
    assert subscription.previous_secret not in response.content.decode()


def test_a_chief_disables_enables_and_deletes(chief, subscription):
    client = logged_in(chief)
    response = client.post(f"/webhooks/{subscription.pk}/toggle/", {"is_active": "0"})
    assert response.status_code == 302
    assert not WebhookSubscription.objects.get(pk=subscription.pk).is_active
    page = client.get("/webhooks/").content.decode()
    assert "Subscription disabled." in page and "disabled by chief" in page
    client.post(f"/webhooks/{subscription.pk}/toggle/", {"is_active": "1"})
    assert WebhookSubscription.objects.get(pk=subscription.pk).is_active
    assert client.post(f"/webhooks/{subscription.pk}/delete/").status_code == 302
    assert not WebhookSubscription.objects.exists()
    assert Event.objects.filter(verb=Event.Verb.WEBHOOK_DELETED).count() == 1
    assert client.post("/webhooks/999999/delete/").status_code == 404


def test_the_delivery_log_shows_status_code_duration_and_the_first_bytes(chief, subscription):
    delivery(
        subscription,
        state=WebhookDelivery.State.FAILED,
        attempts=3,
        last_status_code=503,
        last_duration_ms=41,
        last_response=HOSTILE,
        last_error="HTTP 503",
    )
    response = logged_in(chief).get(f"/webhooks/{subscription.pk}/deliveries/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "msg_page_0" in page and "503" in page and "41 ms" in page
    assert HOSTILE not in page and "&lt;script&gt;alert" in page
    assert "Send again" in page
    assert logged_in(chief).get("/webhooks/999999/deliveries/").status_code == 404


def test_a_chief_sends_one_delivery_again_from_the_log(chief, subscription):
    sent = delivery(subscription, state=WebhookDelivery.State.DELIVERED)
    response = logged_in(chief).post(f"/webhooks/{subscription.pk}/deliveries/{sent.pk}/redeliver/")
    assert response.status_code == 302
    assert WebhookDelivery.objects.get(pk=sent.pk).state == WebhookDelivery.State.PENDING


def test_redelivering_since_a_time_needs_a_time_and_an_active_subscription(chief, subscription):
    delivery(subscription, state=WebhookDelivery.State.DELIVERED)
    client = logged_in(chief)
    path = f"/webhooks/{subscription.pk}/redeliver/"
    assert client.post(path, {"since": "soon"}).status_code == 400
    response = client.post(path, {"since": "2000-01-01T00:00"}, follow=True)
    assert "1 deliveries are sent again." in response.content.decode()
    services.webhook_update(actor=chief, webhook_id=subscription.pk, is_active=False)
    response = client.post(path, {"since": "2000-01-01T00:00"})
    assert response.status_code == 409
    assert "the subscription is disabled; enable it first" in response.content.decode()


@pytest.mark.parametrize("rows", [1, 50])
def test_the_page_and_the_log_use_a_constant_number_of_queries(rows, chief):
    for n in range(rows):
        subscription = services.webhook_create(
            actor=chief, url=f"{URL}/{n}", event_types=["annotation.created"]
        )
        delivery(subscription, n, delivered_at=timezone.now())
    client = logged_in(chief)
    client.get("/webhooks/")
    with CaptureQueriesContext(connection) as listing:
        assert client.get("/webhooks/").status_code == 200
    with CaptureQueriesContext(connection) as log:
        assert client.get(f"/webhooks/{subscription.pk}/deliveries/").status_code == 200
    assert (len(listing), len(log)) == QUERIES


QUERIES = (4, 6)
