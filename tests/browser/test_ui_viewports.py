"""Every page fits the screen from a phone up (issue 13): no page scrolls sideways at
390×844, 768×1024 or 1280×720, in any role; on a phone the header folds into a menu and
the selection toolbar wraps so every label can be reached."""

from __future__ import annotations

import pytest

from annotations import services
from tests.conftest import login
from tests.factories import make_annotation

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
TABLET = {"width": 768, "height": 1024}
DESKTOP = {"width": 1280, "height": 720}

OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"


@pytest.fixture
def desk(editor, reviewer, chief, article, claim):
    """An article with an assigned claim (the queue, the review page) and a proposed
    verdict on a second claim (the approvals)."""
    services.annotation_assign(actor=editor, annotation_id=claim.pk, reviewer=reviewer)
    second = make_annotation(editor, article, "das Geld könnte zu spät kommen")
    services.annotation_assign(actor=editor, annotation_id=second.pk, reviewer=reviewer)
    services.verdict_propose(
        actor=reviewer,
        annotation_id=second.pk,
        rating="false",
        rationale="Der Haushalt 2024 nennt 3,1 Milliarden Euro, nicht 4,2 Milliarden.",
        # Loopback only (the house network rule); no worker runs, so it is never fetched.
        evidence=[services.EvidenceInput(url="http://127.0.0.1:9/haushalt", title="Haushalt")],
    )
    return {"article": article, "claim": claim}


def pages_of(role: str, desk) -> list[str]:
    article, claim = desk["article"], desk["claim"]
    common = ["/", f"/articles/{article.pk}/", f"/articles/{article.pk}/report/"]
    return {
        "editor": [*common, "/articles/import/"],
        "reviewer": [*common, "/queue/", f"/annotations/{claim.pk}/"],
        "chief": [*common, "/approvals/", f"/annotations/{claim.pk}/"],
    }[role]


@pytest.mark.parametrize("viewport", [PHONE, TABLET, DESKTOP], ids=["phone", "tablet", "desktop"])
def test_no_page_scrolls_sideways_for_any_role(sized, desk, viewport):
    page = sized(viewport)
    page.goto("/login/")
    assert page.evaluate(OVERFLOW) <= 0, "/login/ is wider than the screen"
    overflowing = {}
    for role in ("editor", "reviewer", "chief"):
        page.context.clear_cookies()
        login(page, role)
        for path in pages_of(role, desk):
            response = page.goto(path)
            assert response.status == 200, (role, path)
            excess = page.evaluate(OVERFLOW)
            if excess > 0:
                overflowing[f"{role} {path}"] = excess
    assert overflowing == {}
    assert page.js_errors == []


def test_on_a_phone_the_header_menu_opens_with_logout_and_language_and_closes_with_escape(
    sized, editor
):
    page = sized(PHONE)
    login(page, "editor")
    toggle = page.locator("#menu-toggle")
    assert toggle.is_visible()
    assert toggle.get_attribute("aria-expanded") == "false"
    assert not page.get_by_role("button", name="Log out").is_visible()
    assert not page.locator("#lang-select").is_visible()

    toggle.focus()
    page.keyboard.press("Enter")
    assert toggle.get_attribute("aria-expanded") == "true"
    for target in (page.get_by_role("button", name="Log out"), page.locator("#lang-select")):
        assert target.is_visible()
        box = target.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]

    page.keyboard.press("Escape")
    assert toggle.get_attribute("aria-expanded") == "false"
    assert not page.get_by_role("button", name="Log out").is_visible()
    assert page.evaluate("document.activeElement.id") == "menu-toggle"


def test_on_the_desktop_the_header_shows_everything_without_a_menu_button(sized, editor):
    page = sized(DESKTOP)
    login(page, "editor")
    assert not page.locator("#menu-toggle").is_visible()
    assert page.get_by_role("button", name="Log out").is_visible()
    assert page.locator("#lang-select").is_visible()


def test_on_a_phone_every_selection_toolbar_button_is_on_screen(sized, editor, article):
    page = sized(PHONE)
    login(page, "editor")
    page.goto(f"/articles/{article.pk}/")
    page.evaluate(
        """() => {
          const text = document.getElementById('article-text');
          const walker = document.createTreeWalker(text, NodeFilter.SHOW_TEXT);
          let node = null;
          while (walker.nextNode()) {
            if (walker.currentNode.textContent.length > 20) node = walker.currentNode;
          }
          const range = document.createRange();
          range.setStart(node, node.textContent.length - 12);
          range.setEnd(node, node.textContent.length - 2);
          const selection = window.getSelection();
          selection.removeAllRanges();
          selection.addRange(range);
        }"""
    )
    toolbar = page.locator("#selection-toolbar")
    toolbar.wait_for(state="visible")
    buttons = toolbar.locator("button")
    assert buttons.count() == 4
    for index in range(buttons.count()):
        box = buttons.nth(index).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], index
    assert toolbar.get_by_role("button", name="Tag as Source (key 4)").is_visible()
    assert page.evaluate(OVERFLOW) <= 0


def test_on_a_phone_a_tapped_highlight_opens_its_panel_in_view(sized, editor, claim):
    page = sized(PHONE)
    login(page, "editor")
    page.goto(f"/articles/{claim.article_id}/")
    page.locator(f"mark[data-ids~='{claim.pk}']").first.click()
    panel = page.locator("#detail-panel")
    panel.wait_for(state="visible")
    box = panel.bounding_box()
    assert box["y"] >= 0 and box["y"] < PHONE["height"]
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert panel.locator("#detail-label").inner_text() == "Claim"
    # The highlight itself stays in view above the sheet.
    mark = page.locator(f"mark[data-ids~='{claim.pk}']").first.bounding_box()
    assert mark["y"] >= 0 and mark["y"] + mark["height"] <= box["y"]
    assert page.evaluate(OVERFLOW) <= 0
