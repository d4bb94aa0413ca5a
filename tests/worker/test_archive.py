"""The archive of fetched sources end to end: the real worker fetches a real loopback site,
stores the exchange as a WARC file through Django's storage, and `warcio check` and
`warcio index` accept every file; re-checks of a changed or vanished source keep the
archived copy and say what changed."""

from __future__ import annotations

import gzip
import hashlib
import json

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import formats, timezone

from annotations import services, warc
from annotations.models import Capture, SourceCheck
from tests import archive_support
from tests.archive_support import (
    CHANGED_PAGE,
    CLAIM,
    SOURCE_PAGE,
    approve_with_evidence,
    finished,
    stored_files,
    warcio,
)
from tests.background import worker_test
from tests.factories import make_annotation, make_article

archive_dir = archive_support.archive_dir
site = archive_support.site


def checked_evidence(editor, claim, url: str) -> SourceCheck:
    evidence = services.evidence_add(actor=editor, annotation_id=claim.pk, url=url)
    return finished(evidence.checks.get())


def assert_warcio_accepts_every_file(folder) -> list[dict]:
    """`warcio check` and `warcio index` over every stored file; the index's records."""
    files = stored_files(folder)
    assert files, "nothing was archived"
    check = warcio("check", "-v", *map(str, files))
    assert check.returncode == 0, check.stdout + check.stderr
    assert "digest pass" in check.stdout
    assert "failed" not in check.stdout
    index = warcio("index", "-f", "warc-type,warc-target-uri,warc-truncated", *map(str, files))
    assert index.returncode == 0, index.stderr
    return [json.loads(line) for line in index.stdout.splitlines()]


@worker_test
def test_a_source_check_stores_the_exchange_as_a_warc_that_warcio_accepts(
    worker, site, archive_dir, editor, claim
):
    url = site.add("/beleg", SOURCE_PAGE)
    site.redirect("/kurz", "/beleg")

    check = checked_evidence(editor, claim, site.url("/kurz"))

    assert check.status == SourceCheck.Status.DONE
    capture = Capture.objects.get(checks=check)
    records = assert_warcio_accepts_every_file(archive_dir)
    assert [(r["warc-type"], r.get("warc-target-uri")) for r in records] == [
        ("warcinfo", None),
        ("request", site.url("/kurz")),
        ("response", site.url("/kurz")),
        ("request", url),
        ("response", url),
        ("conversion", url),
    ]
    [path] = stored_files(archive_dir)
    data = path.read_bytes()
    assert capture.warc_sha256 == hashlib.sha256(data).hexdigest()
    assert capture.warc_size == len(data)
    archived = warc.read_response(data)
    assert archived.body == SOURCE_PAGE.encode()
    assert capture.payload_sha256 == hashlib.sha256(archived.body).hexdigest()
    assert archived.text == capture.text
    assert capture.text_sha256 == hashlib.sha256(capture.text.encode()).hexdigest()
    assert b"GET /beleg HTTP/1.1" in gzip.decompress(data)
    # The quote's passage is where the check found it in the archived text.
    assert capture.text[check.passage_start : check.passage_end] == CLAIM
    assert capture.url == url
    assert capture.requested_url == site.url("/kurz")


@worker_test
def test_identical_content_is_stored_once(worker, site, archive_dir, editor, claim):
    url = site.add("/beleg", SOURCE_PAGE)
    first = checked_evidence(editor, claim, url)
    other = make_annotation(editor, claim.article, "Kritiker meinen")
    second = checked_evidence(editor, other, url)

    [rerun] = services.source_checks_request(actor=editor, annotation_id=claim.pk)
    third = finished(rerun)

    assert first.capture_id == second.capture_id == third.capture_id is not None
    assert Capture.objects.count() == 1
    assert len(stored_files(archive_dir)) == 1
    assert site.requests["/beleg"] == 3


@worker_test
def test_the_archive_of_a_source_is_capped_by_the_fetch_cap(
    worker, site, archive_dir, editor, claim, settings
):
    settings.FETCH_MAX_BYTES = 64 * 1024
    filler = "<p>Weitere Absätze über Haushalt, Fahrpläne und Stellwerke der Bahn.</p>\n" * 4000
    url = site.add("/lang", SOURCE_PAGE.replace("</article>", filler + "</article>"))

    check = checked_evidence(editor, claim, url)

    capture = Capture.objects.get(checks=check)
    assert capture.is_truncated is True
    records = assert_warcio_accepts_every_file(archive_dir)
    assert [r.get("warc-truncated") for r in records if r["warc-type"] == "response"] == ["length"]
    [path] = stored_files(archive_dir)
    assert len(warc.read_response(path.read_bytes()).body) == 64 * 1024


