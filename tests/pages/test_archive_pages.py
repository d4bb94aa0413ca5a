"""The archived copy of a source: served under a CSP that runs nothing, as escaped text or a
sanitised page; who may read it; the report's links to it. The check runs in this process
against a real loopback site (the worker tests cover the queue)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.urls import reverse
from django.utils import formats, timezone

from annotations import archive_views, services
from annotations.models import CaptureDiff, Evidence, SourceCheck
from tests import archive_support
from tests.archive_support import CHANGED_PAGE, CLAIM, SOURCE_PAGE, approve_with_evidence

archive_dir = archive_support.archive_dir
site = archive_support.site

HOSTILE_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>Feindlich</title>
<script>document.title = "pwned"</script><style>body{display:none}</style></head><body><article>
<h1>Bund gibt Geld für die Schiene frei</h1>
<p onclick="alert(1)">Das Ministerium hat 4,2 Milliarden Euro für den Ausbau der Schiene
freigegeben. <img src="https://tracker.example/pixel.gif" onerror="alert(2)"></p>
<p>Im Quelltext stand &lt;script&gt;alert(3)&lt;/script&gt; als Beispiel für Angriffe.</p>
<p><a href="/weiter">Weiterlesen</a> <a href="javascript:alert(4)">Klick</a></p>
<form action="https://evil.example/"><input name="q"></form>
</article></body></html>
"""


def run_checks(evidence: Evidence) -> SourceCheck:
    """Run the evidence's pending check here, as the worker would."""
    check = evidence.checks.get()
    services.source_check_run(check_id=check.pk)
    check.refresh_from_db()
    return check


