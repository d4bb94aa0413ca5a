"""A due date is a day at the desk (Europe/Berlin), whatever the browser's time zone: an
editor in Los Angeles or Tokyo picks a day in the assign form, and the same day is stored,
shown after saving and shown again after a reload. The panel shows one due date per
assignment, and "done" once the reviewer's part is over."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from annotations import services
from annotations.models import Assignment
from tests.conftest import login, wait_for
from tests.factories import make_annotation, make_article

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DAY = "2031-05-17"
BERLIN = ZoneInfo("Europe/Berlin")
RATIONALE = "Der Haushaltsplan nennt exakt diese Summe auf Seite 12."


@pytest.fixture
def zoned_page(browser, live_server):
    """A page factory: Chromium in a given time zone and locale, closed after the test."""
    contexts = []

    def open_page(zone: str, locale: str = "en-GB"):
        context = browser.new_context(base_url=live_server.url, locale=locale, timezone_id=zone)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.js_errors = []
        page.on("pageerror", lambda exc: page.js_errors.append(str(exc)))
        return page

    yield open_page
    for context in contexts:
        context.close()


def open_claim(page, article, claim) -> None:
    page.goto(f"/articles/{article.pk}/")
    page.click(f"#annotation-list button[data-id='{claim.pk}']")
    page.wait_for_selector("#detail-panel:not([hidden])")


def assign_with_due_day(page, day: str) -> None:
    page.wait_for_selector("#assign-reviewer option[value=reviewer]", state="attached")
    page.select_option("#assign-reviewer", "reviewer")
    page.fill("#assign-due", day)
    page.click("#assign-form button[type=submit]")
    page.wait_for_selector("#assign-status.ok")


def shown_due_day(page) -> str | None:
    due = page.locator("#detail-assignees li.assignee time")
    return due.get_attribute("datetime") if due.count() else None


@pytest.mark.parametrize("zone", ["America/Los_Angeles", "Asia/Tokyo"])
def test_a_due_day_picked_in_any_browser_zone_is_that_day_in_berlin(
    zoned_page, editor, reviewer, zone
):
    article = make_article(editor)
    claim = make_annotation(editor, article, "Die Bundesregierung")
    page = zoned_page(zone)
    # The browser really is elsewhere: its own clock says so.
    assert page.evaluate("() => Intl.DateTimeFormat().resolvedOptions().timeZone") == zone
    login(page, "editor")
    open_claim(page, article, claim)

    assign_with_due_day(page, DAY)

    # Shown at once after saving: the day picked, in the page's language (English).
    assert shown_due_day(page) == DAY
    assert "May 17, 2031" in page.locator("#detail-assignees").inner_text()
    assignment = wait_for(
        lambda: Assignment.objects.filter(annotation=claim).first(), message="the assignment"
    )
    stored = assignment.due_at.astimezone(BERLIN)
    assert stored.date().isoformat() == DAY
    assert stored.replace(tzinfo=None) == datetime(2031, 5, 17, 23, 59, 59)

    page.reload()
    open_claim(page, article, claim)
    assert shown_due_day(page) == DAY
    line = page.locator("#detail-assignees li.assignee").inner_text()
    assert line.startswith("reviewer · May 17, 2031 (due in ")
    assert page.js_errors == []


def test_a_german_editor_in_tokyo_reads_the_day_in_german_format(zoned_page, editor, reviewer):
    article = make_article(editor)
    claim = make_annotation(editor, article, "Die Bundesregierung")
    page = zoned_page("Asia/Tokyo", locale="de-DE")
    login(page, "editor")
    open_claim(page, article, claim)
    assert page.locator("html").get_attribute("lang") == "de"
    assert page.locator("html").get_attribute("data-time-zone") == "Europe/Berlin"

    assign_with_due_day(page, DAY)

    assert shown_due_day(page) == DAY
    assert "17.05.2031" in page.locator("#detail-assignees").inner_text()
    assert "2031-05-17" not in page.locator("#detail-assignees").inner_text()
    due_at = Assignment.objects.get(annotation=claim).due_at.astimezone(BERLIN)
    assert due_at.date().isoformat() == DAY


def test_the_panel_says_done_instead_of_due_once_a_verdict_is_proposed(
    zoned_page, editor, reviewer
):
    article = make_article(editor)
    claim = make_annotation(editor, article, "Die Bundesregierung")
    page = zoned_page("America/Los_Angeles")
    login(page, "editor")
    open_claim(page, article, claim)
    assign_with_due_day(page, DAY)
    assert "due in " in page.locator("#detail-assignees").inner_text()

    services.verdict_propose(
        actor=reviewer,
        annotation_id=claim.pk,
        rating="false",
        rationale=RATIONALE,
        evidence=[services.EvidenceInput(url="https://example.org/haushalt")],
    )
    page.reload()
    open_claim(page, article, claim)

    line = page.locator("#detail-assignees li.assignee").inner_text()
    assert line == "reviewer · done"
    assert shown_due_day(page) is None


def test_the_assign_form_starts_at_the_annotations_own_due_day(zoned_page, editor, reviewer):
    """An annotation's due date set through the API (the end of 17 May in Berlin, which is
    already 18 May in Tokyo) is offered as the Berlin day."""
    article = make_article(editor)
    claim = make_annotation(editor, article, "Die Bundesregierung")
    services.annotation_update(
        actor=editor,
        annotation_id=claim.pk,
        changes={"due_at": datetime(2031, 5, 17, 23, 59, 59, tzinfo=BERLIN)},
        expected_version=None,
    )
    page = zoned_page("Asia/Tokyo")
    login(page, "editor")
    open_claim(page, article, claim)
    assert page.input_value("#assign-due") == DAY