@worker_test
def test_a_changed_source_keeps_its_archived_passage_and_the_recheck_shows_a_diff(
    worker, site, archive_dir, editor, reviewer, chief, claim
):
    url = site.add("/beleg", SOURCE_PAGE)
    verdict = approve_with_evidence(editor, reviewer, chief, claim, url)
    first = finished(verdict.evidence.get().checks.get())
    site.add("/beleg", CHANGED_PAGE)

    assert services.evidence_recheck() == 1
    recheck = finished(SourceCheck.objects.filter(annotation=claim).latest("pk"))

    changed = [f for f in recheck.flags if f["code"] == "changed"]
    assert changed and changed[0]["params"]["edited"] == 1
    assert changed[0]["params"]["previous_capture"] == first.capture_id
    assert recheck.capture_id != first.capture_id
    assert len(assert_warcio_accepts_every_file(archive_dir)) == 8  # two files of 4 records
    client = Client()
    client.force_login(reviewer)
    html = client.get(reverse("annotations:annotation-review", args=[claim.pk])).content.decode()
    assert 'class="archive-diff"' in html
    assert "<del>4,2</del><ins>3,9</ins>" in html
    # The copy the chief approved on still shows the passage, marked.
    copy = client.get(
        reverse("annotations:evidence-archive-capture", args=[first.evidence_id, first.capture_id])
    ).content.decode()
    assert f'<mark class="archived-quote" id="passage">{CLAIM}</mark>' in copy


@worker_test
def test_a_source_that_disappears_still_shows_its_archived_copy(
    worker, site, archive_dir, editor, reviewer, chief, claim
):
    url = site.add("/beleg", SOURCE_PAGE)
    verdict = approve_with_evidence(editor, reviewer, chief, claim, url)
    first = finished(verdict.evidence.get().checks.get())
    del site.pages["/beleg"]

    assert services.evidence_recheck() == 1
    recheck = finished(SourceCheck.objects.filter(annotation=claim).latest("pk"))
    assert services.evidence_recheck() == 1
    again = finished(SourceCheck.objects.filter(annotation=claim).latest("pk"))

    assert recheck.status == again.status == SourceCheck.Status.FAILED
    assert recheck.http_status == 404
    # The 404 is archived: the record that the source vanished, in a WARC of its own.
    gone = Capture.objects.get(pk=recheck.capture_id)
    assert again.capture_id == gone.pk != first.capture_id
    assert gone.http_status == 404 and gone.text == ""
    assert len(assert_warcio_accepts_every_file(archive_dir)) == 8  # two files of 4 records
    gone_index = warcio("index", "-f", "warc-type,http:status", str(archive_dir / gone.warc_name))
    assert [json.loads(line) for line in gone_index.stdout.splitlines()][1:3] == [
        {"warc-type": "request"},
        {"warc-type": "response", "http:status": "404"},
    ]
    gone_file = archive_dir / gone.warc_name
    archived_404 = warc.read_response(gone_file.read_bytes())
    assert archived_404.status == 404 and archived_404.body == b"<h1>Not found</h1>"
    client = Client()
    client.force_login(reviewer)
    html = client.get(reverse("annotations:annotation-review", args=[claim.pk])).content.decode()
    since = timezone.localtime(recheck.finished_at)
    assert f'<time class="vanished-since" datetime="{since.isoformat()}">' in html
    assert (
        f"Gone since {formats.date_format(since, 'DATETIME_FORMAT')}: the source answers HTTP 404"
        in html
    )
    record = reverse("annotations:evidence-archive-capture", args=[first.evidence_id, gone.pk])
    assert f'class="vanished-record-link" href="{record}"' in html
    assert f'<mark class="archived-quote">{CLAIM}</mark>' in html
    # The copy shown (and opened without naming one) is the page's, not the 404.
    first_copy = reverse(
        "annotations:evidence-archive-capture", args=[first.evidence_id, first.capture_id]
    )
    assert f'class="archived-link" href="{first_copy}"' in html
    copy = client.get(reverse("annotations:evidence-archive", args=[first.evidence_id]))
    assert copy.status_code == 200
    assert f'<mark class="archived-quote" id="passage">{CLAIM}</mark>' in copy.content.decode()
    page = client.get(
        reverse("annotations:evidence-archive", args=[first.evidence_id]), {"view": "page"}
    )
    assert page.status_code == 200
    assert "Die Opposition nannte die Summe zu klein" in page.content.decode()


