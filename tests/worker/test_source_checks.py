"""Source checks end to end: the service saves a pending check, Redis carries the task, the
real worker fetches a real loopback site through the SSRF guard and stores the result."""

from __future__ import annotations

import hashlib
import re
import socket
from collections.abc import Iterator
from datetime import datetime

import pytest
from celery.signals import task_postrun
from django.db import transaction
from django.utils import timezone, translation
from rest_framework.test import APIClient

from annotations import fetch, machine_text, services, tasks
from annotations.models import Annotation, Event, Job, SourceCheck
from annotations.services import jobs
from tests.background import worker_test
from tests.conftest import wait_for
from tests.factories import make_annotation, make_article
from tests.source_site import SourceSite, install_tripwire, running_site

QUOTE_ARTICLE = (
    "Berlin – Die Ministerin kündigte am Montag an: „Wir werden bis 2030 zwanzig neue "
    "Bahnhöfe bauen.“ Kritiker halten das für unrealistisch.\n"
)
QUOTE = "„Wir werden bis 2030 zwanzig neue Bahnhöfe bauen.“"

PAGE_WITH_QUOTE = """<!doctype html><html lang="de"><head><meta charset="utf-8">
<title>Zwanzig neue Bahnhöfe | Tagesblatt</title></head><body>
<nav><a href="/">Start</a></nav>
<article><h1>Zwanzig neue Bahnhöfe</h1>
<p>Die Ministerin sagte am Montag in Berlin: „Wir werden bis 2030 zwanzig neue Bahnhöfe
bauen.“ Der Verband der Pendler begrüßte die Ankündigung.</p>
<p>Die Opposition bezweifelt, dass das Geld dafür im Haushalt steht.</p>
</article></body></html>
"""
# Straight quotes, CRLF line breaks and a word hyphenated across a line.
PLAIN_WITH_QUOTE = (
    "Pressemitteilung des Ministeriums\r\n\r\nDie Ministerin sagte:\r\n"
    '"Wir werden bis 2030 zwanzig\r\nneue Bahn-\r\nhöfe bauen."\r\n'
)
PAGE_WITHOUT_QUOTE = """<!doctype html><html><head><meta charset="utf-8">
<title>Wetter</title></head><body><article>
<p>In Hamburg bleibt es am Wochenende windig, am Sonntag zieht Regen auf.</p>
<p>Die Temperaturen steigen kaum über zehn Grad.</p>
</article></body></html>
"""
LATIN1_PAGE = (
    "<html><head><title>Übersicht über Bahnhöfe</title></head><body><article>"
    "<p>Die Ministerin sagte: „Wir werden bis 2030 zwanzig neue Bahnhöfe bauen.“</p>"
    "<p>Die Kosten schätzt das Ministerium auf 3 Milliarden €.</p>"
    "</article></body></html>"
).encode("cp1252")
CLAIM_SOURCE_PAGE = """<!doctype html><html><head><meta charset="utf-8">
<title>Bund gibt Geld für die Schiene frei</title></head><body><article>
<p>Das Verkehrsministerium teilte mit, dass insgesamt 4,2 Milliarden Euro für den Ausbau
der Schiene freigegeben wurden. Die Mittel fließen vor allem in den Osten.</p>
</article></body></html>
"""
UNFINISHED = (SourceCheck.Status.PENDING, SourceCheck.Status.RUNNING)


