"""The annotate page says where the machine analysis of the text stands, in a live region and
in the reader's language: still running, done with some suggestions, done with none, or
failed with its reason. Real Chromium, the real worker and the real outbox code.

Where a test needs the analysis held at one state, it claims the analysis job itself in the
transaction that creates the article, as a worker's delivery would: the worker's own delivery
of that message then finds the job held and does nothing (OutboxTask)."""

from __future__ import annotations

import pytest
from django.db import transaction

from annotations import services, tasks
from annotations.models import Event, Job, Suggestion
from annotations.services import jobs
from tests.background import wait_until_idle
from tests.conftest import login, wait_for
from tests.factories import make_article

pytestmark = [
    pytest.mark.browser,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
]

NOTHING_TO_SUGGEST = "Das Wetter ist schön.\n"


def held_analysis(editor, body: str):
    """An article whose analysis job this test holds (`running`); returns it and the
    claim's token."""
    with transaction.atomic():
        article = make_article(editor, title="Wetter", body=body)
        job = Job.objects.get(task=tasks.article_analyse.name, args=[article.pk])
        token = jobs.job_claim(job_id=job.pk)
    assert token is not None
    return article, job, token


@pytest.fixture
def german_page(browser, live_server):
    """A page of a German browser, with the script errors it met."""
    context = browser.new_context(base_url=live_server.url, locale="de-DE")
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.js_errors = errors
    yield page
    context.close()


def status(page):
    return page.locator("#analysis-status")


def test_a_running_analysis_and_one_that_found_nothing_read_differently(page, worker, editor):
    article, job, token = held_analysis(editor, NOTHING_TO_SUGGEST)
    login(page, "editor")
    page.goto(f"/articles/{article.pk}/")

    assert status(page).get_attribute("role") == "status"
    assert status(page).get_attribute("aria-live") == "polite"
    assert status(page).get_attribute("data-state") == "running"
    assert status(page).inner_text() == "The machine analysis of this text is running…"
    assert page.locator("#suggestion-count").inner_text() == "0"

    # The worker's work, done the way the task does it: analyse, then finish the job.
    assert services.article_analyse(article_id=article.pk) == 0
    assert jobs.job_finish(job_id=job.pk, token=token)

    page.locator("#analysis-status[data-state='done']").wait_for()
    assert status(page).inner_text() == "Analysis finished: nothing to suggest in this text."
    assert page.locator("#suggestion-count").inner_text() == "0"

    # On a fresh load the server says the same at once.
    page.reload()
    assert status(page).get_attribute("data-state") == "done"
    assert status(page).inner_text() == "Analysis finished: nothing to suggest in this text."
    assert page.js_errors == []


def test_the_worker_s_suggestions_are_counted_when_the_analysis_is_done(page, worker, editor):
    article = make_article(editor, title="Schiene")
    login(page, "editor")
    page.goto(f"/articles/{article.pk}/")

    page.locator("#analysis-status[data-state='done']").wait_for()
    wait_for(
        lambda: Event.objects.filter(article=article, verb="article.analysed").exists(),
        message="the worker's analysis",
    )
    found = Suggestion.objects.filter(article=article, status="pending").count()
    assert found > 1, "the cues find several spans in the standard text"
    assert status(page).inner_text() == f"Analysis finished: {found} suggestions."
    assert page.locator("#suggestion-count").inner_text() == str(found)
    assert page.js_errors == []


def test_a_failed_analysis_is_explained_in_german(german_page, worker, editor):
    with transaction.atomic():
        article = make_article(editor, title="Wetter", body=NOTHING_TO_SUGGEST)
        job = Job.objects.get(task=tasks.article_analyse.name, args=[article.pk])
        # Every attempt fails in the task (no article id looks like this), as OutboxTask
        # records it, until the job is given up.
        for _attempt in range(jobs.JOB_MAX_ATTEMPTS):
            with pytest.raises(ValueError):
                tasks.article_analyse("not an id", job_id=job.pk)
    assert Job.objects.get(pk=job.pk).state == Job.State.FAILED

    page = german_page
    login(page, "editor")
    page.goto(f"/articles/{article.pk}/")
    assert status(page).get_attribute("data-state") == "failed"
    assert status(page).inner_text() == (
        "Die maschinelle Analyse ist fehlgeschlagen: Der Hintergrundauftrag wurde wegen "
        "eines internen Fehlers abgebrochen (ValueError); die Administration kann die "
        "Einzelheiten einsehen"
    )
    # Not the English detail the admin reads.
    assert "Field 'id'" not in page.content()
    assert page.js_errors == []


def test_a_waiting_analysis_is_announced_in_german_once_it_is_running(
    german_page, worker, celery_app, editor
):
    article, job, token = held_analysis(editor, NOTHING_TO_SUGGEST)
    # The worker's delivery has found the job held and left it (before it is handed back).
    wait_until_idle(celery_app)
    # Handed back as the task does after a failed attempt: waiting for its next try.
    assert jobs.job_release(
        job_id=job.pk,
        token=token,
        error="ValueError: boom",
        error_code="task_error",
        error_params={"kind": "ValueError"},
    )
    page = german_page
    login(page, "editor")
    page.goto(f"/articles/{article.pk}/")
    assert status(page).get_attribute("data-state") == "queued"
    assert status(page).inner_text() == (
        "Die Analyse ist fehlgeschlagen und wird erneut versucht: Der Hintergrundauftrag "
        "wurde wegen eines internen Fehlers abgebrochen (ValueError); die Administration "
        "kann die Einzelheiten einsehen"
    )

    # The next attempt starts (this test holds it, so the worker leaves it alone).
    assert jobs.job_claim(job_id=job.pk) is not None
    page.locator("#analysis-status[data-state='running']").wait_for()
    assert status(page).inner_text() == "Die maschinelle Analyse dieses Textes läuft …"
    assert page.js_errors == []
