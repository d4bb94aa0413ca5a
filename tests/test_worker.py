"""A task runs in a real Celery worker against Redis and writes its row."""

import pytest

from annotations import tasks
from annotations.models import Event
from tests.conftest import wait_for


@pytest.mark.worker
def test_ping_task_runs_in_the_real_worker_and_writes_an_event(worker):
    tasks.ping.delay("hello from the test")
    event = wait_for(
        lambda: Event.objects.filter(verb="worker.ping", data__note="hello from the test").first(),
        message="the worker's ping event",
    )
    assert event.actor is None