@pytest.fixture(autouse=True)
def fast_passwords(settings) -> None:
    # The default PBKDF2 costs over a second per persona on a small test machine.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def big_page() -> bytes:
    """6 MB of HTML with the quote at the start and a marker past the 5 MB cap."""
    head = (
        "<!doctype html><html><head><meta charset='utf-8'><title>Langes Protokoll</title>"
        "</head><body><article><p>Die Ministerin sagte: „Wir werden bis 2030 zwanzig neue "
        "Bahnhöfe bauen.“</p>\n"
    ).encode()
    paragraph = (
        "<p>Im weiteren Verlauf der Sitzung sprachen die Abgeordneten über Haushalt, "
        "Fahrpläne, Stellwerke und die Zukunft der Regionalbahnen im ländlichen Raum.</p>\n"
    ).encode()
    filler = paragraph * ((6 * 1024 * 1024 - len(head)) // len(paragraph))
    tail = b"<p>HINTER-DER-GRENZE</p></article></body></html>"
    return head + filler + tail


@pytest.fixture
def site(settings) -> Iterator[SourceSite]:
    """A source site the fetcher may reach (it is in FETCH_ALLOW_HOSTS); quick retries."""
    with running_site() as source:
        settings.FETCH_ALLOW_HOSTS = [source.host_port]
        settings.FACTCHECK_RETRY_BACKOFF_SECONDS = 0.05
        yield source


@pytest.fixture
def target() -> Iterator[SourceSite]:
    """A loopback site the fetcher must never reach: it is not in FETCH_ALLOW_HOSTS."""
    with running_site() as source:
        yield source


@pytest.fixture
def quote_annotation(editor):
    article = make_article(editor, title="Bahnhöfe", body=QUOTE_ARTICLE)
    return make_annotation(editor, article, QUOTE)


def add_evidence(actor, annotation: Annotation, url: str) -> SourceCheck:
    evidence = services.evidence_add(actor=actor, annotation_id=annotation.pk, url=url)
    return evidence.checks.get()


def finished(check: SourceCheck, timeout: float = 30.0) -> SourceCheck:
    return wait_for(
        lambda: SourceCheck.objects.exclude(status__in=UNFINISHED).filter(pk=check.pk).first(),
        timeout=timeout,
        message=f"check {check.pk} to finish",
    )


# --- lifecycle ------------------------------------------------------------------------------


def test_adding_evidence_saves_a_pending_check_and_sends_it_only_on_commit(
    editor, claim, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        evidence = services.evidence_add(
            actor=editor, annotation_id=claim.pk, url="https://example.org/bericht"
        )

    check = evidence.checks.get()
    assert check.status == SourceCheck.Status.PENDING
    assert check.url == "https://example.org/bericht"
    assert check.annotation_id == claim.pk
    assert check.article_revision == claim.article.revision
    assert check.attempts == 0
    assert len(callbacks) == 1


def test_evidence_rolled_back_leaves_no_check_and_sends_nothing(
    editor, claim, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks() as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.evidence_add(
            actor=editor, annotation_id=claim.pk, url="https://example.org/bericht"
        )
        raise RuntimeError("the surrounding request failed")

    assert not SourceCheck.objects.exists()
    assert callbacks == []


@worker_test
def test_the_worker_stores_status_final_url_type_title_hash_and_excerpt(
    worker, site, editor, quote_annotation
):
    site.add("/artikel", PAGE_WITH_QUOTE)
    site.redirect("/kurz", "/artikel")

    check = finished(add_evidence(editor, quote_annotation, site.url("/kurz")))

    title, text = fetch.extract(PAGE_WITH_QUOTE.encode(), "text/html; charset=utf-8", None)
    assert check.status == SourceCheck.Status.DONE
    assert check.error == ""
    assert check.http_status == 200
    assert check.final_url == site.url("/artikel")
    assert check.content_type == "text/html"
    assert check.title == title == "Zwanzig neue Bahnhöfe"
    assert check.sha256 == hashlib.sha256(text.encode()).hexdigest()
    assert check.quote_found is True
    assert check.quote_score == 100.0
    assert "„Wir werden bis 2030 zwanzig neue Bahnhöfe bauen.“" in check.excerpt
    assert check.flags == []
    assert check.attempts == 1
    assert check.started_at <= check.finished_at


@worker_test
def test_the_api_lists_every_fact_of_a_finished_check(worker, site, editor, quote_annotation):
    site.add("/artikel", PAGE_WITH_QUOTE)
    site.redirect("/kurz", "/artikel")
    check = finished(add_evidence(editor, quote_annotation, site.url("/kurz")))
    api = APIClient()
    api.force_authenticate(editor)

    response = api.get(f"/api/v1/annotations/{quote_annotation.pk}/source-checks/")

    assert response.status_code == 200
    assert response.json()["count"] == 1
    listed = response.json()["results"][0]
    assert listed["id"] == check.pk
    assert listed["url"] == site.url("/kurz")
    assert listed["evidence"] == check.evidence_id
    assert listed["status"] == "done"
    assert listed["http_status"] == 200
    assert listed["final_url"] == site.url("/artikel")
    assert listed["content_type"] == "text/html"
    assert listed["title"] == "Zwanzig neue Bahnhöfe"
    assert listed["sha256"] == check.sha256
    assert len(listed["sha256"]) == 64
    assert listed["quote_found"] is True
    assert listed["quote_score"] == 100.0
    assert QUOTE in listed["excerpt"]
    assert listed["flags"] == []
    assert listed["error"] == ""
    assert listed["attempts"] == 1
    requested, started, ended = (
        datetime.fromisoformat(listed[name])
        for name in ("requested_at", "started_at", "finished_at")
    )
    assert requested <= started <= ended
    assert ended == check.finished_at


@worker_test
def test_the_api_lists_the_message_and_attempts_of_a_failed_check(
    worker, site, editor, quote_annotation
):
    check = finished(add_evidence(editor, quote_annotation, site.url("/weg")))
    api = APIClient()
    api.force_authenticate(editor)

    listed = api.get(f"/api/v1/annotations/{quote_annotation.pk}/source-checks/").json()

    (row,) = listed["results"]
    assert row["id"] == check.pk
    assert row["status"] == "failed"
    assert row["http_status"] == 404
    assert row["error"] == "HTTP 404"
    assert (row["error_code"], row["error_params"]) == ("http_status", {"status": 404})
    assert row["attempts"] == 1
    assert row["quote_found"] is None
    assert row["sha256"] == ""


def test_an_outsider_cannot_list_source_checks(outsider, editor, quote_annotation):
    services.evidence_add(
        actor=editor, annotation_id=quote_annotation.pk, url="https://example.org/bericht"
    )
    api = APIClient()
    api.force_authenticate(outsider)

    response = api.get(f"/api/v1/annotations/{quote_annotation.pk}/source-checks/")

    assert response.status_code == 403
    assert response.json() == {
        "detail": "You need a newsroom role (editor, reviewer or chief) to use the API."
    }


@worker_test
def test_a_finished_check_is_written_to_the_annotations_history(
    worker, site, editor, quote_annotation
):
    site.add("/artikel", PAGE_WITH_QUOTE)
    check = finished(add_evidence(editor, quote_annotation, site.url("/artikel")))

    event = Event.objects.get(verb="source_check.finished", annotation=quote_annotation)
    assert event.data["check"] == check.pk
    assert event.data["status"] == "done"


@pytest.fixture
def processed() -> Iterator[list[str]]:
    """Ids of the tasks the in-process worker has finished running."""
    seen: list[str] = []

    def record(task_id: str, **kwargs) -> None:
        seen.append(task_id)

    task_postrun.connect(record, weak=False)
    yield seen
    task_postrun.disconnect(record)


@worker_test
def test_a_done_check_sent_again_is_not_fetched_again(
    worker, site, processed, editor, quote_annotation
):
    site.add("/artikel", PAGE_WITH_QUOTE)
    check = finished(add_evidence(editor, quote_annotation, site.url("/artikel")))

    resent = tasks.source_check_run.delay(check.pk)
    wait_for(lambda: resent.id in processed, message="the resent task")

    again = SourceCheck.objects.get(pk=check.pk)
    assert site.requests["/artikel"] == 1
    assert again.attempts == 1
    assert again.finished_at == check.finished_at
    assert Event.objects.filter(verb="source_check.finished", data__check=check.pk).count() == 1
    assert services.source_check_run(check_id=check.pk) is None


# --- quotes ---------------------------------------------------------------------------------


@worker_test
def test_a_quote_in_the_source_is_found_with_its_passage(worker, site, editor, quote_annotation):
    check = finished(add_evidence(editor, quote_annotation, site.add("/artikel", PAGE_WITH_QUOTE)))

    assert check.quote_found is True
    assert check.quote_score == 100.0
    assert "Die Ministerin sagte am Montag in Berlin" in check.excerpt


@worker_test
def test_a_quote_with_other_quotation_marks_and_line_breaks_is_found(
    worker, site, editor, quote_annotation
):
    url = site.add("/pm.txt", PLAIN_WITH_QUOTE, content_type="text/plain; charset=utf-8")

    check = finished(add_evidence(editor, quote_annotation, url))

    assert check.status == SourceCheck.Status.DONE
    assert check.content_type == "text/plain"
    assert check.quote_found is True
    assert check.quote_score >= 95.0
    assert "zwanzig" in check.excerpt


@worker_test
def test_a_quote_missing_from_the_source_is_not_found(worker, site, editor, quote_annotation):
    check = finished(
        add_evidence(editor, quote_annotation, site.add("/wetter", PAGE_WITHOUT_QUOTE))
    )

    assert check.status == SourceCheck.Status.DONE
    assert check.quote_found is False
    assert check.quote_score < 85.0
    assert check.title == "Wetter"


@worker_test
def test_a_claim_is_found_by_its_key_phrase_when_the_source_words_it_differently(
    worker, site, editor
):
    sentence = (
        "Nach Angaben eines Regierungssprechers wurden vermutlich 4,2 Milliarden Euro für den "
        "Ausbau der Schiene freigegeben."
    )
    article = make_article(editor, title="Schiene", body=f"Berlin – {sentence} Mehr folgt.\n")
    claim = make_annotation(editor, article, sentence)

    check = finished(add_evidence(editor, claim, site.add("/bund", CLAIM_SOURCE_PAGE)))

    assert check.quote_found is True
    assert 85.0 <= check.quote_score < 100.0
    assert [f["code"] for f in check.flags] == ["key_phrase"]
    assert check.flags[0]["cue"] == (
        "wurden 4,2 Milliarden Euro für den Ausbau der Schiene freigegeben"
    )
    assert "Verkehrsministerium" in check.excerpt


@worker_test
def test_a_latin1_page_with_declared_charset_is_decoded_and_matched(
    worker, site, editor, quote_annotation
):
    url = site.add("/alt", LATIN1_PAGE, content_type="text/html; charset=iso-8859-1")

    check = finished(add_evidence(editor, quote_annotation, url))

    assert check.title == "Übersicht über Bahnhöfe"
    assert check.quote_found is True
    assert check.quote_score == 100.0
    assert "„Wir werden bis 2030 zwanzig neue Bahnhöfe bauen.“" in check.excerpt


@worker_test
def test_a_page_over_the_size_cap_is_cut_there_and_still_searched(
    worker, site, editor, quote_annotation
):
    url = site.add("/protokoll", big_page())

    check = finished(add_evidence(editor, quote_annotation, url), timeout=90)

    assert check.status == SourceCheck.Status.DONE
    assert check.quote_found is True
    assert [f["code"] for f in check.flags] == ["truncated"]
    assert (check.flags[0]["message"], check.flags[0]["params"]) == ("truncated", {"megabytes": 5})
    with translation.override("en"):
        assert machine_text.flag_text(check.flags[0]) == (
            "The page is larger than the fetch limit; only its first 5 MB were read and searched."
        )
    assert "HINTER-DER-GRENZE" not in check.excerpt


# --- failures -------------------------------------------------------------------------------


@worker_test
def test_a_missing_page_fails_with_http_404_at_once(worker, site, editor, quote_annotation):
    check = finished(add_evidence(editor, quote_annotation, site.url("/weg")))

    assert check.status == SourceCheck.Status.FAILED
    assert check.error == "HTTP 404"
    assert check.http_status == 404
    assert check.attempts == 1
    assert site.requests["/weg"] == 1


@worker_test
def test_an_image_fails_as_not_html_or_text(worker, site, editor, quote_annotation):
    url = site.add("/bild.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, content_type="image/png")

    check = finished(add_evidence(editor, quote_annotation, url))

    assert check.status == SourceCheck.Status.FAILED
    assert check.error == "not HTML or text: image/png"
    assert check.attempts == 1


@worker_test
def test_a_site_that_does_not_answer_fails_as_timed_out_after_the_retries(
    worker, site, settings, editor, quote_annotation
):
    settings.FETCH_READ_TIMEOUT = 0.3
    url = site.add("/haengt", PAGE_WITH_QUOTE, stall=True)

    check = finished(add_evidence(editor, quote_annotation, url))

    assert check.status == SourceCheck.Status.FAILED
    assert check.error == "timed out after 0.3 s"
    assert check.attempts == services.CHECK_MAX_ATTEMPTS
    assert site.requests["/haengt"] == services.CHECK_MAX_ATTEMPTS


@worker_test
def test_a_refused_connection_fails_as_connection_refused_after_the_retries(
    worker, settings, editor, quote_annotation
):
    settings.FACTCHECK_RETRY_BACKOFF_SECONDS = 0.05
    # Bound but not listening: the kernel refuses, and no other process can take the port.
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
        settings.FETCH_ALLOW_HOSTS = [f"127.0.0.1:{port}"]

        check = finished(add_evidence(editor, quote_annotation, f"http://127.0.0.1:{port}/"))

    assert check.status == SourceCheck.Status.FAILED
    assert check.error == "connection refused"
    assert check.attempts == services.CHECK_MAX_ATTEMPTS


@worker_test
def test_a_transient_error_is_retried_until_the_page_answers(
    worker, site, editor, quote_annotation
):
    url = site.add("/wackelig", PAGE_WITH_QUOTE, fail_first=2)

    check = finished(add_evidence(editor, quote_annotation, url))

    assert check.status == SourceCheck.Status.DONE
    assert check.error == ""
    assert check.http_status == 200
    assert check.quote_found is True
    assert check.attempts == 3
    assert site.requests["/wackelig"] == 3


# --- SSRF: every case ends `blocked`, and nothing reaches the target -------------------------

LOOPBACK_REASON = "address 127.0.0.1 is in 127.0.0.0/8, Loopback (RFC 1122), not globally reachable"
SSRF_CASES = [
    ("http://127.0.0.1:{port}/", LOOPBACK_REASON),
    ("http://127.1:{port}/", LOOPBACK_REASON),
    ("http://0x7f000001:{port}/", LOOPBACK_REASON),
    ("http://2130706433:{port}/", LOOPBACK_REASON),
    (
        "http://[::1]:{port}/",
        "address ::1 is in ::1/128, Loopback Address (RFC 4291), not globally reachable",
    ),
    ("http://[::ffff:127.0.0.1]:{port}/", "IPv4-mapped Address (RFC 4291), not globally reachable"),
    (
        "http://169.254.169.254/latest/meta-data/",
        "address 169.254.169.254 is in 169.254.0.0/16, Link Local (RFC 3927), not globally reachable",
    ),
    (
        "http://10.0.0.1/",
        "address 10.0.0.1 is in 10.0.0.0/8, Private-Use (RFC 1918), not globally reachable",
    ),
    (
        "http://192.168.1.1/",
        "address 192.168.1.1 is in 192.168.0.0/16, Private-Use (RFC 1918), not globally reachable",
    ),
    (
        "http://100.100.100.200/",
        "address 100.100.100.200 is in 100.64.0.0/10, Shared Address Space (RFC 6598), not globally reachable",
    ),
    (
        "http://0.0.0.0:{port}/",
        "address 0.0.0.0 is in 0.0.0.0/32, This host on this network (RFC 1122), not globally reachable",
    ),
    ("http://localhost:{port}/", ", not globally reachable"),
]


@pytest.fixture
def tripwire(monkeypatch) -> list[tuple[str, int]]:
    return install_tripwire(monkeypatch)


@worker_test
@pytest.mark.parametrize(("url", "reason"), SSRF_CASES)
def test_an_internal_address_ends_blocked_without_a_connection(
    worker, site, target, tripwire, editor, quote_annotation, url, reason
):
    check = finished(add_evidence(editor, quote_annotation, url.format(port=target.port)))

    assert check.status == SourceCheck.Status.BLOCKED
    assert check.error.startswith("address ")
    assert check.error.endswith(reason)
    # Stored as a code with its parameters, so each reader gets it in their language.
    assert check.error_code == "address_blocked"
    assert check.error_params["address"] in check.error
    assert f"{check.error_params['name']} ({check.error_params['rfc']})" in check.error
    assert check.http_status is None
    assert target.connections == 0
    assert [host for host, _port in tripwire if not host.startswith("127.")] == []


@worker_test
@pytest.mark.parametrize("url", ["file:///etc/passwd", "gopher://127.0.0.1:70/"])
def test_a_non_web_url_is_refused_at_input_and_blocked_if_it_reaches_a_check(
    worker, target, tripwire, editor, quote_annotation, url
):
    with pytest.raises(services.Invalid) as refused:
        services.evidence_add(actor=editor, annotation_id=quote_annotation.pk, url=url)
    assert refused.value.message == "only http and https URLs are accepted"

    # A row written before the input check existed, or by hand, is still refused at fetch.
    check = SourceCheck.objects.create(
        annotation=quote_annotation, url=url, article_revision=1, requested_by=editor
    )
    tasks.source_check_run.delay(check.pk)

    check = finished(check)
    assert check.status == SourceCheck.Status.BLOCKED
    assert check.error == "only http and https URLs are accepted"
    assert target.connections == 0


@worker_test
def test_an_allowed_site_redirecting_to_cloud_metadata_is_blocked(
    worker, site, tripwire, editor, quote_annotation
):
    url = site.redirect("/weiter", "http://169.254.169.254/latest/meta-data/")

    check = finished(add_evidence(editor, quote_annotation, url))

    assert check.status == SourceCheck.Status.BLOCKED
    assert (
        check.error
        == "address 169.254.169.254 is in 169.254.0.0/16, Link Local (RFC 3927), not globally reachable"
    )
    assert check.final_url == "http://169.254.169.254/latest/meta-data/"
    assert site.connections == 1
    assert [host for host, _port in tripwire if not host.startswith("127.")] == []


@worker_test
def test_an_allowed_site_redirecting_to_a_loopback_name_is_blocked(
    worker, site, target, tripwire, editor, quote_annotation
):
    url = site.redirect("/weiter", f"http://localhost:{target.port}/geheim")

    check = finished(add_evidence(editor, quote_annotation, url))

    assert check.status == SourceCheck.Status.BLOCKED
    assert re.search(
        r"is in [0-9a-f.:/]+, Loopback( Address)? \(RFC \d+\), not globally reachable$", check.error
    )
    assert site.connections == 1
    assert target.connections == 0


# --- the sweep and the beat -----------------------------------------------------------------


def lost_job(task, *args, **fields) -> Job:
    """A job written an hour ago whose message was lost (never sent), or, with `state` and
    `started_at`, whose worker died."""
    long_ago = timezone.now() - timezone.timedelta(hours=1)
    return Job.objects.create(task=task.name, args=list(args), created_at=long_ago, **fields)


@worker_test
def test_the_sweep_resends_a_pending_check_whose_message_was_lost(
    worker, site, editor, quote_annotation
):
    site.add("/artikel", PAGE_WITH_QUOTE)
    check = SourceCheck.objects.create(
        annotation=quote_annotation, url=site.url("/artikel"), article_revision=1
    )
    job = lost_job(tasks.source_check_run, check.pk)

    assert jobs.jobs_sweep(older_than=60) == 1

    check = finished(check)
    assert check.status == SourceCheck.Status.DONE
    assert check.attempts == 1
    assert Event.objects.get(verb="jobs.swept").data == {"sent": [job.pk], "failed": []}
    wait_for(lambda: Job.objects.get(pk=job.pk).state == Job.State.DONE, message="the job done")


@worker_test
def test_the_sweep_reclaims_a_check_left_running_by_a_dead_worker(
    worker, site, settings, editor, quote_annotation
):
    settings.FACTCHECK_STALE_CHECK_SECONDS = 60
    site.add("/artikel", PAGE_WITH_QUOTE)
    long_ago = timezone.now() - timezone.timedelta(hours=1)
    check = SourceCheck.objects.create(
        annotation=quote_annotation,
        url=site.url("/artikel"),
        article_revision=1,
        status=SourceCheck.Status.RUNNING,
        started_at=long_ago,
        attempts=1,
    )
    lost_job(
        tasks.source_check_run,
        check.pk,
        state=Job.State.RUNNING,
        sent_at=long_ago,
        started_at=long_ago,
        attempts=1,
    )

    assert jobs.jobs_sweep() == 1

    check = finished(check)
    assert check.status == SourceCheck.Status.DONE
    assert check.attempts == 2
    assert site.requests["/artikel"] == 1


def test_a_check_killed_more_often_than_its_attempts_allow_is_given_up(editor, quote_annotation):
    check = SourceCheck.objects.create(
        annotation=quote_annotation,
        url="https://example.org/",
        attempts=services.CHECK_MAX_ATTEMPTS,
        error="",
    )

    services.source_check_run(check_id=check.pk)

    check.refresh_from_db()
    assert check.status == SourceCheck.Status.FAILED
    assert check.error == f"gave up after {services.CHECK_MAX_ATTEMPTS} attempts"


def test_the_beat_runs_the_sweep_and_the_evidence_recheck(settings):
    tasks_by_name = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {tasks.jobs_sweep.name, tasks.evidence_recheck.name} <= tasks_by_name
    assert tasks.source_check_run.acks_late is True
    assert tasks.source_check_run.reject_on_worker_lost is True
    assert tasks.source_check_run.max_retries == 3
    assert tasks.source_check_run.soft_time_limit < tasks.source_check_run.time_limit
    assert tasks.source_check_run.time_limit < settings.FACTCHECK_STALE_CHECK_SECONDS


# --- evidence health ------------------------------------------------------------------------


@pytest.fixture
def approved_claim(editor, reviewer, chief, claim, site):
    """A claim with an approved verdict whose one piece of evidence has been checked."""
    site.add("/beleg", CLAIM_SOURCE_PAGE)
    services.annotation_assign(actor=editor, annotation_id=claim.pk, reviewer=reviewer)
    verdict = services.verdict_propose(
        actor=reviewer,
        annotation_id=claim.pk,
        rating="true",
        rationale="Das Ministerium bestätigt die Summe in seiner Mitteilung.",
        evidence=[services.EvidenceInput(url=site.url("/beleg"))],
    )
    services.verdict_approve(actor=chief, verdict_id=verdict.pk)
    finished(verdict.evidence.get().checks.get())
    return claim


@worker_test
def test_the_recheck_flags_evidence_whose_text_changed_and_emails_the_chiefs(
    worker, site, approved_claim, mailoutbox
):
    site.add("/beleg", CLAIM_SOURCE_PAGE.replace("4,2 Milliarden", "3,9 Milliarden"))

    tasks.evidence_recheck.delay()
    recheck = wait_for(
        lambda: (
            SourceCheck.objects.filter(annotation=approved_claim, requested_by=None)
            .exclude(status__in=UNFINISHED)
            .first()
        ),
        message="the recheck",
    )

    assert [f["code"] for f in recheck.flags][-1] == "changed"
    event = Event.objects.get(verb="evidence.health", annotation=approved_claim)
    assert event.data["flags"][-1] == "changed"
    mail = wait_for(
        lambda: [m for m in mailoutbox if m.subject.startswith("[Fact-check] Evidence changed")]
    )
    assert mail[0].to == ["chief@example.org"]
    assert site.url("/beleg") in mail[0].body
    assert "text changed since it was checked" in mail[0].body


@worker_test
def test_the_recheck_flags_evidence_that_vanished_as_unreachable(
    worker, site, approved_claim, mailoutbox
):
    del site.pages["/beleg"]

    assert services.evidence_recheck() == 1
    recheck = finished(SourceCheck.objects.filter(annotation=approved_claim).latest("pk"))

    assert recheck.status == SourceCheck.Status.FAILED
    assert recheck.flags[-1]["code"] == "unreachable"
    assert recheck.flags[-1]["cue"] == "HTTP 404"
    assert recheck.flags[-1]["params"]["error"]["code"] == "http_status"
    event = Event.objects.get(verb="evidence.health", annotation=approved_claim)
    assert event.data["check"] == recheck.pk
    assert event.data["flags"][-1] == "unreachable"
    mail = wait_for(
        lambda: [m for m in mailoutbox if "Evidence unreachable" in m.subject],
        message="the chiefs' email",
    )
    assert mail[0].to == ["chief@example.org"]
    assert site.url("/beleg") in mail[0].body
    assert "now: HTTP 404." in mail[0].body


@worker_test
def test_the_recheck_leaves_an_unchanged_source_unflagged(worker, site, approved_claim):
    assert services.evidence_recheck() == 1
    recheck = finished(SourceCheck.objects.filter(annotation=approved_claim).latest("pk"))

    assert recheck.status == SourceCheck.Status.DONE
    assert "changed" not in [f["code"] for f in recheck.flags]
    assert not Event.objects.filter(verb="evidence.health").exists()


def test_the_recheck_skips_evidence_that_is_still_being_checked(editor, claim):
    services.evidence_add(actor=editor, annotation_id=claim.pk, url="https://example.org/a")
    Annotation.objects.filter(pk=claim.pk).update(status=Annotation.Status.APPROVED)

    assert services.evidence_recheck() == 0
    assert Event.objects.get(verb="evidence.recheck_requested").data == {"checks": []}
