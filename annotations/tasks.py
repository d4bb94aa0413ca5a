"""Celery tasks: thin, take ids, import and call their service in the body, safe to run twice.

Naming: a task function carries the name of the service it calls (`tasks.source_check_run`
calls `services.source_check_run`), so a pair reads the same way in both modules. The
registered Celery names (`name="annotations.check_source"`) stay as they were: messages
already queued and outbox rows (`Job.task`) name tasks by them. `ping` and `notify` call no
service of that name and keep theirs.

No result backend: every outcome is stored in our own rows. A task sent through the outbox
(services.jobs.enqueue) carries its job's id; `OutboxTask` claims that job before the task
runs, so a second delivery of one job does nothing, and marks it done or records the error.
`acks_late` with `reject_on_worker_lost` redelivers when a worker dies; the sweep is the
real guarantee, since the filesystem transport drops a taken message and Redis redelivers
only after its visibility timeout (one hour).

Services import this module at their top to enqueue tasks by reference, so this module
imports services only inside the task bodies.
"""

from __future__ import annotations

import logging
import random
from typing import Any

from celery import Task, shared_task
from celery.exceptions import Retry, SoftTimeLimitExceeded
from django.conf import settings

# Imported here, not in the tasks, so that a prefork parent loads trafilatura once and its
# children share it instead of each importing it on their first check.
from .fetch import FetchError, TransientFetchError

logger = logging.getLogger(__name__)

# A URL is fetched at most this often for one source check or import: the first delivery
# and three retries after a transport error. source_checks.CHECK_MAX_ATTEMPTS counts the same on
# the check's row, so that a message sent again by the sweep cannot restart the count.
FETCH_MAX_ATTEMPTS = 4
FETCH_MAX_RETRIES = FETCH_MAX_ATTEMPTS - 1


class OutboxTask(Task):
    """A task that may carry the id of its outbox job (the `job_id` keyword).

    With a job: claim it first and return at once when another delivery has it or it is
    finished; then mark it done, or hand it back `pending` with the error when the task
    raises (the sweep sends it again, up to jobs.JOB_MAX_ATTEMPTS claims). Without a job
    (the beat's tasks, a message sent by hand) the task simply runs.
    """

    # `job_id` is not among the task functions' parameters; enqueue() checks the arguments.
    typing = False

    def __call__(self, *args: Any, job_id: int | None = None, **kwargs: Any) -> Any:
        # The worker has pushed this delivery's request already: call run(), not
        # Task.__call__, which would push a bare one and hide the retry count.
        if job_id is None:
            return self.run(*args, **kwargs)
        from .services import jobs

        token = jobs.job_claim(job_id=job_id)
        if token is None:
            logger.info("%s: job %s is finished or held by another delivery", self.name, job_id)
            return None
        self.request.outbox_claim = (job_id, token)
        try:
            result = self.run(*args, **kwargs)
        except Retry:
            raise  # retry() handed the job back before it sent the retry
        except Exception as exc:
            jobs.job_release(job_id=job_id, token=token, **self.job_error(exc))
            raise
        finally:
            self.request.outbox_claim = None
        jobs.job_finish(job_id=job_id, token=token)
        return result

    def retry(self, *args: Any, **kwargs: Any) -> Any:
        # Hand the job back first: the retry's message may reach another worker before
        # retry() returns, and must find the job claimable.
        claim = getattr(self.request, "outbox_claim", None)
        if claim is not None:
            from .services import jobs

            error = kwargs.get("exc")
            recorded = self.job_error(error) if error else {"error": "retrying"}
            jobs.job_release(job_id=claim[0], token=claim[1], **recorded)
        return super().retry(*args, **kwargs)

    def job_error(self, exc: BaseException) -> dict[str, Any]:
        """How a failed attempt is recorded on its job: the English detail for the admin and
        the logs, and the code with parameters that readers see (machine_text.job_error)."""
        if isinstance(exc, FetchError) and exc.code:
            return {"error": exc.message, "error_code": exc.code, "error_params": exc.params}
        if isinstance(exc, SoftTimeLimitExceeded) and self.soft_time_limit:
            seconds = self.soft_time_limit
            return {
                "error": f"took longer than {seconds} s",
                "error_code": "overtime",
                "error_params": {"seconds": seconds},
            }
        return {
            "error": f"{type(exc).__name__}: {exc}",
            "error_code": "task_error",
            "error_params": {"kind": type(exc).__name__},
        }


COMMON = {
    "base": OutboxTask,
    "acks_late": True,
    "reject_on_worker_lost": True,
    "ignore_result": True,
}

# Seconds. A fetch is bounded by FETCH_TOTAL_TIMEOUT (30 s); extracting the main text of a
# 5 MB page takes up to ~13 s, and matching the quote in it a second or two. The soft limit
# leaves room for all of it; the hard limit ends a child stuck in C code. Both stay below
# FACTCHECK_STALE_CHECK_SECONDS (300 s), or the sweep would re-send jobs still running.
# Only the prefork pool enforces them; under --pool threads fetch's own timeouts bound a check.
FETCH_SOFT_TIME_LIMIT = 90
FETCH_TIME_LIMIT = 120
# A task that fetches a URL (a source check, an import): bound, to retry a transport error.
FETCHING = {
    **COMMON,
    "bind": True,
    "soft_time_limit": FETCH_SOFT_TIME_LIMIT,
    "time_limit": FETCH_TIME_LIMIT,
    "max_retries": FETCH_MAX_RETRIES,
}
# The error stored when a fetching task reaches its soft time limit: in English, and as
# the code and parameters that readers see (machine_text).
FETCH_OVERTIME = f"took longer than {FETCH_SOFT_TIME_LIMIT} s"
FETCH_OVERTIME_CODE = {"error_code": "overtime", "error_params": {"seconds": FETCH_SOFT_TIME_LIMIT}}


