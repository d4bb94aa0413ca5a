"""Celery tasks: thin, take ids, call services, safe to run twice.

No result backend: every outcome is stored in our own rows. `acks_late` with
`reject_on_worker_lost` redelivers when a worker dies; the stale-check sweep is the real
guarantee, since the filesystem transport drops a taken message and Redis redelivers only
after its visibility timeout.
"""

from __future__ import annotations

import logging
import random

from celery import shared_task
from django.conf import settings

from . import services

logger = logging.getLogger(__name__)

COMMON = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "ignore_result": True,
}


@shared_task(name="annotations.ping", soft_time_limit=10, time_limit=20, **COMMON)
def ping(note: str = "") -> None:
    """A liveness probe through the broker: writes an Event that tests and ops can see."""
    services.event_record(actor=None, verb="worker.ping", data={"note": note})


@shared_task(name="annotations.analyse_article", soft_time_limit=120, time_limit=150, **COMMON)
def analyse_article(article_id: int) -> None:
    services.article_analyse(article_id=article_id)


@shared_task(
    bind=True,
    name="annotations.check_source",
    soft_time_limit=45,
    time_limit=60,
    max_retries=3,
    **COMMON,
)
def check_source(self, check_id: int) -> None:
    from .fetch import TransientFetchError

    try:
        services.source_check_run(check_id=check_id, final_attempt=self.request.retries >= 3)
    except TransientFetchError as exc:
        # Only transport errors are retried; backoff 2, 4, 8 s with jitter.
        countdown = 2 ** (self.request.retries + 1) + random.uniform(0, 1)
        raise self.retry(exc=exc, countdown=countdown) from None


@shared_task(name="annotations.import_url", soft_time_limit=45, time_limit=60, **COMMON)
def import_url(article_id: int) -> None:
    services.article_import_url(article_id=article_id)


@shared_task(name="annotations.sweep_stale_checks", soft_time_limit=60, time_limit=90, **COMMON)
def sweep_stale_checks() -> int:
    return services.stale_checks_sweep(older_than=settings.FACTCHECK_STALE_CHECK_SECONDS)


@shared_task(name="annotations.recheck_evidence", soft_time_limit=300, time_limit=360, **COMMON)
def recheck_evidence() -> int:
    return services.evidence_recheck()


@shared_task(name="annotations.notify", soft_time_limit=30, time_limit=60, **COMMON)
def notify(kind: str, object_id: int) -> None:
    from . import notifications

    notifications.send(kind, object_id)
