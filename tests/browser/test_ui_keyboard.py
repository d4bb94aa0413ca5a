"""The desk without a mouse (issue 13), in real Chromium with a German browser: an editor tags
one span of each label in the German demo article with the keyboard alone; a highlight is
announced with its label and state, `g` jumps from it to its details and back, and a save
is announced; the keyboard help is a dialog that keeps the focus and gives it back; a
reviewer clears a queue item by keyboard."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from annotations import services
from annotations.management.commands.load_demo import DEMO_DIR
from annotations.models import Annotation, Article, Verdict
from tests.conftest import wait_for
from tests.factories import make_annotation
from tests.source_site import running_site

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-for-tests-1"  # the factories' password

# Every pointer event the page sees, from the first script on: the tests must leave it empty.
# (A click with detail 0 is the one a key press on a button makes, not a pointer's.)
POINTER_LOG = """
window.pointerEvents = [];
for (const type of ["pointerdown", "mousedown", "mouseup", "touchstart", "wheel", "click"]) {
  window.addEventListener(type, (event) => {
    if (type !== "click" || event.detail > 0) window.pointerEvents.push(type);
  }, true);
}
"""

# The caret (the selection's moving end) as a UTF-16 offset of the article text, or null.
CARET = """() => {
  const text = document.getElementById("article-text");
  const selection = window.getSelection();
  if (!selection.rangeCount || !text.contains(selection.focusNode)) return null;
  const range = document.createRange();
  range.setStart(text, 0);
  range.setEnd(selection.focusNode, selection.focusOffset);
  return range.toString().length;
}"""

SELECTED = "() => window.getSelection().toString()"

# The longest word of the demo text is shorter than this: a word jump from further away
# cannot pass the target by more than a word.
WORD_JUMP_FROM = 25


def demo_article(editor) -> Article:
    """The German demo article of `load_demo` (with its 🚀, so UTF-16 and code points differ)."""
    raw = (DEMO_DIR / "de.txt").read_text(encoding="utf-8")
    title, _, body = raw.partition("\n")
    return services.article_create(
        actor=editor, title=title.strip(), body=body.strip("\n") + "\n", language="de"
    )


def utf16(text: str, index: int) -> int:
    return len(text[:index].encode("utf-16-le")) // 2


@pytest.fixture
def german(browser, live_server):
    """A German browser that records every pointer event."""
    context = browser.new_context(base_url=live_server.url, locale="de-DE")
    context.add_init_script(POINTER_LOG)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.js_errors = []
    page.on("pageerror", lambda exc: page.js_errors.append(str(exc)))
    yield page
    context.close()


def log_in_by_keyboard(page, username: str) -> None:
    page.goto("/login/")
    assert page.evaluate("document.activeElement.id") == "id_username"  # autofocus
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/login/" not in url)


def tab_to(page, predicate: str, *, limit: int = 60) -> None:
    """Press Tab until `predicate` (JS, of document.activeElement as `el`) holds."""
    check = f"() => {{ const el = document.activeElement; return !!({predicate}); }}"
    for _ in range(limit):
        if page.evaluate(check):
            return
        page.keyboard.press("Tab")
    pytest.fail(f"Tab never reached {predicate}")


def caret_to(page, target: int) -> None:
    """Move the caret to UTF-16 offset `target` with the arrow keys: by word while far away,
    then by character."""
    for _ in range(600):
        at = page.evaluate(CARET)
        assert at is not None, "the caret left the text"
        if at == target:
            return
        distance = abs(target - at)
        forward = at < target
        key = "ArrowRight" if forward else "ArrowLeft"
        page.keyboard.press(f"Control+{key}" if distance > WORD_JUMP_FROM else key)
    pytest.fail(f"the caret did not reach {target}")


def extend_to(page, target: int) -> None:
    """Extend the selection forwards to UTF-16 offset `target`: Ctrl+Shift+Right word by
    word while far away, then Shift+Right character by character."""
    for _ in range(600):
        at = page.evaluate(CARET)
        if at == target:
            return
        assert at < target, f"the selection ran past {target} to {at}"
        far = target - at > WORD_JUMP_FROM
        page.keyboard.press("Control+Shift+ArrowRight" if far else "Shift+ArrowRight")
    pytest.fail(f"the selection did not reach {target}")


def tagged(article: Article, label: str, exact: str) -> Annotation:
    return wait_for(
        lambda: Annotation.objects.filter(article=article, label__slug=label, exact=exact).first(),
        message=f"a {label} on {exact!r}",
    )


def test_an_editor_tags_a_span_of_each_label_with_the_keyboard_alone(german, editor):
    article = demo_article(editor)
    text = article.text
    claim = (
        "hat nach eigenen Angaben 97,4 Milliarden US-Dollar für die Kontrolle über den "
        "ChatGPT-Entwickler OpenAI geboten"
    )
    speculation = "Der Verwaltungsrat könnte das Angebot dennoch prüfen müssen"
    opinion = "Für die Branche ist der Streit jedenfalls spannend."
    source = "Source / Quelle: Via"
    page = german
    log_in_by_keyboard(page, "editor")
    page.goto(f"/articles/{article.pk}/")
    page.wait_for_function("() => document.querySelector('#article-text') !== null")

    # Tab reaches the text; the caret starts at its beginning and is drawn.
    tab_to(page, "el.id === 'article-text'")
    assert page.evaluate(CARET) == 0
    caret = page.locator("#text-caret")
    assert caret.is_visible()
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid"

    # A claim: word by word, then character by character; the key 1.
    start = utf16(text, text.index(claim))
    caret_to(page, start)
    extend_to(page, start + len(claim))
    assert page.evaluate(SELECTED) == claim
    assert page.locator("#selection-toolbar").is_visible()
    page.keyboard.press("1")
    tagged(article, "claim", claim)
    # The caret waits after the new span, the focus still in the text.
    assert page.evaluate(CARET) == start + len(claim)
    assert page.evaluate("document.getElementById('article-text').contains(document.activeElement)")

    # A speculation, with Tab to the toolbar's button and Enter; the focus comes back to
    # the text, the caret after the span.
    start = utf16(text, text.index(speculation))
    caret_to(page, start)
    extend_to(page, start + len(speculation))
    tab_to(page, "el.dataset.label === 'speculation'", limit=6)
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == (
        "Als Spekulation kennzeichnen (Taste 3)"
    )
    page.keyboard.press("Enter")
    tagged(article, "speculation", speculation)
    assert page.evaluate("document.activeElement.id") == "article-text"
    assert page.evaluate(CARET) == start + len(speculation)

    # An opinion: a whole sentence with `)`. It lies after the 🚀 (two UTF-16 units).
    start = utf16(text, text.index(opinion))
    assert start == text.index(opinion) + 1
    caret_to(page, start)
    page.keyboard.press(")")
    assert page.evaluate(SELECTED).strip() == opinion
    page.keyboard.press("o")
    tagged(article, "opinion", opinion)

    # The source line at the very end: Ctrl+End, then Shift+Home.
    page.keyboard.press("Control+End")
    assert page.evaluate(CARET) == utf16(text, len(text.rstrip("\n")))
    page.keyboard.press("Shift+Home")
    assert page.evaluate(SELECTED) == source
    page.keyboard.press("4")
    tagged(article, "source", source)

    made = {
        (a.label.slug, a.exact, a.start, a.end)
        for a in Annotation.objects.filter(article=article).select_related("label")
    }
    assert made == {
        (slug, quote, text.index(quote), text.index(quote) + len(quote))
        for slug, quote in (
            ("claim", claim),
            ("speculation", speculation),
            ("opinion", opinion),
            ("source", source),
        )
    }
    # The page says each in German as it is made.
    page.wait_for_function(
        "() => document.getElementById('live-status').textContent === 'Quelle angelegt.'"
    )
    assert page.locator("#article-text mark.hl").count() >= 4
    assert page.evaluate("window.pointerEvents") == []
    assert page.js_errors == []


def focused_ax_node(page) -> dict:
    """Chromium's accessibility node of the focused element: what a screen reader is told."""
    cdp = page.context.new_cdp_session(page)
    try:
        root = cdp.send("DOM.getDocument")["root"]["nodeId"]
        node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": ":focus"})["nodeId"]
        return cdp.send(
            "Accessibility.getPartialAXTree", {"nodeId": node, "fetchRelatives": False}
        )["nodes"][0]
    finally:
        cdp.detach()


