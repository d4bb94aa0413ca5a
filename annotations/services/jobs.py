"""Background work through the outbox: nothing a write asks for is lost.

`enqueue(task, *args)` writes a `Job` row in the caller's transaction and hands the task to
the broker after commit, so a job exists exactly when its cause was saved. A broker that is
down or hung costs the request at most one bounded attempt (FACTCHECK_BROKER_TIMEOUT); the
row stays unsent and `jobs_sweep` sends it later.

A worker claims the row before it runs the task (`job_claim`, a conditional UPDATE), so of
two deliveries of one job only one does the work, and marks it `done` when the task returns.
A task that raises leaves the job `pending` with its error, for the sweep to send again,
until JOB_MAX_ATTEMPTS claims have been used: then it is `failed` and stays visible in the
admin.

`jobs_sweep` (the beat runs it as task `jobs_sweep`, registered as
"annotations.sweep_stale_checks") sends again every job that nothing has
happened to for FACTCHECK_STALE_CHECK_SECONDS: never sent, its message lost, or its worker
dead. Source checks and imports are two kinds of job among the others.
"""

from __future__ import annotations

import inspect
import logging
import time
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from celery import Task
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from .. import machine_text, tasks
from ..models import Event, IdempotencyKey, Job
from .base import event_record

logger = logging.getLogger(__name__)

# Claims of one job before it is given up as `failed`. Above tasks.FETCH_MAX_ATTEMPTS, so a
# source check or an import reaches its own last attempt (and records why) first.
JOB_MAX_ATTEMPTS = 5
# Jobs sent per sweep; the rest wait for the next one.
SWEEP_BATCH = 1000
# Finished jobs are kept this long for the admin, then deleted by the sweep; failed ones stay.
DONE_JOBS_KEPT = timedelta(days=7)
# How long an API POST's Idempotency-Key (and its answer) is kept for replay.
IDEMPOTENCY_KEYS_KEPT = timedelta(hours=24)

UNFINISHED = (Job.State.PENDING, Job.State.RUNNING)

# After a failed send this process sends nothing for a while (monotonic seconds), so that a
# request which enqueues several jobs waits for a sick broker once, not once per job. The
# jobs stay unsent in the outbox for the sweep; nothing is lost by skipping.
SEND_PAUSE_SECONDS = 5.0
_sends_paused_until = 0.0


def task_resolve(name: str) -> Task:
    """The task of `annotations.tasks` registered as `name` (a saved job's `Job.task`, such
    as "annotations.check_source"). Raises LookupError when no task has that name."""
    for candidate in vars(tasks).values():
        if isinstance(candidate, Task) and candidate.name == name:
            return candidate
    raise LookupError(f"no background task {name!r} in annotations.tasks")


def enqueue(task: Task, *args: Any) -> Job:
    """Record a job for `task(*args)` in the current transaction and send it after commit.

    `task` is the task itself (`tasks.source_check_run`), never its name, so that a
    misspelt task fails where it is written. Outside a transaction the row is saved at once
    and sent straight away. Raises TypeError for anything but a task, and when the
    arguments do not fit it, before anything is written. A broker error is logged, never
    raised: the sweep sends the job.
    """
    if not isinstance(task, Task):
        raise TypeError(f"enqueue takes a task of annotations.tasks, not {task!r}")
    found = task
    try:
        inspect.signature(found.run).bind(*args)
    except TypeError as exc:
        raise TypeError(f"{found.name}{tuple(args)!r}: {exc}") from None
    job = Job.objects.create(task=found.name, args=list(args))
    transaction.on_commit(partial(job_send, job_id=job.pk, task=found, args=job.args), robust=True)
    return job


def _publish(task: Task, args: list[Any], job_id: int) -> bool:
    """Hand one job to the broker; False (logged) when the broker does not take it."""
    global _sends_paused_until
    if time.monotonic() < _sends_paused_until:
        return False
    try:
        task.apply_async(args=args, kwargs={"job_id": job_id})
    except Exception as exc:  # kombu and redis-py raise several kinds; all mean "not sent"
        _sends_paused_until = time.monotonic() + SEND_PAUSE_SECONDS
        logger.warning("job %s (%s) not sent, the sweep will send it: %r", job_id, task.name, exc)
        return False
    return True


def job_send(*, job_id: int, task: Task, args: list[Any]) -> bool:
    """Send a saved job and record when; False when the broker did not take it."""
    if not _publish(task, args, job_id):
        return False
    Job.objects.filter(pk=job_id).update(sent_at=timezone.now())
    return True


def job_claim(*, job_id: int) -> datetime | None:
    """Mark a job `running` for the delivery that calls this; None when there is nothing to
    do: the job is finished, another delivery holds it, or it no longer exists.

    A conditional UPDATE, so of two deliveries only one claims the row. A job `running` for
    longer than FACTCHECK_STALE_CHECK_SECONDS lost its worker and may be claimed again. The
    returned `started_at` is the claim's token: only its holder finishes the job. A job
    whose claims are used up is finished as `failed` here.
    """
    now = timezone.now()
    stale_before = now - timedelta(seconds=settings.FACTCHECK_STALE_CHECK_SECONDS)
    claimable = Job.objects.filter(pk=job_id).filter(
        Q(state=Job.State.PENDING) | Q(state=Job.State.RUNNING, started_at__lt=stale_before)
    )
    if claimable.filter(attempts__lt=JOB_MAX_ATTEMPTS).update(
        state=Job.State.RUNNING, started_at=now, attempts=F("attempts") + 1
    ):
        return now
    _give_up(claimable)
    return None


