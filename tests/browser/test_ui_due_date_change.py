"""An editor moves a pending assignment's due date in real Chromium: from the annotate page's
panel to the review page's Reviewers card, where the new day is saved, shown and recorded in
the history; a past day is refused on the form, in German for a German editor."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from annotations import services
from annotations.models import Assignment
from tests.conftest import login
from tests.factories import make_annotation, make_article

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BERLIN = ZoneInfo("Europe/Berlin")
FIRST_DUE = datetime(2031, 5, 17, 23, 59, 59, tzinfo=BERLIN)


@pytest.fixture
def assigned(editor, reviewer):
    article = make_article(editor)
    claim = make_annotation(editor, article, "Die Bundesregierung")
    services.annotation_assign(
        actor=editor, annotation_id=claim.pk, reviewer=reviewer, due_at=FIRST_DUE
    )
    return article, claim


@pytest.fixture
def german_page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="de-DE")
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.js_errors = errors
    yield page
    context.close()


def test_an_editor_moves_the_due_date_from_the_panel_s_link(page, editor, assigned):
    article, claim = assigned
    login(page, "editor")
    page.goto(f"/articles/{article.pk}/")
    page.click(f"#annotation-list button[data-id='{claim.pk}']")
    page.wait_for_selector("#detail-panel:not([hidden])")

    page.locator("#detail-assignees a.change-due").click()
    page.wait_for_url(f"**/annotations/{claim.pk}/#due-day-reviewer")
    field = page.get_by_label("Due date for reviewer")
    assert field.input_value() == "2031-05-17"
    field.fill("2031-06-02")
    page.locator(".due-form[data-reviewer='reviewer'] button[type=submit]").click()

    page.get_by_text("reviewer’s assignment is now due June 2, 2031.").wait_for()
    assert page.get_by_label("Due date for reviewer").input_value() == "2031-06-02"
    assert "moved the due date of reviewer’s assignment to June 2, 2031" in (
        page.locator("#history").inner_text()
    )
    due_at = Assignment.objects.get(annotation=claim).due_at
    assert due_at == datetime(2031, 6, 2, 23, 59, 59, tzinfo=BERLIN)
    assert page.js_errors == []


def test_a_past_day_is_refused_in_german_and_nothing_changes(german_page, editor, assigned):
    _article, claim = assigned
    page = german_page
    login(page, "editor")
    page.goto(f"/annotations/{claim.pk}/")

    page.get_by_label("Frist für reviewer").fill("2020-01-15")
    page.locator(".due-form[data-reviewer='reviewer'] button[type=submit]").click()

    error = page.locator("#due-day-reviewer-error")
    error.wait_for()
    assert error.get_attribute("role") == "alert"
    assert error.inner_text() == (
        "Die Frist 15. Januar 2020 liegt in der Vergangenheit; wählen Sie heute oder einen "
        "späteren Tag"
    )
    field = page.get_by_label("Frist für reviewer")
    assert field.get_attribute("aria-invalid") == "true"
    assert field.input_value() == "2020-01-15"
    assert Assignment.objects.get(annotation=claim).due_at == FIRST_DUE
    assert page.js_errors == []
