"""A background job's error as its readers meet it: stored as a stable code with parameters
and worded in the reader's language when shown (machine_text.job_error), while `error` keeps
the English detail for the admin and the logs. Failures go through the real outbox code: the
task's own failure handling (OutboxTask), the sweep, the claim."""

from __future__ import annotations

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone, translation

from annotations import machine_text, tasks
from annotations.models import Assignment, Job
from annotations.services import jobs

pytestmark = pytest.mark.django_db

HOUR_AGO = timezone.timedelta(hours=1)
INTERNAL_DE = (
    "Der Hintergrundauftrag wurde wegen eines internen Fehlers abgebrochen (DoesNotExist); "
    "die Administration kann die Einzelheiten einsehen"
)


def failed_notification() -> Job:
    """A notification job for an assignment that does not exist, delivered once."""
    job = Job.objects.create(task=tasks.notify.name, args=["assigned", 987654])
    with pytest.raises(Assignment.DoesNotExist):
        tasks.notify("assigned", 987654, job_id=job.pk)
    job.refresh_from_db()
    return job


def test_a_task_s_failure_is_stored_as_a_code_beside_its_english_detail():
    job = failed_notification()

    assert (job.error_code, job.error_params) == ("task_error", {"kind": "DoesNotExist"})
    assert job.error == "DoesNotExist: Assignment matching query does not exist."


def test_a_failed_job_reads_in_german_for_a_german_reader():
    job = failed_notification()

    with translation.override("de"):
        assert machine_text.job_error(job) == INTERNAL_DE
    with translation.override("en"):
        assert machine_text.job_error(job) == (
            "the background job stopped on an internal error (DoesNotExist); the admin can "
            "see the details"
        )


def test_a_job_given_up_by_the_sweep_words_its_last_error_in_german():
    long_ago = timezone.now() - HOUR_AGO
    job = Job.objects.create(
        task=tasks.ping.name,
        args=["killed"],
        state=Job.State.RUNNING,
        created_at=long_ago,
        sent_at=long_ago,
        started_at=long_ago,
        attempts=jobs.JOB_MAX_ATTEMPTS,
        error="DoesNotExist: gone",
        error_code="task_error",
        error_params={"kind": "DoesNotExist"},
    )

    jobs.jobs_sweep(older_than=60)

    job.refresh_from_db()
    assert job.state == Job.State.FAILED
    assert job.error == "gave up after 5 attempts: DoesNotExist: gone"
    assert job.error_code == "gave_up_after"
    with translation.override("de"):
        assert machine_text.job_error(job) == f"nach 5 Versuchen aufgegeben: {INTERNAL_DE}"


def test_a_job_whose_task_no_longer_exists_reads_in_german():
    job = Job.objects.create(
        task="annotations.renamed_away", args=[1], created_at=timezone.now() - HOUR_AGO
    )

    jobs.jobs_sweep(older_than=60)

    job.refresh_from_db()
    assert job.error == "no background task 'annotations.renamed_away' in annotations.tasks"
    with translation.override("de"):
        assert machine_text.job_error(job) == (
            "Den Hintergrundauftrag „annotations.renamed_away“ gibt es nicht mehr"
        )


def test_a_job_row_without_a_code_reads_as_a_plain_failure_not_as_its_english_detail():
    job = Job.objects.create(
        task=tasks.ping.name, args=["old"], state=Job.State.FAILED, error="KeyError: 'x'"
    )

    with translation.override("de"):
        assert machine_text.job_error(job) == (
            "Der Hintergrundauftrag ist fehlgeschlagen; die Administration kann die "
            "Einzelheiten einsehen"
        )


def test_a_task_over_its_soft_time_limit_is_recorded_as_overtime():
    recorded = tasks.article_analyse.job_error(SoftTimeLimitExceeded())

    assert recorded == {
        "error": "took longer than 120 s",
        "error_code": "overtime",
        "error_params": {"seconds": 120},
    }
    job = Job(error=recorded["error"], error_code="overtime", error_params={"seconds": 120})
    with translation.override("de"):
        assert machine_text.job_error(job) == "dauerte länger als 120 s"


def test_a_job_finished_after_a_failed_attempt_has_no_error_left():
    job = failed_notification()
    token = jobs.job_claim(job_id=job.pk)

    assert jobs.job_finish(job_id=job.pk, token=token)

    job.refresh_from_db()
    assert (job.error, job.error_code, job.error_params) == ("", "", {})
    assert machine_text.job_error(job) == ""


def test_the_admin_shows_the_english_detail_and_the_worded_error(client):
    job = failed_notification()
    root = get_user_model().objects.create_superuser("root", "root@example.org", "pw-x-1")
    client.force_login(root)

    page = client.get(reverse("admin:annotations_job_change", args=[job.pk]))

    assert page.status_code == 200
    html = page.content.decode()
    assert "DoesNotExist: Assignment matching query does not exist." in html
    assert "the background job stopped on an internal error (DoesNotExist)" in html
