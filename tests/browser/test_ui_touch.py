"""The annotate page on a phone with a touch screen (issue 13), in real Chromium emulating one
(390×844, touch, mobile): a long press selects a word and dragging extends the selection word
by word; a tap on a label in the selection toolbar tags it; a tap on a highlight opens its
details in the bottom sheet, in view."""

from __future__ import annotations

import pytest

from annotations.models import Annotation
from tests.browser.test_ui_keyboard import demo_article, utf16
from tests.conftest import login, wait_for
from tests.factories import make_annotation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}

# The viewport box of the UTF-16 character at `index` of the article text.
CHAR_BOX = """(index) => {
  const root = document.getElementById("article-text");
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  let seen = 0, node;
  while ((node = walker.nextNode())) {
    if (index < seen + node.data.length) {
      const range = document.createRange();
      range.setStart(node, index - seen);
      range.setEnd(node, index - seen + 1);
      const rect = range.getClientRects()[0];
      return {x: (rect.left + rect.right) / 2, y: (rect.top + rect.bottom) / 2, bottom: rect.bottom};
    }
    seen += node.data.length;
  }
  throw new Error("index past the text: " + index);
}"""


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url,
        locale="de-DE",
        viewport=PHONE,
        has_touch=True,
        is_mobile=True,
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.js_errors = []
    page.on("pageerror", lambda exc: page.js_errors.append(str(exc)))
    yield page
    context.close()


def long_press_and_drag(page, start: dict, end: dict) -> None:
    """A finger down on `start`, held until the page has selected (a long press), moved to
    `end` in steps, lifted: the touch events a phone sends, through the DevTools protocol."""
    cdp = page.context.new_cdp_session(page)
    try:
        cdp.send(
            "Input.dispatchTouchEvent",
            {"type": "touchStart", "touchPoints": [{"x": start["x"], "y": start["y"]}]},
        )
        wait_for(
            lambda: page.evaluate("window.getSelection().toString()"),
            timeout=5,
            message="a selection from the long press",
        )
        steps = 6
        for step in range(1, steps + 1):
            point = {
                "x": start["x"] + (end["x"] - start["x"]) * step / steps,
                "y": start["y"] + (end["y"] - start["y"]) * step / steps,
            }
            cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [point]})
        cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    finally:
        cdp.detach()


def test_on_a_phone_a_long_press_and_drag_selects_and_a_tapped_label_tags_it(phone, editor):
    article = demo_article(editor)
    text = article.text
    quote = "157 Milliarden Dollar"
    page = phone
    login(page, "editor")
    page.goto(f"/articles/{article.pk}/")
    page.wait_for_function("() => document.querySelector('#article-text') !== null")
    first = utf16(text, text.index(quote))
    last = first + len(quote) - 3  # inside "Dollar": the drag snaps to the word's end
    # The quote in the upper third of the screen, clear of the toolbar's and the sheet's room.
    page.evaluate("(y) => window.scrollBy(0, y)", page.evaluate(CHAR_BOX, first)["y"] - 280)
    start = page.evaluate(CHAR_BOX, first + 1)
    end = page.evaluate(CHAR_BOX, last)

    long_press_and_drag(page, start, end)
    assert page.evaluate("window.getSelection().toString()") == quote

    toolbar = page.locator("#selection-toolbar")
    toolbar.wait_for(state="visible")
    box = toolbar.bounding_box()
    # Below the selection, where the phone's own selection menu does not cover it.
    assert box["y"] >= page.evaluate(CHAR_BOX, last)["bottom"]
    button = toolbar.get_by_role("button", name="Als Behauptung kennzeichnen (Taste 1)")
    button_box = button.bounding_box()
    assert button_box["x"] >= 0 and button_box["x"] + button_box["width"] <= PHONE["width"]
    button.tap()

    created = wait_for(
        lambda: Annotation.objects.filter(article=article, exact=quote).first(),
        message="the tapped tag",
    )
    assert (created.label.slug, created.start, created.end) == (
        "claim",
        text.index(quote),
        text.index(quote) + len(quote),
    )
    page.locator(f"#article-text mark[data-ids='{created.pk}']:not(.pending)").wait_for()
    assert page.js_errors == []


def test_on_a_phone_a_tapped_highlight_opens_its_details_in_view(phone, editor):
    article = demo_article(editor)
    source = make_annotation(editor, article, "Source / Quelle: Via", label="source")
    page = phone
    login(page, "editor")
    page.goto(f"/articles/{article.pk}/")
    mark = page.locator(f"#article-text mark[data-ids='{source.pk}']")
    mark.scroll_into_view_if_needed()
    mark.tap()

    sheet = page.locator("#detail-panel")
    sheet.wait_for(state="visible")
    assert page.locator("#detail-quote").inner_text() == "Source / Quelle: Via"
    assert page.locator("#detail-label").inner_text() == "Quelle"
    box = sheet.bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"] + 1
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"] + 1
    # The tapped highlight stays in view above the sheet.
    mark_box = mark.bounding_box()
    assert mark_box["y"] >= 0 and mark_box["y"] + mark_box["height"] <= box["y"]
    assert page.js_errors == []