def job_finish(*, job_id: int, token: datetime) -> bool:
    """Mark a claimed job `done`; False when this delivery no longer holds the claim."""
    return bool(
        Job.objects.filter(pk=job_id, state=Job.State.RUNNING, started_at=token).update(
            state=Job.State.DONE,
            error="",
            error_code="",
            error_params={},
            finished_at=timezone.now(),
        )
    )


def job_release(
    *,
    job_id: int,
    token: datetime,
    error: str,
    error_code: str = "",
    error_params: dict[str, Any] | None = None,
) -> bool:
    """Hand a claimed job back as `pending` with its error: the task failed this time and
    is tried again (by its own retry, or by the sweep), or `failed` when its claims are used
    up. `error` is the English detail (admin, logs); `error_code` with `error_params` what
    readers see (machine_text.job_error). False when this delivery no longer holds the
    claim."""
    held = Job.objects.filter(pk=job_id, state=Job.State.RUNNING, started_at=token)
    recorded = {
        "error": error[:2000],
        "error_code": error_code[:50],
        "error_params": dict(error_params or {}),
    }
    if held.filter(attempts__gte=JOB_MAX_ATTEMPTS).update(
        state=Job.State.FAILED, finished_at=timezone.now(), **recorded
    ):
        logger.error("job %s failed after %s attempts: %s", job_id, JOB_MAX_ATTEMPTS, error)
        return True
    return bool(held.update(state=Job.State.PENDING, **recorded))


def _give_up(jobs: Any) -> list[int]:
    """Finish as `failed` the jobs among `jobs` whose claims are used up (their workers died
    or timed out each time, so nothing recorded a failure); returns their ids."""
    spent = list(
        jobs.filter(attempts__gte=JOB_MAX_ATTEMPTS).values_list(
            "pk", "error", "error_code", "error_params"
        )
    )
    for job_id, error, last_code, last_params in spent:
        last = f": {error}" if error else ""
        params: dict[str, Any] = {"attempts": JOB_MAX_ATTEMPTS}
        if error or last_code:
            # A row without a code (written before codes existed) reads as "failed".
            params["last"] = machine_text.stored(last_code or "job_failed", last_params, error)
        Job.objects.filter(pk=job_id, state__in=UNFINISHED).update(
            state=Job.State.FAILED,
            error=f"gave up after {JOB_MAX_ATTEMPTS} attempts{last}"[:2000],
            error_code="gave_up_after" if "last" in params else "gave_up",
            error_params=params,
            finished_at=timezone.now(),
        )
    return [job_id for job_id, *_error in spent]


def jobs_sweep(*, older_than: int | None = None) -> int:
    """Send again every unfinished job that nothing has happened to for `older_than` seconds
    (default FACTCHECK_STALE_CHECK_SECONDS): not created, sent or claimed since. That covers
    a broker that was down at commit, a lost message and a killed worker, for every kind of
    job; each is sent at most once per period however often the sweep runs. Jobs whose
    claims are used up are marked `failed` instead. Stops at the first send the broker
    refuses (the next sweep goes on). Also deletes old finished jobs and expired
    Idempotency-Key rows. Returns the number of jobs sent.
    """
    if older_than is None:
        older_than = settings.FACTCHECK_STALE_CHECK_SECONDS
    now = timezone.now()
    cutoff = now - timedelta(seconds=older_than)
    due = Job.objects.filter(
        Q(state__in=UNFINISHED),
        Q(created_at__lt=cutoff),
        Q(sent_at__isnull=True) | Q(sent_at__lt=cutoff),
        Q(started_at__isnull=True) | Q(started_at__lt=cutoff),
    )
    failed = _give_up(due)
    sent: list[int] = []
    for job in due.order_by("created_at", "pk")[:SWEEP_BATCH]:
        try:
            task = task_resolve(job.task)
        except LookupError as exc:  # a task renamed or removed since the job was written
            Job.objects.filter(pk=job.pk).update(
                state=Job.State.FAILED,
                error=str(exc),
                error_code="task_unknown",
                error_params={"task": job.task},
                finished_at=now,
            )
            failed.append(job.pk)
            continue
        if not _publish(task, job.args, job.pk):
            break  # the broker is still down
        sent.append(job.pk)
    Job.objects.filter(pk__in=sent).update(sent_at=now)
    Job.objects.filter(state=Job.State.DONE, finished_at__lt=now - DONE_JOBS_KEPT).delete()
    IdempotencyKey.objects.filter(created_at__lt=now - IDEMPOTENCY_KEYS_KEPT).delete()
    if sent or failed:
        event_record(actor=None, verb=Event.Verb.JOBS_SWEPT, data={"sent": sent, "failed": failed})
    return len(sent)