@worker_test
def test_a_source_that_answers_410_is_gone_and_one_that_fails_otherwise_is_not(
    worker, site, archive_dir, editor, reviewer, chief, claim
):
    url = site.add("/beleg", SOURCE_PAGE)
    verdict = approve_with_evidence(editor, reviewer, chief, claim, url)
    finished(verdict.evidence.get().checks.get())
    site.add("/beleg", "<p>Entfernt.</p>", status=410)

    assert services.evidence_recheck() == 1
    recheck = finished(SourceCheck.objects.filter(annotation=claim).latest("pk"))

    assert Capture.objects.get(pk=recheck.capture_id).http_status == 410
    assert_warcio_accepts_every_file(archive_dir)
    client = Client()
    client.force_login(reviewer)
    review = reverse("annotations:annotation-review", args=[claim.pk])
    assert "the source answers HTTP 410" in client.get(review).content.decode()

    site.add("/beleg", "<p>Kein Zugriff.</p>", status=403)
    assert services.evidence_recheck() == 1
    forbidden = finished(SourceCheck.objects.filter(annotation=claim).latest("pk"))

    assert forbidden.http_status == 403 and forbidden.capture_id is None
    html = client.get(review).content.decode()
    assert "Gone since" not in html
    assert "The source could not be fetched on" in html


# Page text the extractor drops (a comment) that gzip cannot shrink much: ~38 KB.
UNCOMPRESSIBLE = "<!-- " + "".join(hashlib.sha256(str(i).encode()).hexdigest() for i in range(600))
BIG_PAGE = SOURCE_PAGE.replace("</article>", f"</article>{UNCOMPRESSIBLE} -->")


@worker_test
def test_identical_content_at_other_urls_is_a_revisit_of_the_first_capture(
    worker, site, archive_dir, editor, claim
):
    """The same bytes at three URLs are three captures, but the body is stored once: the
    files of the second and third URL hold a revisit record of the first's response."""
    first = checked_evidence(editor, claim, site.add("/a", BIG_PAGE))
    article = make_article(editor, title="Zweiter Artikel")
    other = make_annotation(editor, article, CLAIM)
    second = checked_evidence(editor, other, site.add("/b", BIG_PAGE))
    third = checked_evidence(editor, other, site.add("/c", BIG_PAGE))

    original = Capture.objects.get(pk=first.capture_id)
    captures = [Capture.objects.get(pk=check.capture_id) for check in (second, third)]
    assert len({original.pk, *(capture.pk for capture in captures)}) == 3
    assert [capture.url for capture in captures] == [site.url("/b"), site.url("/c")]
    assert len(stored_files(archive_dir)) == 3
    assert_warcio_accepts_every_file(archive_dir)
    original_data = (archive_dir / original.warc_name).read_bytes()
    assert warc.read_response(original_data).body == BIG_PAGE.encode()
    for capture in captures:
        path = archive_dir / capture.warc_name
        assert "-revisit" in capture.warc_name and "-revisit" not in original.warc_name
        # Much smaller: headers and text, not the page again.
        assert capture.warc_size * 5 < original.warc_size
        assert capture.payload_sha256 == original.payload_sha256
        assert capture.text == original.text
        index = warcio(
            "index",
            "-f",
            "warc-type,warc-target-uri,warc-profile,warc-refers-to-target-uri,http:status",
            str(path),
        )
        assert index.returncode == 0, index.stderr
        assert [json.loads(line) for line in index.stdout.splitlines()] == [
            {"warc-type": "warcinfo"},
            {"warc-type": "request", "warc-target-uri": capture.url},
            {
                "warc-type": "revisit",
                "warc-target-uri": capture.url,
                "warc-profile": "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest",
                "warc-refers-to-target-uri": original.url,
                "http:status": "200",
            },
            {"warc-type": "conversion", "warc-target-uri": capture.url},
        ]
        data = path.read_bytes()
        assert warc.revisit_target(data) == original.url
        assert f"WARC-Refers-To-Date: {warc.read_response(original_data).date}".encode() in (
            gzip.decompress(data)
        )
        with pytest.raises(ValueError, match="revisit"):
            warc.read_response(data)
        archived = warc.read_response(data, referred=original_data)
        assert archived.body == BIG_PAGE.encode() and archived.url == capture.url

    client = Client()
    client.force_login(editor)
    for check in (second, third):
        copy = reverse(
            "annotations:evidence-archive-capture", args=[check.evidence_id, check.capture_id]
        )
        page = client.get(copy, {"view": "page"})
        assert page.status_code == 200
        assert "Die Opposition nannte die Summe zu klein" in page.content.decode()
        text = client.get(copy).content.decode()
        assert f'<mark class="archived-quote" id="passage">{CLAIM}</mark>' in text

    # Without the file it refers to, the revisit's page cannot be shown; its text still is.
    (archive_dir / original.warc_name).unlink()
    copy = reverse(
        "annotations:evidence-archive-capture", args=[second.evidence_id, second.capture_id]
    )
    gone = client.get(copy, {"view": "page"})
    assert gone.status_code == 503
    assert f'<mark class="archived-quote" id="passage">{CLAIM}</mark>' in gone.content.decode()