ACTIVE_IDS = "() => document.activeElement.dataset.ids || null"


def test_a_highlight_is_announced_with_label_and_state_and_g_jumps_to_its_details_and_back(
    german, editor, reviewer
):
    article = demo_article(editor)
    quote = "Die Bewertung von OpenAI war zuletzt bei einer Finanzierungsrunde"
    claim = make_annotation(editor, article, quote)
    services.annotation_assign(actor=editor, annotation_id=claim.pk, reviewer=reviewer)
    page = german
    log_in_by_keyboard(page, "editor")
    page.goto(f"/articles/{article.pk}/")
    page.wait_for_function("() => document.querySelector('#article-text') !== null")

    # `t` puts the caret into the text; moving it onto the highlight focuses the highlight.
    page.keyboard.press("t")
    assert page.evaluate("document.activeElement.id") == "article-text"
    caret_to(page, utf16(article.text, claim.start))
    assert page.evaluate(ACTIVE_IDS) == str(claim.pk)
    node = focused_ax_node(page)
    assert node["role"]["value"] == "mark"
    assert node["description"]["value"] == "Behauptung (Zugewiesen)"
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid"

    # `g`: to the annotation's details, which show it; `g` again: back to the highlight.
    page.keyboard.press("g")
    assert page.evaluate("document.activeElement.id") == "detail-panel"
    assert page.locator("#detail-quote").inner_text() == quote
    assert focused_ax_node(page)["name"]["value"].startswith("Behauptung")
    page.keyboard.press("g")
    assert page.evaluate(ACTIVE_IDS) == str(claim.pk)
    assert page.evaluate(CARET) == utf16(article.text, claim.start)

    # Enter opens it too; `e` edits its note; the save is announced in the live region.
    page.keyboard.press("Escape")
    assert page.locator("#detail-panel").is_hidden()
    page.keyboard.press("Enter")
    assert page.locator("#detail-panel").is_visible()
    page.keyboard.press("e")
    assert page.evaluate("document.activeElement.id") == "edit-note"
    page.keyboard.type("Mit der Finanzierungsrunde vom Oktober abgleichen.")
    tab_to(page, "el.id === 'save-annotation'")
    page.keyboard.press("Enter")
    live = page.locator("#live-status")
    page.wait_for_function(
        "() => document.getElementById('live-status').textContent === 'Gespeichert.'"
    )
    assert live.get_attribute("role") == "status"
    assert Annotation.objects.get(pk=claim.pk).note == (
        "Mit der Finanzierungsrunde vom Oktober abgleichen."
    )

    # Esc from the details (here their Save button) closes them and hands the focus back to
    # the highlight.
    assert page.evaluate("document.activeElement.id") == "save-annotation"
    page.keyboard.press("Escape")
    assert page.locator("#detail-panel").is_hidden()
    assert page.evaluate(ACTIVE_IDS) == str(claim.pk)
    assert page.evaluate("window.pointerEvents") == []
    assert page.js_errors == []


