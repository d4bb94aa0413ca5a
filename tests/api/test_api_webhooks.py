"""/api/v1/webhooks/: chiefs subscribe receivers (the secret shown once), change, rotate,
delete them, read the delivery log and send deliveries again; everyone else is refused."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from annotations import services
from annotations.models import WebhookDelivery, WebhookSubscription
from tests.factories import api_token, make_annotation

pytestmark = pytest.mark.django_db

URL = "https://cms.example.org/hooks"
CLAIM = "4,2 Milliarden Euro für den Ausbau der Schiene freigegeben"


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
    return client


@pytest.fixture
def subscription(chief):
    return services.webhook_create(
        actor=chief, url=URL, event_types=["annotation.created", "verdict.approved"]
    )


def test_a_chief_subscribes_and_sees_the_secret_once(chief):
    client = api(chief)
    response = client.post(
        "/api/v1/webhooks/",
        {"url": URL, "event_types": ["verdict.approved", "article.published"]},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["secret"].startswith("whsec_")
    assert body["event_types"] == ["article.published", "verdict.approved"]
    assert body["is_active"] is True
    assert body["created_by"] == "chief"
    assert WebhookSubscription.objects.get(pk=body["id"]).secret == body["secret"]

    listed = client.get("/api/v1/webhooks/").json()
    assert listed["count"] == 1
    assert "secret" not in listed["results"][0]
    assert "secret" not in client.get(f"/api/v1/webhooks/{body['id']}/").json()


@pytest.mark.parametrize("persona", ["editor", "reviewer", "outsider"])
def test_only_chiefs_reach_the_webhooks(persona, request, subscription):
    client = api(request.getfixturevalue(persona))
    for method, path, data in [
        ("get", "/api/v1/webhooks/", None),
        ("post", "/api/v1/webhooks/", {"url": URL, "event_types": ["verdict.approved"]}),
        ("get", f"/api/v1/webhooks/{subscription.pk}/", None),
        ("patch", f"/api/v1/webhooks/{subscription.pk}/", {"is_active": False}),
        ("delete", f"/api/v1/webhooks/{subscription.pk}/", None),
        ("post", f"/api/v1/webhooks/{subscription.pk}/rotate-secret/", None),
        ("get", f"/api/v1/webhooks/{subscription.pk}/deliveries/", None),
        ("post", f"/api/v1/webhooks/{subscription.pk}/redeliver/", {"since": "2026-01-01T00:00Z"}),
    ]:
        response = getattr(client, method)(path, data, format="json")
        assert response.status_code == 403, (method, path, response.content)
    assert WebhookSubscription.objects.get(pk=subscription.pk).is_active


def test_an_anonymous_caller_gets_401():
    assert APIClient().get("/api/v1/webhooks/").status_code == 401


def test_a_bad_subscription_is_refused_with_field_errors(chief):
    client = api(chief)
    response = client.post(
        "/api/v1/webhooks/", {"url": URL, "event_types": ["article.eaten"]}, format="json"
    )
    assert response.status_code == 400
    assert "event_types" in response.json()
    response = client.post(
        "/api/v1/webhooks/", {"url": "ftp://x.example/", "event_types": ["verdict.approved"]}
    )
    assert response.status_code == 400
    assert response.json()["url"] == ["only http and https URLs are accepted"]
    response = client.post("/api/v1/webhooks/", {"url": URL, "event_types": []}, format="json")
    assert response.status_code == 400
    assert not WebhookSubscription.objects.exists()


def test_a_chief_disables_and_enables_a_subscription(chief, subscription):
    client = api(chief)
    response = client.patch(
        f"/api/v1/webhooks/{subscription.pk}/", {"is_active": False}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["is_active"] is False
    assert response.json()["disabled_reason"] == "disabled by chief"
    response = client.patch(
        f"/api/v1/webhooks/{subscription.pk}/",
        {"is_active": True, "event_types": ["verdict.rejected"]},
        format="json",
    )
    assert response.json()["is_active"] is True
    assert response.json()["event_types"] == ["verdict.rejected"]
    assert response.json()["disabled_reason"] == ""


def test_rotating_shows_a_new_secret_once(chief, subscription):
    response = api(chief).post(f"/api/v1/webhooks/{subscription.pk}/rotate-secret/")
    assert response.status_code == 200
    secret = response.json()["secret"]
    assert secret.startswith("whsec_") and secret != subscription.secret
    subscription.refresh_from_db()
    assert subscription.secret == secret
    assert subscription.previous_secret != ""


def test_deleting_a_subscription_answers_204_then_404(chief, subscription):
    client = api(chief)
    assert client.delete(f"/api/v1/webhooks/{subscription.pk}/").status_code == 204
    response = client.get(f"/api/v1/webhooks/{subscription.pk}/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_the_delivery_log_shows_status_duration_code_and_the_first_bytes(
    chief, editor, article, subscription
):
    annotation = make_annotation(editor, article, CLAIM)
    delivery = WebhookDelivery.objects.get(subscription=subscription)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        state=WebhookDelivery.State.DELIVERED,
        attempts=2,
        last_status_code=204,
        last_duration_ms=12,
        last_response="ok",
        delivered_at=timezone.now(),
    )
    response = api(chief).get(f"/api/v1/webhooks/{subscription.pk}/deliveries/")
    assert response.status_code == 200
    (row,) = response.json()["results"]
    assert row["webhook_id"] == delivery.message_id
    assert row["event_type"] == "annotation.created"
    assert row["state"] == "delivered"
    assert (row["status_code"], row["duration_ms"], row["response"]) == (204, 12, "ok")
    assert row["attempts"] == 2
    assert annotation.pk  # the delivery belongs to this span's event
    pending = api(chief).get(f"/api/v1/webhooks/{subscription.pk}/deliveries/?state=pending")
    assert pending.json()["count"] == 0
    bad = api(chief).get(f"/api/v1/webhooks/{subscription.pk}/deliveries/?state=lost")
    assert bad.status_code == 400
    assert "state" in bad.json()
    assert api(chief).get("/api/v1/webhooks/999999/deliveries/").status_code == 404


def test_a_chief_sends_one_delivery_again(chief, editor, article, subscription):
    make_annotation(editor, article, CLAIM)
    delivery = WebhookDelivery.objects.get(subscription=subscription)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(state=WebhookDelivery.State.FAILED)
    path = f"/api/v1/webhooks/{subscription.pk}/deliveries/{delivery.pk}/redeliver/"
    response = api(chief).post(path)
    assert response.status_code == 200
    assert response.json()["state"] == "pending"
    assert response.json()["webhook_id"] == delivery.message_id
    other = services.webhook_create(actor=chief, url=URL, event_types=["verdict.approved"])
    wrong = f"/api/v1/webhooks/{other.pk}/deliveries/{delivery.pk}/redeliver/"
    assert api(chief).post(wrong).status_code == 404


def test_redelivering_everything_since_a_time_counts_what_goes_again(
    chief, editor, article, subscription
):
    make_annotation(editor, article, CLAIM)
    make_annotation(editor, article, "Kritiker meinen")
    WebhookDelivery.objects.update(state=WebhookDelivery.State.DELIVERED)
    path = f"/api/v1/webhooks/{subscription.pk}/redeliver/"
    client = api(chief)
    response = client.post(path, {"since": "2000-01-01T00:00:00Z"}, format="json")
    assert response.status_code == 200
    assert response.json() == {"redelivered": 2}
    assert client.post(path, {}, format="json").status_code == 400
    client.patch(f"/api/v1/webhooks/{subscription.pk}/", {"is_active": False}, format="json")
    response = client.post(path, {"since": "2000-01-01T00:00:00Z"}, format="json")
    assert response.status_code == 409
    assert response.json() == {"detail": "the subscription is disabled; enable it first"}


@pytest.mark.parametrize("rows", [1, 50])
def test_the_lists_use_a_constant_number_of_queries(rows, chief, editor, article):
    for n in range(rows):
        services.webhook_create(actor=chief, url=f"{URL}/{n}", event_types=["annotation.created"])
    make_annotation(editor, article, CLAIM)
    first = WebhookSubscription.objects.order_by("pk").first()
    WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(
                subscription=first, event_type="annotation.created", message_id=f"msg_{n}"
            )
            for n in range(rows)
        ]
    )
    client = api(chief)
    client.get("/api/v1/webhooks/")  # the token's first use writes
    with CaptureQueriesContext(connection) as listing:
        assert client.get("/api/v1/webhooks/").status_code == 200
    with CaptureQueriesContext(connection) as log:
        assert client.get(f"/api/v1/webhooks/{first.pk}/deliveries/").status_code == 200
    assert len(listing) == EXPECTED_QUERIES["list"]
    assert len(log) == EXPECTED_QUERIES["log"]


EXPECTED_QUERIES = {"list": 3, "log": 4}
