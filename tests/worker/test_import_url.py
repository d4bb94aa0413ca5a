"""Import by URL: the real worker fetches a loopback page through the SSRF guard and the
article moves from `importing` to `draft`, or to `import_failed` with the message."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from celery.signals import task_postrun
from django.utils import timezone

from annotations import services, tasks
from annotations.models import Article, ArticleRevision, Event, Job
from annotations.services import jobs
from tests.background import worker_test
from tests.conftest import wait_for
from tests.source_site import SourceSite, running_site

ARTICLE_PAGE = """<!doctype html><html lang="de"><head><meta charset="utf-8">
<title>Rathaus plant vierzig Kilometer Radwege | Lokalzeitung</title></head><body>
<nav><a href="/">Start</a> <a href="/politik">Politik</a></nav>
<article><h1>Rathaus plant vierzig Kilometer Radwege</h1>
<p>Die Bürgermeisterin sagte am Montag, die Stadt werde bis 2027 vierzig Kilometer neue
Radwege bauen. Das sei der größte Ausbau seit Jahrzehnten.</p>
<p>Kritiker bezweifeln, dass die Mittel dafür im Haushalt stehen.</p>
</article>
<footer>Impressum · Datenschutz</footer>
</body></html>
"""


@pytest.fixture(autouse=True)
def fast_passwords(settings) -> None:
    # The default PBKDF2 costs over a second per persona on a small test machine.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def site(settings) -> Iterator[SourceSite]:
    with running_site() as source:
        settings.FETCH_ALLOW_HOSTS = [source.host_port]
        settings.FACTCHECK_RETRY_BACKOFF_SECONDS = 0.05
        yield source


def imported(article: Article) -> Article:
    return wait_for(
        lambda: (
            Article.objects.exclude(status=Article.Status.IMPORTING).filter(pk=article.pk).first()
        ),
        message=f"article {article.pk} to leave importing",
    )


@worker_test
def test_an_imported_page_becomes_a_draft_with_its_title_and_main_text(worker, site, editor):
    url = site.add("/radwege", ARTICLE_PAGE)

    article = services.article_create_from_url(actor=editor, url=url)
    assert article.status == Article.Status.IMPORTING

    article = imported(article)
    assert article.status == Article.Status.DRAFT
    assert article.title == "Rathaus plant vierzig Kilometer Radwege"
    # The headline stays in the text: headlines carry claims too.
    assert article.text.startswith(
        "Rathaus plant vierzig Kilometer Radwege\nDie Bürgermeisterin sagte am Montag"
    )
    assert "Impressum" not in article.text
    assert article.revision == 1
    assert article.language == "de"
    assert article.import_error == ""
    assert ArticleRevision.objects.get(article=article).text == article.text
    assert Event.objects.filter(verb="article.imported", article=article).exists()


@worker_test
def test_an_imported_article_is_analysed(worker, site, editor):
    article = services.article_create_from_url(actor=editor, url=site.add("/radwege", ARTICLE_PAGE))

    wait_for(
        lambda: Event.objects.filter(verb="article.analysed", article=article).exists(),
        message="the analysis of the imported text",
    )


@worker_test
def test_a_missing_page_fails_the_import_with_http_404(worker, site, editor):
    article = imported(services.article_create_from_url(actor=editor, url=site.url("/weg")))

    assert article.status == Article.Status.IMPORT_FAILED
    assert article.import_error == "HTTP 404"
    assert (article.import_error_code, article.import_error_params) == (
        "http_status",
        {"status": 404},
    )
    assert article.text == ""
    assert Event.objects.get(verb="article.import_failed", article=article).data == {
        "error": "HTTP 404",
        "error_code": "http_status",
        "error_params": {"status": 404},
    }


@worker_test
def test_an_image_fails_the_import_as_not_html_or_text(worker, site, editor):
    url = site.add("/bild.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, content_type="image/png")

    article = imported(services.article_create_from_url(actor=editor, url=url))

    assert article.status == Article.Status.IMPORT_FAILED
    assert article.import_error == "not HTML or text: image/png"


@worker_test
def test_an_internal_address_fails_the_import_as_blocked_without_a_connection(worker, site, editor):
    with running_site() as internal:
        url = f"http://localhost:{internal.port}/intern"

        article = imported(services.article_create_from_url(actor=editor, url=url))

        assert internal.connections == 0
    assert article.status == Article.Status.IMPORT_FAILED
    assert article.import_error.startswith("blocked: address ")
    assert re.search(
        r"is in [0-9a-f.:/]+, Loopback( Address)? \(RFC \d+\), not globally reachable$",
        article.import_error,
    )


@worker_test
def test_a_site_that_fails_once_is_imported_on_the_retry(worker, site, editor):
    url = site.add("/radwege", ARTICLE_PAGE, fail_first=1)

    article = imported(services.article_create_from_url(actor=editor, url=url))

    assert article.status == Article.Status.DRAFT
    assert site.requests["/radwege"] == 2


@worker_test
def test_a_site_that_never_answers_fails_the_import_as_timed_out(worker, site, settings, editor):
    settings.FETCH_READ_TIMEOUT = 0.3
    url = site.add("/haengt", ARTICLE_PAGE, stall=True)

    article = imported(services.article_create_from_url(actor=editor, url=url))

    assert article.status == Article.Status.IMPORT_FAILED
    assert article.import_error == "timed out after 0.3 s"
    assert site.requests["/haengt"] == 4


@worker_test
def test_an_import_delivered_again_changes_nothing(worker, site, editor):
    article = imported(
        services.article_create_from_url(actor=editor, url=site.add("/radwege", ARTICLE_PAGE))
    )
    seen: list[str] = []

    def record(task_id: str, **kwargs) -> None:
        seen.append(task_id)

    task_postrun.connect(record, weak=False)
    try:
        again = tasks.article_import_url.delay(article.pk)
        wait_for(lambda: again.id in seen, message="the second delivery")
    finally:
        task_postrun.disconnect(record)

    assert site.requests["/radwege"] == 1
    assert ArticleRevision.objects.filter(article=article).count() == 1
    assert Article.objects.get(pk=article.pk).revision == 1


@worker_test
def test_the_sweep_resends_an_import_whose_message_was_lost(worker, site, editor):
    url = site.add("/radwege", ARTICLE_PAGE)
    article = Article.objects.create(
        title=url, source_url=url, status=Article.Status.IMPORTING, created_by=editor, revision=0
    )
    # Its job, written with it an hour ago; the message after commit never reached a worker.
    job = Job.objects.create(
        task=tasks.article_import_url.name,
        args=[article.pk],
        created_at=timezone.now() - timezone.timedelta(hours=1),
    )

    assert jobs.jobs_sweep(older_than=60) == 1

    assert imported(article).status == Article.Status.DRAFT
    assert Event.objects.get(verb="jobs.swept").data == {"sent": [job.pk], "failed": []}