def _backoff(retries: int) -> float:
    """Seconds before retry number `retries + 1`: 2, 4, 8 s (by default) plus jitter, so
    checks that failed together against one site do not all come back at once."""
    base = settings.FACTCHECK_RETRY_BACKOFF_SECONDS
    return base * 2**retries + random.uniform(0, base)


@shared_task(name="annotations.ping", soft_time_limit=10, time_limit=20, **COMMON)
def ping(note: str = "") -> None:
    """A liveness probe through the broker: writes an Event that tests and ops can see."""
    from . import services
    from .models import Event

    services.event_record(actor=None, verb=Event.Verb.WORKER_PING, data={"note": note})


@shared_task(name="annotations.analyse_article", soft_time_limit=120, time_limit=150, **COMMON)
def article_analyse(article_id: int) -> None:
    from . import services

    services.article_analyse(article_id=article_id)


@shared_task(name="annotations.check_source", **FETCHING)
def source_check_run(self, check_id: int) -> None:
    from . import services

    try:
        services.source_check_run(check_id=check_id)
    except TransientFetchError as exc:
        # Only transport errors get here; the row counts attempts and stops at the last.
        raise self.retry(exc=exc, countdown=_backoff(self.request.retries)) from None
    except SoftTimeLimitExceeded:
        services.source_check_give_up(
            check_id=check_id, error=FETCH_OVERTIME, **FETCH_OVERTIME_CODE
        )


@shared_task(name="annotations.import_url", **FETCHING)
def article_import_url(self, article_id: int) -> None:
    from . import services

    try:
        services.article_import_url(
            article_id=article_id, final_attempt=self.request.retries >= FETCH_MAX_RETRIES
        )
    except TransientFetchError as exc:
        raise self.retry(exc=exc, countdown=_backoff(self.request.retries)) from None
    except SoftTimeLimitExceeded:
        services.article_import_finish(
            article_id=article_id, error=FETCH_OVERTIME, **FETCH_OVERTIME_CODE
        )


@shared_task(name="annotations.sweep_stale_checks", soft_time_limit=60, time_limit=90, **COMMON)
def jobs_sweep() -> int:
    """The outbox sweep (registered under the beat's old name, from when it swept source
    checks only)."""
    from .services import jobs

    return jobs.jobs_sweep()


@shared_task(name="annotations.recheck_evidence", soft_time_limit=300, time_limit=360, **COMMON)
def evidence_recheck() -> int:
    from . import services

    return services.evidence_recheck()


@shared_task(name="annotations.notify", soft_time_limit=30, time_limit=60, **COMMON)
def notify(kind: str, object_id: int) -> None:
    """One workflow email. Sent through the outbox, its job's claim makes a second delivery
    send nothing."""
    from . import notifications

    notifications.send(kind, object_id)


@shared_task(
    name="annotations.train_suggestion_model", soft_time_limit=240, time_limit=280, **COMMON
)
def suggestion_model_train(language: str) -> None:
    """Train and store a new version of one language's suggestion model (a second delivery
    of the same job does nothing: the outbox claim)."""
    from .services import learning

    learning.suggestion_model_train(language=language)


@shared_task(
    name="annotations.train_suggestion_models_due", soft_time_limit=60, time_limit=90, **COMMON
)
def suggestion_models_train_due(nightly: bool = False) -> list[str]:
    """The beat's: enqueue the trainings that are due (enough new decisions, or nightly)."""
    from .services import learning

    return learning.suggestion_models_train_due(nightly=nightly)


# Seconds. A delivery's POST is bounded by FACTCHECK_WEBHOOK_TIMEOUT (10 s); a task sends
# up to webhooks.DRAIN_BATCH of them in a row while the receiver keeps up.
WEBHOOK_SOFT_TIME_LIMIT = 240
WEBHOOK_TIME_LIMIT = 270
# A retry due within this many seconds is looked at again by a message with a countdown;
# a later one waits for the beat's tick (Redis would hold a long countdown for an hour).
WEBHOOK_NUDGE_MAX_SECONDS = 60.0


@shared_task(
    name="annotations.webhook_deliver",
    soft_time_limit=WEBHOOK_SOFT_TIME_LIMIT,
    time_limit=WEBHOOK_TIME_LIMIT,
    **COMMON,
)
def webhook_deliver(delivery_id: int) -> None:
    """Send the due webhook deliveries of this delivery's subscription, in order (each is
    claimed first, so a second delivery of the message sends nothing twice)."""
    from .services import webhooks

    again_in = webhooks.webhook_deliver(delivery_id=delivery_id)
    if again_in is not None and again_in <= WEBHOOK_NUDGE_MAX_SECONDS:
        try:
            webhook_deliver.apply_async(args=[delivery_id], countdown=again_in)
        except Exception as exc:  # the beat's tick sends it anyway
            logger.warning("webhook delivery %s: no follow-up sent: %r", delivery_id, exc)


@shared_task(name="annotations.webhooks_tick", soft_time_limit=30, time_limit=60, **COMMON)
def webhooks_tick() -> int:
    """The beat's: start the deliveries that are due again or lost their worker."""
    from .services import webhooks

    return webhooks.webhooks_tick()