def archive_url(evidence: Evidence, **query: str) -> str:
    url = reverse("annotations:evidence-archive", args=[evidence.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


@pytest.fixture
def hostile(site, archive_dir, editor, claim) -> Evidence:
    evidence = services.evidence_add(
        actor=editor, annotation_id=claim.pk, url=site.add("/feind", HOSTILE_PAGE)
    )
    run_checks(evidence)
    return evidence


def test_the_archived_page_is_served_sanitised_under_a_csp_that_runs_no_script(
    client, reviewer, hostile, site
):
    client.force_login(reviewer)
    response = client.get(archive_url(hostile, view="page"))

    assert response.status_code == 200
    assert response["Content-Security-Policy"] == archive_views.ARCHIVE_CSP
    policy = response["Content-Security-Policy"]
    assert "default-src 'none'" in policy and policy.endswith("; sandbox")
    assert "script-src" not in policy
    assert response["Referrer-Policy"] == "no-referrer"
    html = response.content.decode()
    assert "<script" not in html
    assert "pwned" not in html
    assert "onclick" not in html and "onerror" not in html
    assert "<img" not in html and "tracker.example" not in html
    assert "<form" not in html and "evil.example" not in html
    assert "javascript:" not in html
    assert f'href="{site.url("/weiter")}"' in html
    assert "Das Ministerium hat 4,2 Milliarden Euro" in html


def test_the_archived_text_is_escaped_and_marks_the_quotes_passage(client, reviewer, hostile):
    client.force_login(reviewer)
    response = client.get(archive_url(hostile))

    assert response.status_code == 200
    assert response["Content-Security-Policy"] == archive_views.ARCHIVE_CSP
    html = response.content.decode()
    assert "&lt;script&gt;alert(3)&lt;/script&gt;" in html
    assert "<script" not in html
    assert f'<mark class="archived-quote" id="passage">{CLAIM}</mark>' in html
    assert "SHA-256" in html


def test_an_outsider_is_refused_the_archived_copy_of_an_unpublished_article(
    client, outsider, hostile
):
    client.force_login(outsider)
    response = client.get(archive_url(hostile))
    assert response.status_code == 403
    assert "This archived copy is not public." in response.content.decode()


def test_an_anonymous_reader_of_an_unpublished_article_is_sent_to_log_in(client, hostile):
    response = client.get(archive_url(hostile))
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_evidence_without_an_archived_copy_answers_404(client, reviewer, editor, claim):
    evidence = services.evidence_add(
        actor=editor, annotation_id=claim.pk, url="https://example.org/nie-geprueft"
    )
    client.force_login(reviewer)
    assert client.get(archive_url(evidence)).status_code == 404
    missing = reverse("annotations:evidence-archive", args=[evidence.pk + 1000])
    assert client.get(missing).status_code == 404


def test_the_published_report_links_each_source_to_its_archived_copy_for_everyone(
    client, site, archive_dir, editor, reviewer, chief, claim
):
    verdict = approve_with_evidence(editor, reviewer, chief, claim, site.add("/q", SOURCE_PAGE))
    evidence = verdict.evidence.get()
    check = run_checks(evidence)
    services.article_publish(actor=chief, article_id=claim.article_id, with_open_claims=True)

    report = client.get(reverse("annotations:article-report", args=[claim.article_id]))

    link = reverse("annotations:evidence-archive-capture", args=[evidence.pk, check.capture_id])
    assert f'class="archived-link" href="{link}"' in report.content.decode()
    copy = client.get(link)
    assert copy.status_code == 200
    assert f'<mark class="archived-quote" id="passage">{CLAIM}</mark>' in copy.content.decode()


def test_the_review_page_shows_the_archived_passage_and_its_capture_date(client, reviewer, hostile):
    client.force_login(reviewer)
    html = client.get(
        reverse("annotations:annotation-review", args=[hostile.annotation_id])
    ).content.decode()
    capture = SourceCheck.objects.get(evidence=hostile).capture
    assert f'id="archived-{hostile.pk}"' in html
    assert f'datetime="{timezone.localtime(capture.captured_at).isoformat()}"' in html
    assert '<mark class="archived-quote">' in html
    assert "alert(1)" not in html


def recheck(evidence: Evidence) -> SourceCheck:
    """The daily re-check of approved verdicts' sources, its check run here."""
    assert services.evidence_recheck() == 1
    check = evidence.checks.order_by("-pk").first()
    services.source_check_run(check_id=check.pk)
    check.refresh_from_db()
    return check


def iso(moment) -> str:
    return timezone.localtime(moment).isoformat()


def test_after_a_source_changes_the_review_page_shows_the_copy_approved_on_and_the_newest(
    client, site, archive_dir, editor, reviewer, chief, claim
):
    verdict = approve_with_evidence(editor, reviewer, chief, claim, site.add("/q", SOURCE_PAGE))
    evidence = verdict.evidence.get()
    first = run_checks(evidence)
    client.force_login(reviewer)
    review = reverse("annotations:annotation-review", args=[claim.pk])

    html = client.get(review).content.decode()
    assert "The verdict was approved on this copy." in html
    assert f'id="verdict-copy-{evidence.pk}"' not in html
    assert f'<time class="seen-at" datetime="{iso(first.finished_at)}">' in html

    site.add("/q", CHANGED_PAGE)
    second = recheck(evidence)
    third = recheck(evidence)  # the same changed page: the newest copy is confirmed again
    assert first.capture_id != second.capture_id == third.capture_id

    html = client.get(review).content.decode()
    assert "The verdict was approved on this copy." not in html
    assert "Newest archived copy" in html
    copy = html[html.index(f'id="verdict-copy-{evidence.pk}"') :]
    copy = copy[: copy.index("</div>")]
    first_link = reverse(
        "annotations:evidence-archive-capture", args=[evidence.pk, first.capture_id]
    )
    assert f'class="verdict-copy-link" href="{first_link}"' in copy
    assert f'datetime="{iso(first.capture.captured_at)}"' in copy
    assert f'<time class="verdict-seen-at" datetime="{iso(first.finished_at)}">' in copy
    assert (
        f"Copy the verdict was approved on ({formats.date_format(timezone.localtime(verdict.decided_at), 'DATETIME_FORMAT')})"
        in copy
    )
    assert f'<mark class="archived-quote">{CLAIM}</mark>' in copy
    newest_link = reverse(
        "annotations:evidence-archive-capture", args=[evidence.pk, second.capture_id]
    )
    assert f'class="archived-link" href="{newest_link}"' in html
    assert f'<time class="captured-at" datetime="{iso(second.capture.captured_at)}">' in html
    assert f'<time class="seen-at" datetime="{iso(third.finished_at)}">' in html
    assert third.finished_at > second.finished_at
    assert "<del>4,2</del><ins>3,9</ins>" in html


def test_the_review_page_shows_the_diff_the_worker_stored(
    client, site, archive_dir, editor, reviewer, chief, claim
):
    verdict = approve_with_evidence(editor, reviewer, chief, claim, site.add("/q", SOURCE_PAGE))
    evidence = verdict.evidence.get()
    first = run_checks(evidence)
    site.add("/q", CHANGED_PAGE)
    second = recheck(evidence)

    stored = CaptureDiff.objects.get(old_id=first.capture_id, new_id=second.capture_id)
    assert any(["removed", "4,2"] in line[1] for line in stored.diff["lines"])
    assert second.flags[0]["params"]["edited"] == stored.diff["changed"] == 1
    # The page shows what is stored, not a diff of its own.
    stored.diff = {
        **stored.diff,
        "lines": [
            [kind, [[k, "3,8" if t == "3,9" else t] for k, t in pieces], skipped]
            for kind, pieces, skipped in stored.diff["lines"]
        ],
    }
    stored.save()
    client.force_login(reviewer)
    html = client.get(reverse("annotations:annotation-review", args=[claim.pk])).content.decode()
    assert "<del>4,2</del><ins>3,8</ins>" in html
    assert "<ins>3,9</ins>" not in html


def test_a_diff_too_long_to_show_says_so(client, site, archive_dir, editor, reviewer, chief, claim):
    rows = "".join(f"<p>Zeile {n} des langen Berichts über die Bahn.</p>\n" for n in range(600))
    page = SOURCE_PAGE.replace("</article>", rows + "</article>")
    verdict = approve_with_evidence(editor, reviewer, chief, claim, site.add("/q", page))
    evidence = verdict.evidence.get()
    run_checks(evidence)
    site.add("/q", page.replace("über die Bahn", "über die Schiene"))
    recheck(evidence)

    client.force_login(reviewer)
    html = client.get(reverse("annotations:annotation-review", args=[claim.pk])).content.decode()

    assert 'class="diff-line diff-cut"' in html
    # A gap, the unchanged line before the first change and 600 edited lines: 400 lines
    # shown, the last 202 left out.
    assert "The diff is too long: the first changes are shown, 202 more lines are left out." in html
    assert html.count('class="diff-line diff-changed"') == 398


def test_the_s3_archive_setting_selects_django_storages():
    environment = {
        **os.environ,
        "DEBUG": "1",
        "ARCHIVE_STORAGE": "s3",
        "ARCHIVE_S3_BUCKET": "desk-archive",
        "ARCHIVE_S3_ENDPOINT_URL": "http://127.0.0.1:9000",
    }
    code = (
        "import django, json; django.setup(); from django.conf import settings; "
        "print(json.dumps(settings.STORAGES['archive']))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**environment, "DJANGO_SETTINGS_MODULE": "factcheck.settings"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert '"BACKEND": "storages.backends.s3.S3Storage"' in result.stdout
    assert '"bucket_name": "desk-archive"' in result.stdout
    assert '"endpoint_url": "http://127.0.0.1:9000"' in result.stdout
