"""A worker killed in the middle of a webhook delivery loses nothing, and duplicates
nothing that the receiver cannot fold by `webhook-id`.

As in test_faults: a Redis of the test's own, the web app under gunicorn and Celery
workers (with the beat) as subprocesses, the desk working through the API over HTTP, and
a real receiver on 127.0.0.1 that checks every signature with the standardwebhooks package.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import pytest

from annotations import services
from annotations.models import WebhookDelivery, WebhookSubscription
from tests.conftest import wait_for
from tests.webhook_receiver import Receiver, running_receiver
from tests.worker.test_faults import (  # noqa: F401 (fixtures)
    CLAIM,
    QUEUE,
    database_url,
    kill,
    redis_server,
    start_web,
    start_worker,
)

transactional = pytest.mark.django_db(transaction=True)
QUOTES = [CLAIM, "Kritiker meinen", "sagte die Ministerin"]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as site:
        yield site


@pytest.fixture
def app_env(receiver) -> Callable[[str], dict[str, str]]:
    """The web app's and workers' environment: this test's database, the given broker, the
    receiver allowed; a claim older than 3 s counts as a dead worker's, and the beat looks
    for due deliveries every second."""

    def env(broker_url: str) -> dict[str, str]:
        return {
            **os.environ,
            "DEBUG": "1",
            "DATABASE_URL": database_url(),
            "CONN_MAX_AGE": "0",
            "CELERY_BROKER_URL": broker_url,
            "CELERY_TASK_DEFAULT_QUEUE": QUEUE,
            "FETCH_ALLOW_HOSTS": receiver.host_port,
            "FACTCHECK_STALE_CHECK_SECONDS": "1",
            "FACTCHECK_SWEEP_INTERVAL_SECONDS": "1",
            "FACTCHECK_WEBHOOK_TIMEOUT": "1.5",
            "FACTCHECK_WEBHOOK_CLAIM_SECONDS": "3",
            "FACTCHECK_WEBHOOK_TICK_SECONDS": "1",
            "FACTCHECK_WEBHOOK_RETRY_BASE_SECONDS": "0.2",
            "FACTCHECK_WEBHOOK_RETRY_MAX_SECONDS": "1",
            "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        }

    return env


@transactional
def test_a_worker_killed_mid_delivery_loses_nothing_and_duplicates_only_foldably(
    redis_server,  # noqa: F811 (the fixtures imported above)
    start_web,  # noqa: F811
    start_worker,  # noqa: F811
    receiver,
    editor,
    chief,
):
    subscription = services.webhook_create(
        actor=chief, url=receiver.url, event_types=["annotation.created"]
    )
    receiver.secret = subscription.secret
    receiver.hold.set()  # the first POST hangs until the test lets it go
    web = start_web(redis_server.url)
    first_worker = start_worker(redis_server.url, beat=True)
    desk = web.desk(editor)
    article_id = desk.article("Schienenausbau")
    for quote in QUOTES:
        desk.span(article_id, quote)

    assert receiver.arrived.wait(timeout=60), "no delivery reached the receiver"
    in_flight = WebhookDelivery.objects.get(state=WebhookDelivery.State.SENDING)
    kill(first_worker)  # SIGKILL, with its pool, while the receiver holds the POST
    # The receiver takes the held request after all: the dead worker never learnt it.
    receiver.hold.clear()
    receiver.release.set()
    assert WebhookDelivery.objects.get(pk=in_flight.pk).state == WebhookDelivery.State.SENDING

    start_worker(redis_server.url, beat=True)
    wait_for(
        lambda: WebhookDelivery.objects.filter(state=WebhookDelivery.State.DELIVERED).count() == 3,
        timeout=90,
        message="every delivery after the restart",
    )

    expected = list(
        WebhookDelivery.objects.filter(subscription=subscription)
        .order_by("txid", "id")
        .values_list("message_id", flat=True)
    )
    got = [item.webhook_id for item in receiver.accepted()]
    assert [item.webhook_id for item in receiver.unique()] == expected  # nothing lost, in order
    assert [item.body["data"]["exact"] for item in receiver.unique()] == QUOTES
    duplicates = [webhook_id for n, webhook_id in enumerate(got) if webhook_id in got[:n]]
    assert duplicates in ([], [in_flight.message_id])  # only the one in flight, same id
    assert in_flight.message_id == expected[0]
    assert WebhookDelivery.objects.get(pk=in_flight.pk).attempts == 2
    assert WebhookSubscription.objects.get(pk=subscription.pk).is_active
