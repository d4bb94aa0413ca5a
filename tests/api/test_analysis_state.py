"""`GET /api/v1/articles/{id}/analysis/`: where the machine analysis of the article's current
text stands, so that the annotate page can tell "nothing found" from "still running": queued,
running, done with some suggestions, done with none, or failed with its reason in the
reader's language. The job states come from the real outbox code (enqueue, claim, the task's
own failure handling); no worker runs here, since nothing is committed."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from annotations import services, tasks
from annotations.models import Job, Suggestion
from annotations.services import jobs
from tests.factories import api_token, make_article

pytestmark = pytest.mark.django_db

NOTHING_TO_SUGGEST = "Das Wetter ist schön.\n"


def api(user, **headers) -> APIClient:
    client = APIClient(**headers)
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
    return client


def analysis(user, article, **headers) -> dict:
    response = api(user, **headers).get(f"/api/v1/articles/{article.pk}/analysis/")
    assert response.status_code == 200
    return response.json()


def analysis_job(article) -> Job:
    return Job.objects.get(task=tasks.article_analyse.name, args=[article.pk])


def fail_once(job: Job) -> None:
    """One delivery of the job whose task raises (a value no article id can be), handled as
    every delivery is: OutboxTask claims the job and records the error."""
    with pytest.raises(ValueError):
        tasks.article_analyse("not an id", job_id=job.pk)


def test_a_new_article_s_analysis_is_queued_until_a_worker_claims_it(editor):
    article = make_article(editor)

    state = analysis(editor, article)

    assert state["state"] == "queued"
    assert state["revision"] == 1
    assert state["message"] == "Waiting for the machine analysis of this text…"
    assert (state["error"], state["error_code"]) == ("", "")


def test_an_analysis_a_worker_has_claimed_is_running(editor):
    article = make_article(editor)
    assert jobs.job_claim(job_id=analysis_job(article).pk) is not None

    state = analysis(editor, article)

    assert state["state"] == "running"
    assert state["attempts"] == 1
    assert state["message"] == "The machine analysis of this text is running…"


def test_an_analysis_that_found_nothing_says_so(editor):
    article = make_article(editor, body=NOTHING_TO_SUGGEST)
    services.article_analyse(article_id=article.pk)

    state = analysis(editor, article)

    assert (state["state"], state["suggestions"]) == ("done", 0)
    assert state["message"] == "Analysis finished: nothing to suggest in this text."


def test_an_analysis_that_found_suggestions_counts_the_pending_ones(editor):
    article = make_article(editor)
    found = services.article_analyse(article_id=article.pk)
    assert found > 2, "the cues find several spans in the standard text"
    first = Suggestion.objects.filter(article=article).order_by("start").first()
    services.suggestion_dismiss(actor=editor, suggestion_id=first.pk)

    state = analysis(editor, article)

    assert (state["state"], state["suggestions"]) == ("done", found - 1)
    assert state["message"] == f"Analysis finished: {found - 1} suggestions."


def test_a_text_edit_queues_the_analysis_of_the_new_text(editor):
    article = make_article(editor)
    services.article_analyse(article_id=article.pk)
    services.article_update(
        actor=editor, article_id=article.pk, fields={}, body=article.text + "Neu.\n"
    )

    state = analysis(editor, article)

    assert (state["state"], state["revision"]) == ("queued", 2)


def test_a_failed_attempt_is_queued_again_with_its_reason(editor):
    article = make_article(editor)
    fail_once(analysis_job(article))

    state = analysis(editor, article)

    assert state["state"] == "queued"
    assert state["error_code"] == "task_error"
    assert state["error_params"] == {"kind": "ValueError"}
    assert state["error"] == (
        "the background job stopped on an internal error (ValueError); the admin can see "
        "the details"
    )
    assert state["message"] == (
        "The analysis failed and will be tried again: the background job stopped on an "
        "internal error (ValueError); the admin can see the details"
    )


def test_an_analysis_given_up_is_failed_with_its_reason_in_the_reader_s_language(editor):
    article = make_article(editor)
    job = analysis_job(article)
    for _attempt in range(jobs.JOB_MAX_ATTEMPTS):
        fail_once(job)
    job.refresh_from_db()
    assert job.state == Job.State.FAILED
    # The English detail stays for the admin and the logs.
    assert job.error.startswith("ValueError: ")

    english = analysis(editor, article)
    german = analysis(editor, article, HTTP_ACCEPT_LANGUAGE="de")

    assert english["state"] == german["state"] == "failed"
    assert english["message"] == (
        "The machine analysis failed: the background job stopped on an internal error "
        "(ValueError); the admin can see the details"
    )
    assert german["message"] == (
        "Die maschinelle Analyse ist fehlgeschlagen: Der Hintergrundauftrag wurde wegen eines "
        "internen Fehlers abgebrochen (ValueError); die Administration kann die Einzelheiten "
        "einsehen"
    )
    assert german["error_code"] == "task_error"


def test_an_article_without_an_analysis_job_is_not_waited_for(editor):
    article = make_article(editor)
    analysis_job(article).delete()  # an article written before the outbox

    state = analysis(editor, article)

    assert state["state"] == "not_requested"
    assert state["message"] == ""


def test_a_reviewer_may_read_the_analysis(editor, reviewer):
    article = make_article(editor)
    assert analysis(reviewer, article)["state"] == "queued"


def test_an_outsider_is_refused(editor, outsider):
    article = make_article(editor)
    response = api(outsider).get(f"/api/v1/articles/{article.pk}/analysis/")
    assert response.status_code == 403


def test_an_anonymous_client_is_refused(editor):
    article = make_article(editor)
    response = APIClient().get(f"/api/v1/articles/{article.pk}/analysis/")
    assert response.status_code == 401


def test_an_unknown_article_answers_404(editor):
    response = api(editor).get("/api/v1/articles/987654/analysis/")
    assert response.status_code == 404
