"""Celery tasks: thin, take ids, call services, safe to run twice.

No result backend: every outcome is stored in our own rows. `acks_late` with
`reject_on_worker_lost` redelivers when a worker dies; the stale-check sweep is the real
guarantee, since the filesystem transport drops a taken message and Redis redelivers only
after its visibility timeout (one hour).
"""

from __future__ import annotations

import random

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings

from . import services

# Imported here, not in the tasks, so that a prefork parent loads trafilatura once and its
# children share it instead of each importing it on their first check.
from .fetch import TransientFetchError

COMMON = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "ignore_result": True,
}

# Seconds. A fetch is bounded by FETCH_TOTAL_TIMEOUT (30 s); extracting the main text of a
# 5 MB page takes up to ~13 s, and matching the quote in it a second or two. The soft limit
# leaves room for all of it; the hard limit ends a child stuck in C code. Both stay below
# FACTCHECK_STALE_CHECK_SECONDS (300 s), or the sweep would re-send checks still running.
# Only the prefork pool enforces them; under --pool threads fetch's own timeouts bound a check.
FETCH_SOFT_TIME_LIMIT = 90
FETCH_TIME_LIMIT = 120
FETCH_MAX_RETRIES = services.CHECK_MAX_ATTEMPTS - 1


def _backoff(retries: int) -> float:
    """Seconds before retry number `retries + 1`: 2, 4, 8 s (by default) plus jitter, so
    checks that failed together against one site do not all come back at once."""
    base = settings.FACTCHECK_RETRY_BACKOFF_SECONDS
    return base * 2**retries + random.uniform(0, base)


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
    soft_time_limit=FETCH_SOFT_TIME_LIMIT,
    time_limit=FETCH_TIME_LIMIT,
    max_retries=FETCH_MAX_RETRIES,
    **COMMON,
)
def check_source(self, check_id: int) -> None:
    try:
        services.source_check_run(check_id=check_id)
    except TransientFetchError as exc:
        # Only transport errors get here; the row counts attempts and stops at the last.
        raise self.retry(exc=exc, countdown=_backoff(self.request.retries)) from None
    except SoftTimeLimitExceeded:
        services.source_check_give_up(
            check_id=check_id, error=f"took longer than {FETCH_SOFT_TIME_LIMIT} s"
        )


@shared_task(
    bind=True,
    name="annotations.import_url",
    soft_time_limit=FETCH_SOFT_TIME_LIMIT,
    time_limit=FETCH_TIME_LIMIT,
    max_retries=FETCH_MAX_RETRIES,
    **COMMON,
)
def import_url(self, article_id: int) -> None:
    try:
        services.article_import_url(
            article_id=article_id, final_attempt=self.request.retries >= FETCH_MAX_RETRIES
        )
    except TransientFetchError as exc:
        raise self.retry(exc=exc, countdown=_backoff(self.request.retries)) from None
    except SoftTimeLimitExceeded:
        services.article_import_finish(
            article_id=article_id, error=f"took longer than {FETCH_SOFT_TIME_LIMIT} s"
        )


@shared_task(name="annotations.sweep_stale_checks", soft_time_limit=60, time_limit=90, **COMMON)
def sweep_stale_checks() -> int:
    return services.stale_checks_sweep()


@shared_task(name="annotations.recheck_evidence", soft_time_limit=300, time_limit=360, **COMMON)
def recheck_evidence() -> int:
    return services.evidence_recheck()


@shared_task(name="annotations.notify", soft_time_limit=30, time_limit=60, **COMMON)
def notify(kind: str, object_id: int) -> None:
    from . import notifications

    notifications.send(kind, object_id)
