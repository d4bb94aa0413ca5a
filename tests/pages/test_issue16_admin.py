"""The Django admin of claimants, captures and webhooks: read-only lists and pages for a
superuser, claimants found by any alias, and never a subscription's signing secret."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from annotations.models import Capture, Claimant, WebhookDelivery, WebhookSubscription
from tests.factories import (
    CaptureFactory,
    ClaimantFactory,
    WebhookDeliveryFactory,
    WebhookSubscriptionFactory,
)

pytestmark = pytest.mark.django_db

PREVIOUS_SECRET = "whsec_cHJldmlvdXMtc2VjcmV0LXByZXZpb3VzLXNlY3JldC0x"


@pytest.fixture
def root(db):
    return get_user_model().objects.create_superuser("root", "root@example.org", "pw-x-1")


@pytest.fixture
def subscription(db) -> WebhookSubscription:
    return WebhookSubscriptionFactory(
        url="https://cms.example.org/hooks/factcheck",
        description="CMS der Redaktion",
        previous_secret=PREVIOUS_SECRET,
    )


def changelist(model) -> str:
    return reverse(f"admin:annotations_{model._meta.model_name}_changelist")


def change(obj) -> str:
    return reverse(f"admin:annotations_{obj._meta.model_name}_change", args=[obj.pk])


def test_the_claimant_admin_lists_and_shows_a_claimant(client, root):
    claimant = ClaimantFactory(name="Annalena Beispiel", aliases=["A. Beispiel"])
    client.force_login(root)
    listing = client.get(changelist(Claimant))
    assert listing.status_code == 200
    assert "Annalena Beispiel" in listing.content.decode()
    assert "A. Beispiel" in listing.content.decode()
    page = client.get(change(claimant))
    assert page.status_code == 200
    assert "Annalena Beispiel" in page.content.decode()


def test_the_claimant_admin_finds_a_claimant_by_an_alias(client, root):
    ClaimantFactory(name="Annalena Beispiel", aliases=["Die Außenministerin"])
    ClaimantFactory(name="Bernd Anders", aliases=["Der Sprecher"])
    client.force_login(root)
    response = client.get(changelist(Claimant), {"q": "außenministerin"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Annalena Beispiel" in page
    assert "Bernd Anders" not in page


def test_the_claimant_admin_filters_by_kind(client, root):
    ClaimantFactory(name="Annalena Beispiel", kind=Claimant.Kind.PERSON)
    ClaimantFactory(name="Bundesamt für Beispiele", kind=Claimant.Kind.ORGANISATION)
    client.force_login(root)
    response = client.get(changelist(Claimant), {"kind__exact": "organisation"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Bundesamt für Beispiele" in page
    assert "Annalena Beispiel" not in page


def test_the_claimant_admin_escapes_a_hostile_name(client, root):
    claimant = ClaimantFactory(name='<script>alert("x")</script>', aliases=[])
    client.force_login(root)
    for url in (changelist(Claimant), change(claimant)):
        response = client.get(url)
        assert response.status_code == 200
        assert '<script>alert("x")</script>' not in response.content.decode()


def test_the_capture_admin_lists_url_time_size_and_hash(client, root):
    capture = CaptureFactory(url="https://example.org/mitteilung", warc_size=4321)
    capture.warc_sha256 = "ab" * 32
    capture.save()
    client.force_login(root)
    listing = client.get(changelist(Capture))
    assert listing.status_code == 200
    page = listing.content.decode()
    assert "https://example.org/mitteilung" in page
    assert "4321" in page
    assert "ab" * 32 in page
    assert client.get(change(capture)).status_code == 200


def test_a_capture_can_be_neither_changed_nor_deleted_in_the_admin(client, root):
    capture = CaptureFactory()
    client.force_login(root)
    page = client.get(change(capture)).content.decode()
    assert 'name="_save"' not in page
    delete = reverse("admin:annotations_capture_delete", args=[capture.pk])
    assert client.get(delete).status_code == 403
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert Capture.objects.filter(pk=capture.pk).exists()


def test_the_subscription_admin_never_shows_a_secret(client, root, subscription):
    client.force_login(root)
    for url in (changelist(WebhookSubscription), change(subscription)):
        response = client.get(url)
        assert response.status_code == 200
        page = response.content.decode()
        assert "https://cms.example.org/hooks/factcheck" in page
        assert subscription.secret not in page
        assert PREVIOUS_SECRET not in page
        assert "whsec_" not in page


def test_the_delivery_admin_shows_deliveries_read_only_without_the_secret(
    client, root, subscription
):
    delivery = WebhookDeliveryFactory(
        subscription=subscription,
        event_type="verdict.approved",
        payload='{"type":"verdict.approved","data":{"id":7}}',
        state=WebhookDelivery.State.DELIVERED,
        last_status_code=204,
    )
    client.force_login(root)
    listing = client.get(changelist(WebhookDelivery))
    assert listing.status_code == 200
    assert "verdict.approved" in listing.content.decode()
    page = client.get(change(delivery))
    assert page.status_code == 200
    body = page.content.decode()
    assert delivery.message_id in body
    assert 'name="_save"' not in body
    assert subscription.secret not in body
    assert "whsec_" not in body
    add = reverse("admin:annotations_webhookdelivery_add")
    assert client.get(add).status_code == 403


def test_a_newsroom_chief_who_is_not_staff_is_sent_to_the_admin_login(client, chief):
    client.force_login(chief)
    response = client.get(changelist(WebhookSubscription))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
