"""The archive on the review page in real Chromium, with the real worker and a real local
source site: the archived passage is marked with its capture date, a re-check of a changed
source shows what changed, and the archived copy opens under its own strict CSP."""

from __future__ import annotations

import pytest
from django.urls import reverse

from annotations import services
from annotations.models import SourceCheck
from tests import archive_support
from tests.archive_support import CHANGED_PAGE, SOURCE_PAGE, approve_with_evidence, finished
from tests.conftest import login

pytestmark = [
    pytest.mark.browser,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
]

archive_dir = archive_support.archive_dir
site = archive_support.site


def test_the_review_page_shows_the_archived_passage_and_what_changed_on_recheck(
    page, worker, site, archive_dir, editor, reviewer, chief, claim
):
    verdict = approve_with_evidence(editor, reviewer, chief, claim, site.add("/beleg", SOURCE_PAGE))
    evidence = verdict.evidence.get()
    first = finished(evidence.checks.get())
    site.add("/beleg", CHANGED_PAGE)
    assert services.evidence_recheck() == 1
    finished(SourceCheck.objects.filter(evidence=evidence).latest("pk"))

    login(page, "reviewer")
    page.goto(reverse("annotations:annotation-review", args=[claim.pk]))

    archived = page.locator(f"#archived-{evidence.pk}")
    assert archived.locator(".captured-at").is_visible()
    assert "captured" in archived.locator(".captured-at").inner_text()
    diff = archived.locator(".archive-diff")
    assert diff.is_visible()
    assert diff.locator("del").inner_text() == "4,2"
    assert diff.locator("ins").inner_text() == "3,9"
    assert "What changed since the copy of" in diff.locator("summary").inner_text()

    page.goto(reverse("annotations:evidence-archive-capture", args=[evidence.pk, first.capture_id]))
    mark = page.locator("mark#passage")
    assert mark.inner_text() == archive_support.CLAIM
    # Our stylesheet loads under the archive's CSP (style-src 'self', sandbox) ...
    banner = page.locator("#archive-banner")
    assert banner.evaluate("el => getComputedStyle(el).backgroundColor") == "rgb(255, 244, 214)"
    page.click("#view-page")
    page.wait_for_url(lambda url: "view=page" in url)
    assert "Die Opposition nannte die Summe zu klein" in page.locator("#archived-page").inner_text()
    assert page.js_errors == []
