"""Blind double review and the desk's dashboard in real Chromium: a chief asks two reviewers,
each proposes without seeing the other's verdict, the chief compares both side by side and
approves one; the dashboard then shows the agreement and reads on a phone."""

from __future__ import annotations

import pytest

from annotations.models import Annotation, Verdict
from tests.conftest import login
from tests.factories import make_annotation, make_article

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QUOTE = "4,2 Milliarden Euro für den Ausbau der Schiene freigegeben"
FIRST = "Der Haushaltsplan nennt 3,1 Milliarden Euro: die Zahl ist falsch."
SECOND = "Geheimer Vermerk: die Summe ist größtenteils falsch, eine Tranche fehlt."


@pytest.fixture
def person(browser, live_server):
    """Opens a browser with its own cookies for one more person at the desk."""
    contexts = []

    def open_page():
        context = browser.new_context(base_url=live_server.url, locale="en-GB")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.js_errors = []
        page.on("pageerror", lambda exc: page.js_errors.append(str(exc)))
        return page

    yield open_page
    for context in contexts:
        context.close()


def propose(page, annotation_id: int, rating: str, rationale: str) -> None:
    page.goto(f"/annotations/{annotation_id}/")
    page.check(f"#rating-{rating}", force=True)
    page.fill("#id_rationale", rationale)
    page.fill("#id_evidence_url", "https://example.org/haushalt")
    page.click("#propose-button")
    page.wait_for_url(lambda url: f"/annotations/{annotation_id}/" not in url)


def test_double_review_runs_blind_to_the_chiefs_choice(
    page, person, editor, chief, reviewer, other_reviewer
):
    article = make_article(editor)
    claim = make_annotation(editor, article, QUOTE)

    # The chief marks the claim for two reviewers on its review page.
    login(page, "chief")
    page.goto(f"/annotations/{claim.pk}/")
    page.select_option("#id_first_reviewer", "reviewer")
    page.select_option("#id_second_reviewer", "reviewer2")
    page.click(".double-review-form button[type=submit]")
    page.wait_for_selector(".messages")
    assert "Marked for blind double review" in page.inner_text(".messages")

    # The first reviewer proposes; their verdict is sealed.
    first = person()
    login(first, "reviewer")
    propose(first, claim.pk, "false", FIRST)
    first.goto(f"/annotations/{claim.pk}/")
    assert first.is_visible("#sealed-note")
    assert FIRST in first.inner_text("#verdicts")
    page.goto("/approvals/")
    assert FIRST not in page.content()
    assert page.locator(".pair-verdict").count() == 0

    # The second reviewer sees nothing of it, and proposes.
    second = person()
    login(second, "reviewer2")
    second.goto(f"/annotations/{claim.pk}/")
    assert FIRST not in second.content()
    assert not second.is_visible("#verdicts")
    propose(second, claim.pk, "mostly-false", SECOND)

    # Now the chief has both side by side.
    page.goto("/approvals/")
    pair = page.locator(".double-review .pair-verdict")
    assert pair.count() == 2
    assert FIRST in pair.nth(0).inner_text() and SECOND in pair.nth(1).inner_text()
    page.click(f"#pair-verdict-{Verdict.objects.get(rationale=SECOND).pk} .approve-button")
    page.wait_for_selector(".messages")
    assert "Verdict approved." in page.inner_text(".messages")

    claim.refresh_from_db()
    assert claim.status == Annotation.Status.APPROVED
    verdicts = dict(Verdict.objects.filter(annotation=claim).values_list("rationale", "status"))
    assert verdicts == {FIRST: "rejected", SECOND: "approved"}

    # The history keeps both, and the dashboard counts the pair.
    page.goto(f"/annotations/{claim.pk}/")
    history = page.inner_text("#history")
    assert "both blind verdicts are in" in history
    page.goto("/insights/")
    pairs = page.inner_text("#table-agreement-pairs")
    assert "reviewer + reviewer2" in pairs
    assert page.js_errors == [] and first.js_errors == [] and second.js_errors == []


def test_dashboard_reads_on_a_phone(sized, chief):
    phone = sized({"width": 360, "height": 740})
    login(phone, "chief")
    phone.goto("/insights/")
    assert phone.is_visible("#chart-ratings")
    # Nothing wider than the screen but the tables' own scrolling boxes.
    overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    width = phone.evaluate("document.querySelector('#chart-ratings').getBoundingClientRect().width")
    assert 200 <= width <= 360
    assert phone.js_errors == []