def test_the_keyboard_help_is_a_dialog_that_keeps_the_focus_and_gives_it_back(german, editor):
    article = demo_article(editor)
    page = german
    log_in_by_keyboard(page, "editor")
    page.goto(f"/articles/{article.pk}/")
    page.wait_for_function("() => document.querySelector('#article-text') !== null")
    page.keyboard.press("t")

    page.keyboard.press("?")
    dialog = page.locator("#keys-help")
    assert dialog.is_visible()
    assert dialog.get_by_text("in den Artikeltext, mit einer Einfügemarke").is_visible()
    for _ in range(4):
        page.keyboard.press("Tab")
        assert page.evaluate(
            "document.getElementById('keys-help').contains(document.activeElement)"
        )
    page.keyboard.press("Escape")
    assert dialog.is_hidden()
    assert page.evaluate("document.activeElement.id") == "article-text"

    # The same from the button in the list's hint, closed with its own button.
    tab_to(page, "el.id === 'keys-help-button'")
    page.keyboard.press("Enter")
    assert dialog.is_visible()
    tab_to(page, "el.closest('#keys-help') && el.type === 'submit'")
    page.keyboard.press("Enter")
    assert dialog.is_hidden()
    assert page.evaluate("document.activeElement.id") == "keys-help-button"
    assert page.evaluate("window.pointerEvents") == []


