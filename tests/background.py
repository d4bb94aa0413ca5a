"""Helpers for tests that use the real in-process Celery worker."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from celery import Celery
from celery.worker import state

from tests.conftest import wait_for


def worker_test(test: Callable) -> Callable:
    """Marks a test that needs the real worker. The worker sees only committed rows, so the
    test is transactional (conftest seeds the vocabularies again after each flush)."""
    test = pytest.mark.django_db(transaction=True)(test)
    return pytest.mark.worker(test)


def _idle(app: Celery) -> bool:
    if state.active_requests or state.reserved_requests or state.scheduled_requests:
        return False
    with app.connection_for_write() as broker:
        return broker.default_channel.client.llen(app.conf.task_default_queue) == 0


def wait_until_idle(app: Celery, timeout: float = 60.0) -> None:
    """Wait until the in-process worker has nothing running, reserved, scheduled or queued.

    A test calls this before its rows are flushed: a task the test caused (an analysis
    after an import, a notification) that still holds row locks when TRUNCATE runs makes
    PostgreSQL abort one of them as a deadlock. Idle must hold for three polls in a row,
    since a message popped from Redis is briefly in none of those places.
    """
    calm = []

    def settled() -> bool:
        calm.append(_idle(app))
        return calm[-3:] == [True, True, True]

    wait_for(settled, timeout=timeout, message="the worker to finish the test's tasks")
