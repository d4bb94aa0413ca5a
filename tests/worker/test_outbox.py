"""The outbox: every background job is a row written with its cause, sent after commit, sent
again by the sweep until a worker finishes it, claimed once however often it is delivered,
and given up as `failed` (with its error, in the admin) after its last attempt.

On the shared test Redis with the in-process worker; tests/worker/test_faults.py stops brokers."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from celery.signals import task_postrun
from django.core import mail
from django.db import transaction
from django.utils import timezone

from annotations import services, tasks
from annotations.models import Assignment, Event, IdempotencyKey, Job, Suggestion
from annotations.services import jobs
from tests.background import worker_test
from tests.conftest import wait_for
from tests.factories import make_article

HOUR_AGO = timezone.timedelta(hours=1)


def job_of(task, *args) -> Job | None:
    return Job.objects.filter(task=task.name, args=list(args)).first()


@pytest.fixture
def delivered() -> Iterator[list[str]]:
    """Ids of the tasks the in-process worker has finished running."""
    seen: list[str] = []

    def record(task_id: str, **kwargs) -> None:
        seen.append(task_id)

    task_postrun.connect(record, weak=False)
    yield seen
    task_postrun.disconnect(record)


def deliver(job: Job) -> str:
    """Send a job's message by hand, as the outbox does; returns the message's task id."""
    task_id = str(uuid.uuid4())
    jobs.task_resolve(job.task).apply_async(
        args=job.args, kwargs={"job_id": job.pk}, task_id=task_id
    )
    return task_id


# --- written with its cause -------------------------------------------------------------------


def test_an_assignment_writes_its_notification_job_in_its_own_transaction(editor, reviewer, claim):
    services.annotation_assign(actor=editor, annotation_id=claim.pk, reviewer=reviewer)

    assignment = Assignment.objects.get(annotation=claim, reviewer=reviewer)
    job = job_of(tasks.notify, "assigned", assignment.pk)
    assert job is not None
    assert job.state == Job.State.PENDING
    assert job.attempts == 0


def test_an_assignment_that_rolls_back_leaves_no_job(editor, reviewer, claim):
    before = Job.objects.count()

    with pytest.raises(RuntimeError), transaction.atomic():
        services.annotation_assign(actor=editor, annotation_id=claim.pk, reviewer=reviewer)
        raise RuntimeError("the request failed after the write")

    assert Job.objects.count() == before
    assert not Job.objects.filter(task=tasks.notify.name).exists()


def test_a_task_named_by_a_string_or_misfitting_its_arguments_fails_where_it_is_enqueued(db):
    with pytest.raises(TypeError) as by_name:
        jobs.enqueue("article_analyse", 1)
    with pytest.raises(TypeError) as misfit:
        jobs.enqueue(tasks.notify, "assigned")

    assert str(by_name.value) == "enqueue takes a task of annotations.tasks, not 'article_analyse'"
    assert str(misfit.value) == (
        "annotations.notify('assigned',): missing a required argument: 'object_id'"
    )
    assert not Job.objects.exists()


@worker_test
def test_a_committed_job_is_sent_run_and_marked_done(worker, editor):
    article = make_article(editor)

    job = job_of(tasks.article_analyse, article.pk)
    job = wait_for(
        lambda: Job.objects.filter(pk=job.pk, state=Job.State.DONE).first(),
        message="the analysis job to finish",
    )
    assert job.sent_at is not None
    assert job.attempts == 1
    assert job.error == ""
    assert Suggestion.objects.filter(article=article).exists()


# --- sent again until done --------------------------------------------------------------------


@worker_test
def test_the_sweep_sends_again_an_analysis_whose_message_was_lost(worker, editor):
    # The article's job is deleted before the commit, so the message sent after it finds no
    # job and does nothing; its replacement below is never sent: a lost message.
    with transaction.atomic():
        article = make_article(editor)
        Job.objects.filter(task=tasks.article_analyse.name).delete()
    job = Job.objects.create(
        task=tasks.article_analyse.name, args=[article.pk], created_at=timezone.now() - HOUR_AGO
    )

    assert jobs.jobs_sweep(older_than=60) == 1

    wait_for(
        lambda: Suggestion.objects.filter(article=article).exists(),
        message="the analysis sent by the sweep",
    )
    wait_for(lambda: Job.objects.get(pk=job.pk).state == Job.State.DONE, message="the job done")
    assert Event.objects.get(verb="jobs.swept").data == {"sent": [job.pk], "failed": []}


def test_a_saved_job_names_its_task_by_the_registered_name_that_renames_keep():
    # Job rows and queued messages written before the Python functions were renamed.
    assert jobs.task_resolve("annotations.check_source") is tasks.source_check_run
    assert jobs.task_resolve("annotations.sweep_stale_checks") is tasks.jobs_sweep
    assert tasks.source_check_run.name == "annotations.check_source"
    assert tasks.article_analyse.name == "annotations.analyse_article"
    assert tasks.article_import_url.name == "annotations.import_url"
    assert tasks.evidence_recheck.name == "annotations.recheck_evidence"


def test_the_sweep_fails_a_job_whose_task_no_longer_exists(db):
    job = Job.objects.create(
        task="annotations.renamed_away", args=[1], created_at=timezone.now() - HOUR_AGO
    )

    assert jobs.jobs_sweep(older_than=60) == 0

    job.refresh_from_db()
    assert job.state == Job.State.FAILED
    assert job.error == "no background task 'annotations.renamed_away' in annotations.tasks"
    assert Event.objects.get(verb="jobs.swept").data == {"sent": [], "failed": [job.pk]}


def test_the_sweep_sends_a_job_once_per_period(db):
    job = Job.objects.create(
        task=tasks.ping.name, args=["never run"], created_at=timezone.now() - HOUR_AGO
    )

    assert jobs.jobs_sweep(older_than=60) == 1
    assert jobs.jobs_sweep(older_than=60) == 0
    job.refresh_from_db()
    assert job.sent_at is not None
    assert job.state == Job.State.PENDING


def test_the_sweep_leaves_recent_running_and_finished_jobs_alone(db):
    long_ago = timezone.now() - HOUR_AGO
    Job.objects.create(task=tasks.ping.name, args=["fresh"])
    Job.objects.create(
        task=tasks.ping.name, args=["done"], state=Job.State.DONE, created_at=long_ago
    )
    Job.objects.create(
        task=tasks.ping.name,
        args=["running"],
        state=Job.State.RUNNING,
        created_at=long_ago,
        sent_at=long_ago,
        started_at=timezone.now(),
        attempts=1,
    )

    assert jobs.jobs_sweep(older_than=60) == 0
    assert not Event.objects.filter(verb="jobs.swept").exists()


def test_the_sweep_gives_up_a_job_whose_workers_died_on_every_attempt(db):
    long_ago = timezone.now() - HOUR_AGO
    job = Job.objects.create(
        task=tasks.ping.name,
        args=["killed"],
        state=Job.State.RUNNING,
        created_at=long_ago,
        sent_at=long_ago,
        started_at=long_ago,
        attempts=jobs.JOB_MAX_ATTEMPTS,
        error="WorkerLostError: killed",
    )

    assert jobs.jobs_sweep(older_than=60) == 0

    job.refresh_from_db()
    assert job.state == Job.State.FAILED
    assert job.error == "gave up after 5 attempts: WorkerLostError: killed"
    assert Event.objects.get(verb="jobs.swept").data == {"sent": [], "failed": [job.pk]}


def test_the_sweep_deletes_idempotency_keys_older_than_a_day(editor):
    old = IdempotencyKey.objects.create(
        user=editor, key="old", method="POST", path="/api/v1/articles/", fingerprint="0" * 64
    )
    IdempotencyKey.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timezone.timedelta(hours=25)
    )
    recent = IdempotencyKey.objects.create(
        user=editor, key="recent", method="POST", path="/api/v1/articles/", fingerprint="1" * 64
    )

    jobs.jobs_sweep()

    assert list(IdempotencyKey.objects.values_list("pk", flat=True)) == [recent.pk]


# --- claimed once ----------------------------------------------------------------------------


@worker_test
def test_a_notification_delivered_twice_sends_one_email(
    worker, settings, delivered, editor, reviewer, claim
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    services.annotation_assign(actor=editor, annotation_id=claim.pk, reviewer=reviewer)
    job = Job.objects.get(task=tasks.notify.name)

    # Two more deliveries of the job sent after the commit: a redelivery and a sweep's.
    first, second = deliver(job), deliver(job)
    wait_for(lambda: {first, second} <= set(delivered), message="both deliveries to return")
    wait_for(lambda: Job.objects.get(pk=job.pk).state == Job.State.DONE, message="the job done")

    assert [m.to for m in mail.outbox] == [["reviewer@example.org"]]
    assert mail.outbox[0].subject == "[Fact-check] New item in your queue: Schienenausbau"
    job.refresh_from_db()
    assert job.state == Job.State.DONE
    assert job.attempts == 1


# --- given up after its last attempt -----------------------------------------------------------


def test_a_job_that_keeps_failing_ends_failed_with_its_error(db):
    job = Job.objects.create(task=tasks.notify.name, args=["assigned", 987654])

    for _attempt in range(jobs.JOB_MAX_ATTEMPTS):
        with pytest.raises(Assignment.DoesNotExist):
            tasks.notify("assigned", 987654, job_id=job.pk)
    assert tasks.notify("assigned", 987654, job_id=job.pk) is None  # nothing left to try

    job.refresh_from_db()
    assert job.state == Job.State.FAILED
    assert job.attempts == jobs.JOB_MAX_ATTEMPTS
    assert job.error == "DoesNotExist: Assignment matching query does not exist."
    assert job.finished_at is not None


def test_a_failed_attempt_leaves_the_job_pending_for_the_sweep(db):
    job = Job.objects.create(task=tasks.notify.name, args=["assigned", 987654])

    with pytest.raises(Assignment.DoesNotExist):
        tasks.notify("assigned", 987654, job_id=job.pk)

    job.refresh_from_db()
    assert job.state == Job.State.PENDING
    assert job.attempts == 1
    assert job.error == "DoesNotExist: Assignment matching query does not exist."
