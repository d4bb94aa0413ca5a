"""The chiefs' webhooks page in Chromium on a phone: subscribe a receiver with the form,
read the secret once, open the delivery log; nothing scrolls sideways."""

from __future__ import annotations

import pytest

from annotations import services
from annotations.models import WebhookDelivery, WebhookSubscription
from tests.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"
LONG_URL = "https://cms.example.org/hooks/" + "factcheck-desk-events-" * 6


def test_a_chief_subscribes_on_a_phone_and_reads_the_log(sized, chief):
    old = services.webhook_create(actor=chief, url=LONG_URL, event_types=["verdict.approved"])
    WebhookDelivery.objects.create(
        subscription=old,
        event_type="verdict.approved",
        message_id="msg_" + "0" * 32,
        payload="{}",
        state=WebhookDelivery.State.FAILED,
        attempts=4,
        last_status_code=502,
        last_duration_ms=87,
        last_response="<html>" + "Bad gateway " * 80 + "</html>",
        last_error="HTTP 502",
    )
    page = sized(PHONE)
    login(page, "chief")
    page.goto("/webhooks/")
    assert page.evaluate(OVERFLOW) <= 0, "the webhooks page is wider than a phone"

    page.fill("#id_url", "https://cms.example.org/hooks/new")
    page.check("input[name=event_types][value='article.published']")
    page.check("input[name=event_types][value='verdict.approved']")
    page.click("form.webhook-form button[type=submit]")

    secret = page.locator("#secret-value").inner_text()
    created = WebhookSubscription.objects.get(url="https://cms.example.org/hooks/new")
    assert secret == created.secret and secret.startswith("whsec_")
    assert created.event_types == ["article.published", "verdict.approved"]
    assert page.evaluate(OVERFLOW) <= 0, "the secret makes the page wider than a phone"
    page.goto("/webhooks/")
    assert page.locator("#secret-value").count() == 0

    page.click(f"#webhook-{old.pk} >> text=Delivery log")
    page.wait_for_url(f"**/webhooks/{old.pk}/deliveries/")
    card = page.locator(".delivery-card").first
    assert "502" in card.inner_text() and "87 ms" in card.inner_text()
    assert page.evaluate(OVERFLOW) <= 0, "the delivery log is wider than a phone"
    card.locator("button.redeliver").click()
    page.wait_for_url(f"**/webhooks/{old.pk}/deliveries/")
    assert "The delivery is sent again." in page.locator(".messages").inner_text()
    assert page.js_errors == []