def test_a_reviewer_clears_a_queue_item_by_keyboard(german, editor, reviewer):
    article = demo_article(editor)
    quote = (
        "Die Bewertung von OpenAI war zuletzt bei einer Finanzierungsrunde auf 157 Milliarden "
        "Dollar gestiegen"
    )
    claim = make_annotation(editor, article, quote)
    services.annotation_assign(actor=editor, annotation_id=claim.pk, reviewer=reviewer)
    page = german
    log_in_by_keyboard(page, "reviewer")
    page.goto("/queue/")

    # Its help is a modal dialog: Tab stays in it, Esc closes it and the focus comes back.
    tab_to(page, "el.id === 'shortcuts-button'")
    page.keyboard.press("?")
    help = page.locator("#shortcuts")
    assert help.is_visible()
    assert page.evaluate("document.activeElement.id") == "shortcuts-close"
    for _ in range(3):
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.id") == "shortcuts-close"
    page.keyboard.press("Escape")
    assert help.is_hidden()
    assert page.evaluate("document.activeElement.id") == "shortcuts-button"
    # The dialog's close event comes as a task after the key: waited for, with a deadline.
    expect(page.locator("#shortcuts-button")).to_have_attribute("aria-expanded", "false")

    # The queue: j selects the first item (its link takes the focus), Enter opens it.
    page.keyboard.press("j")
    assert page.evaluate("document.activeElement.closest('tr').dataset.id") == str(claim.pk)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/annotations/{claim.pk}/")

    # Evidence: into the form's address field, type, Enter sends it.
    tab_to(page, "el.id === 'id_url'", limit=80)
    page.keyboard.type("https://example.org/openai-funding-round")
    page.keyboard.press("Tab")
    page.keyboard.type("Finanzierungsrunde")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/annotations/{claim.pk}/#evidence")
    assert page.locator(".evidence-item").count() == 1

    # The verdict: a rating's key, Tab to the rationale, Tab on to the button, Enter.
    page.keyboard.press("2")
    assert page.evaluate("document.activeElement.id") == "rating-mostly-true"
    assert page.locator("#rating-mostly-true").is_checked()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_rationale"
    page.keyboard.type("Die Runde im Oktober bewertete OpenAI mit 157 Mrd. USD; die Zahl stimmt.")
    tab_to(page, "el.id === 'propose-button'")
    page.keyboard.press("Enter")
    page.wait_for_url("**/queue/")
    page.get_by_text("Urteil vorgeschlagen. Ihre Warteschlange ist leer.").wait_for()

    verdict = Verdict.objects.get(annotation=claim)
    assert (verdict.rating.slug, verdict.status, verdict.author) == (
        "mostly-true",
        "proposed",
        reviewer,
    )
    assert [e.url for e in verdict.annotation.evidence.all()] == [
        "https://example.org/openai-funding-round"
    ]
    assert page.evaluate("window.pointerEvents") == []
    assert page.js_errors == []


def test_a_source_check_that_finishes_is_announced_on_the_review_page(
    german, worker, settings, editor, reviewer
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    article = demo_article(editor)
    claim = make_annotation(editor, article, "Die Bewertung von OpenAI war zuletzt")
    services.annotation_assign(actor=editor, annotation_id=claim.pk, reviewer=reviewer)
    with running_site() as site:
        settings.FETCH_ALLOW_HOSTS = [site.host_port]
        url = site.add(
            "/runde",
            "<html><head><title>Finanzierungsrunde</title></head><body><article><p>"
            "Die Bewertung von OpenAI war zuletzt bei 157 Milliarden Dollar.</p></article>"
            "</body></html>",
            stall=True,  # answered once the page shows the check unfinished
        )
        page = german
        log_in_by_keyboard(page, "reviewer")
        page.goto(f"/annotations/{claim.pk}/")
        tab_to(page, "el.id === 'id_url'", limit=80)
        page.keyboard.type(url)
        page.keyboard.press("Tab")
        page.keyboard.type("Finanzierungsrunde")
        page.keyboard.press("Enter")
        page.wait_for_url(f"**/annotations/{claim.pk}/#evidence")

        item = page.locator(".evidence-item")
        assert item.get_attribute("data-check-status") in ("pending", "running")
        live = page.locator("#review-live")
        assert live.get_attribute("role") == "status"
        assert live.text_content() == ""
        site.release.set()
        page.wait_for_function(
            "() => document.getElementById('review-live').textContent"
            " === 'Quellenprüfung von Finanzierungsrunde: Erledigt.'",
            timeout=30_000,
        )
    assert page.locator(".evidence-item").get_attribute("data-check-status") == "done"
    assert page.js_errors == []
