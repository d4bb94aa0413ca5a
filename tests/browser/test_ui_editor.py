"""The editor's annotate page in real Chromium: an editor logs in through the form, imports a
German article by pasting it, then tags spans with the mouse and the keyboard, assigns,
resolves an edit conflict, edits the text, and never runs markup from an article."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from annotations import cues, services
from annotations.models import Annotation, Article, Assignment, SourceCheck
from tests.conftest import login, wait_for
from tests.factories import GERMAN_TEXT, make_annotation, make_article
from tests.source_site import SourceSite, running_site

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HOSTILE_TITLE = "<script>alert(1)</script> Titel"
HOSTILE_TEXT = (
    "Vorsicht: <script>alert(1)</script> steht hier wörtlich.\n\n"
    "Und <img src=x onerror=alert(1)> auch. Ende.\n"
)


CLAIM = "4,2 Milliarden Euro für den Ausbau der Schiene freigegeben"
SOURCE_PAGE = (
    "<!doctype html><html><head><meta charset='utf-8'><title>Haushaltsplan 2024</title>"
    "</head><body><article><p>Die Bundesregierung hat am Mittwoch 4,2 Milliarden Euro für "
    "den Ausbau der Schiene freigegeben, meldet die Pressestelle.</p></article></body></html>"
)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """PBKDF2's million rounds cost seconds per login on a busy machine; these tests are
    about the page, not the hash. (The live-server thread shares these settings.)"""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# --- helpers ---------------------------------------------------------------------------------


def import_by_paste(page, title: str, body: str) -> Article:
    page.goto("/articles/import/")
    page.fill("#id_paste-title", title)
    page.fill("#id_paste-text", body)
    page.select_option("#id_paste-language", "de")
    page.click(".import-paste button[type=submit]")
    page.wait_for_url(re.compile(r"/articles/\d+/$"))
    article_id = int(re.search(r"/articles/(\d+)/$", page.url).group(1))
    page.wait_for_selector("#annotation-list")
    return Article.objects.get(pk=article_id)


def char_box(page, index16: int) -> dict:
    """The viewport box of the character at UTF-16 index `index16` of the article text."""
    return page.evaluate(
        """(index) => {
            const root = document.getElementById("article-text");
            const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
            let seen = 0, node;
            while ((node = walker.nextNode())) {
                if (index < seen + node.data.length) {
                    const at = index - seen;
                    const code = node.data.charCodeAt(at);
                    const range = document.createRange();
                    range.setStart(node, at);
                    range.setEnd(node, at + (code >= 0xd800 && code <= 0xdbff ? 2 : 1));
                    const rect = range.getClientRects()[0];
                    return {left: rect.left, right: rect.right, top: rect.top, bottom: rect.bottom};
                }
                seen += node.data.length;
            }
            throw new Error("index past the text: " + index);
        }""",
        index16,
    )


def utf16_index(text: str, index: int) -> int:
    """Python indices count code points; the page counts UTF-16 units."""
    return len(text[:index].encode("utf-16-le")) // 2


def drag_select(page, quote: str) -> None:
    """Select `quote` in the article text with a real mouse drag: press at the left edge of
    its first character, move, release at the right edge of its last."""
    text = page.locator("#article-text").text_content()
    start = text.index(quote)
    page.locator("#article-text").scroll_into_view_if_needed()
    first = char_box(page, utf16_index(text, start))
    final = char_box(page, utf16_index(text, start + len(quote) - 1))
    y1 = (first["top"] + first["bottom"]) / 2
    y2 = (final["top"] + final["bottom"]) / 2
    page.mouse.move(first["left"] + 1, y1)
    page.mouse.down()
    page.mouse.move((first["left"] + final["right"]) / 2, (y1 + y2) / 2, steps=4)
    page.mouse.move(final["right"] - 1, y2, steps=4)
    page.mouse.up()
    selected = page.evaluate("() => window.getSelection().toString()")
    assert selected == quote, f"the drag selected {selected!r}, not {quote!r}"


def annotation_with(article: Article, exact: str) -> Annotation:
    return wait_for(
        lambda: Annotation.objects.filter(article=article, exact=exact).first(),
        message=f"an annotation on {exact!r}",
    )


def console_errors(page) -> list[str]:
    """Console errors so far: a CSP violation (inline script or style) is reported here."""
    return [m.text for m in page.console_messages if m.type == "error"]


@pytest.fixture
def site(settings) -> Iterator[SourceSite]:
    """A source site the worker may fetch (it is in FETCH_ALLOW_HOSTS). A held answer must
    not time out while the test looks at the page, so the read timeout is generous."""
    with running_site() as source:
        settings.FETCH_ALLOW_HOSTS = [source.host_port]
        settings.FETCH_READ_TIMEOUT = 60.0
        settings.FETCH_TOTAL_TIMEOUT = 90.0
        yield source


@pytest.fixture
def editor_page(page, editor, reviewer):
    """Chromium logged in as the editor through the login form, on a pasted German article."""
    page.console_messages = []
    page.on("console", lambda message: page.console_messages.append(message))
    login(page, "editor")
    page.article = import_by_paste(page, "Schienenausbau", GERMAN_TEXT)
    return page


# --- tests -----------------------------------------------------------------------------------


def test_editor_imports_a_german_article_by_pasting_it(editor_page):
    article = editor_page.article
    assert article.language == "de"
    assert article.text == GERMAN_TEXT
    assert editor_page.locator("#article-text").text_content() == GERMAN_TEXT
    assert editor_page.locator(".messages").inner_text().startswith("Article imported")


def test_mouse_selection_tagged_with_1_becomes_a_claim(editor_page):
    quote = "4,2 Milliarden Euro für den Ausbau"
    drag_select(editor_page, quote)
    editor_page.wait_for_selector("#selection-toolbar:not([hidden])")
    editor_page.keyboard.press("1")
    annotation = annotation_with(editor_page.article, quote)
    assert annotation.label.slug == "claim"
    assert annotation.created_by.username == "editor"
    mark = editor_page.locator(f"#article-text mark[data-ids='{annotation.pk}']")
    assert mark.first.get_attribute("title") == "Claim (Open)"
    assert mark.first.get_attribute("class").startswith("hl hl-claim")
    assert editor_page.locator("#annotation-list li.selected q").inner_text() == quote
    assert editor_page.locator("#detail-label").inner_text() == "Claim"
    assert editor_page.js_errors == []
    assert console_errors(editor_page) == []


def test_selection_with_an_emoji_is_stored_with_the_exact_text(editor_page):
    quote = "Größenfans 😀 und 𝔘"
    drag_select(editor_page, quote)
    editor_page.keyboard.press("2")
    annotation = annotation_with(editor_page.article, quote)
    assert annotation.label.slug == "opinion"
    assert annotation.exact == quote
    assert editor_page.article.text[annotation.start : annotation.end] == quote


def test_selection_across_a_paragraph_break_keeps_the_break(editor_page):
    quote = "𝔘.\n\nSource / Quelle"
    drag_select(editor_page, quote)
    editor_page.keyboard.press("q")
    annotation = annotation_with(editor_page.article, quote)
    assert annotation.label.slug == "source"


def test_a_span_inside_a_word_is_allowed(editor_page):
    drag_select(editor_page, "regierung")
    editor_page.click("#selection-toolbar button[data-label=speculation]")
    annotation = annotation_with(editor_page.article, "regierung")
    assert annotation.label.slug == "speculation"


def test_overlapping_spans_are_drawn_nested(editor_page):
    outer = "4,2 Milliarden Euro für den Ausbau der Schiene"
    inner = "Ausbau der Schiene freigegeben"
    drag_select(editor_page, outer)
    editor_page.keyboard.press("1")
    first = annotation_with(editor_page.article, outer)
    editor_page.wait_for_selector(f"#annotation-list li[data-id='{first.pk}']")
    drag_select(editor_page, inner)
    editor_page.keyboard.press("s")
    second = annotation_with(editor_page.article, inner)
    both = editor_page.locator(f"#article-text mark[data-ids='{first.pk} {second.pk}']")
    assert both.inner_text() == "Ausbau der Schiene"
    assert both.get_attribute("title") == "Claim (Open) · Speculation (Open)"
    assert editor_page.locator("#annotation-list > li").count() == 2


def test_clicking_a_highlight_selects_its_entry_and_j_k_move_through_the_list(editor_page):
    article = editor_page.article
    editor = article.created_by
    first = make_annotation(editor, article, "Bundesregierung", label="source")
    second = make_annotation(editor, article, "Kritiker meinen", label="opinion")
    editor_page.reload()
    editor_page.click(f"#article-text mark[data-ids='{second.pk}']")
    assert editor_page.locator("#annotation-list li.selected").get_attribute("data-id") == str(
        second.pk
    )
    editor_page.keyboard.press("k")
    assert editor_page.locator("#annotation-list li.selected").get_attribute("data-id") == str(
        first.pk
    )
    assert editor_page.locator(f"#article-text mark.current[data-ids='{first.pk}']").count() == 1
    editor_page.keyboard.press("j")
    assert editor_page.locator("#annotation-list li.selected").get_attribute("data-id") == str(
        second.pk
    )
    editor_page.select_option("#filter-label", "source")
    assert editor_page.locator("#annotation-list > li").count() == 1


def test_editor_assigns_a_reviewer_from_the_list_with_workloads(editor_page):
    article = editor_page.article
    claim = make_annotation(article.created_by, article, "Die Bundesregierung", label="claim")
    editor_page.reload()
    editor_page.click(f"#annotation-list button[data-id='{claim.pk}']")
    option = editor_page.locator("#assign-reviewer option[value=reviewer]")
    assert option.inner_text() == "reviewer — 0 open"
    editor_page.select_option("#assign-reviewer", "reviewer")
    editor_page.click("#assign-form button[type=submit]")
    editor_page.wait_for_selector("#assign-status.ok")
    assert editor_page.locator("#assign-status").inner_text() == "Assigned to reviewer."
    assignment = Assignment.objects.get(annotation=claim)
    assert assignment.reviewer.username == "reviewer"
    assert assignment.state == Assignment.State.PENDING
    assert editor_page.locator("#detail-status").inner_text() == "Assigned"
    assert "→ reviewer" in editor_page.locator("#annotation-list li.selected").inner_text()


def test_label_and_priority_are_saved_from_the_panel(editor_page):
    """The panel's one due date is the assignment's (tests/browser/test_ui_due_dates.py)."""
    article = editor_page.article
    span = make_annotation(article.created_by, article, "Kritiker meinen", label="claim")
    editor_page.reload()
    editor_page.click(f"#annotation-list button[data-id='{span.pk}']")
    assert editor_page.locator("#edit-due").count() == 0
    editor_page.select_option("#edit-label", "opinion")
    editor_page.select_option("#edit-priority", "4")
    editor_page.click("#save-annotation")
    editor_page.wait_for_selector("#save-status.ok")
    saved = Annotation.objects.select_related("label").get(pk=span.pk)
    assert saved.label.slug == "opinion"
    assert saved.priority == Annotation.Priority.URGENT
    mark = editor_page.locator(f"#article-text mark[data-ids='{span.pk}']")
    assert mark.get_attribute("class").startswith("hl hl-opinion")
    assert mark.get_attribute("title") == "Opinion (Open)"
    editor_page.reload()
    editor_page.click(f"#annotation-list button[data-id='{span.pk}']")
    assert editor_page.input_value("#edit-priority") == "4"


def test_a_conflicting_edit_is_reported_and_what_was_typed_survives(editor_page, chief):
    article = editor_page.article
    claim = make_annotation(article.created_by, article, "Die Bundesregierung", label="claim")
    editor_page.reload()
    editor_page.click(f"#annotation-list button[data-id='{claim.pk}']")
    editor_page.fill("#edit-note", "Meine Notiz: Quelle prüfen")
    # Meanwhile someone else changes the same annotation.
    services.annotation_update(
        actor=chief, annotation_id=claim.pk, changes={"note": "Ihre Notiz"}, expected_version=1
    )
    editor_page.click("#save-annotation")
    editor_page.wait_for_selector("#conflict-box:not([hidden])")
    assert (
        "Someone else changed this annotation"
        in editor_page.locator("#conflict-message").inner_text()
    )
    assert editor_page.input_value("#edit-note") == "Meine Notiz: Quelle prüfen"
    assert Annotation.objects.get(pk=claim.pk).note == "Ihre Notiz"

    editor_page.click("#conflict-reload")
    editor_page.wait_for_selector("#conflict-message:has-text('Loaded their version 2')")
    assert "Ihre Notiz" in editor_page.locator("#conflict-message").inner_text()
    assert editor_page.input_value("#edit-note") == "Meine Notiz: Quelle prüfen"
    editor_page.click("#save-annotation")
    editor_page.wait_for_selector("#save-status.ok")
    saved = Annotation.objects.get(pk=claim.pk)
    assert saved.note == "Meine Notiz: Quelle prüfen"
    assert saved.version == 3


def test_comments_history_and_source_checks_show_in_the_panel(editor_page):
    article = editor_page.article
    source = make_annotation(article.created_by, article, "Source / Quelle: Via", label="source")
    editor_page.reload()
    editor_page.click(f"#annotation-list button[data-id='{source.pk}']")
    editor_page.wait_for_selector("#check-list li.check")
    assert "attribution" in editor_page.locator("#check-list").inner_text()
    editor_page.fill("#comment-body", "Welche Agentur? <b>nachfragen</b>")
    editor_page.click("#comment-form button[type=submit]")
    editor_page.wait_for_selector("#comment-list li:has-text('nachfragen')")
    assert "Welche Agentur? <b>nachfragen</b>" in editor_page.locator("#comment-list").inner_text()
    assert source.comments.get().body == "Welche Agentur? <b>nachfragen</b>"
    editor_page.click("#history-section summary")
    history = editor_page.locator("#history-list").inner_text()
    assert "marked the span as Source" in history
    assert "commented: Welche Agentur? <b>nachfragen</b>" in history
    assert console_errors(editor_page) == []


@pytest.mark.worker
def test_a_source_check_goes_from_pending_to_its_result_and_reruns_without_a_reload(
    worker, site, editor_page
):
    article = editor_page.article
    url = site.add("/haushalt", SOURCE_PAGE, stall=True)  # held until site.release is set
    claim = make_annotation(article.created_by, article, CLAIM, label="claim")
    services.evidence_add(actor=article.created_by, annotation_id=claim.pk, url=url)
    editor_page.reload()
    editor_page.evaluate("window.stillTheSamePage = true")
    editor_page.click(f"#annotation-list button[data-id='{claim.pk}']")

    # The worker is waiting for the site: the check shows as unfinished, with a spinner.
    first = editor_page.locator("#check-list li.check")
    first.locator(".spinner").wait_for()
    assert first.get_attribute("data-check-status") in ("pending", "running")
    assert editor_page.locator("#check-list").get_attribute("aria-busy") == "true"
    assert url in first.inner_text()

    site.release.set()
    editor_page.locator("#check-list li.check.st-done").wait_for()
    result = first.inner_text()
    assert "done" in result
    assert "HTTP 200 · text/html · “Haushaltsplan 2024”" in result
    assert "quote found (100)" in result
    assert "4,2 Milliarden Euro für den Ausbau der Schiene freigegeben" in (
        first.locator("blockquote.excerpt").inner_text()
    )
    assert first.locator(".spinner").count() == 0
    assert editor_page.locator("#check-list").get_attribute("aria-busy") == "false"

    # Re-run: a new check, held again, then finished, all on the same page.
    site.release.clear()
    editor_page.click("#rerun-checks")
    editor_page.wait_for_selector("#rerun-status.ok")
    assert editor_page.locator("#rerun-status").inner_text() == "1 check requested."
    again = wait_for(
        lambda: SourceCheck.objects.filter(annotation=claim).order_by("-pk").first(),
        message="the re-run's check",
    )
    assert SourceCheck.objects.filter(annotation=claim).count() == 2
    rerun = editor_page.locator(f"#check-list li.check[data-check-id='{again.pk}']")
    rerun.locator(".spinner").wait_for()
    site.release.set()
    editor_page.locator(f"#check-list li.check.st-done[data-check-id='{again.pk}']").wait_for()
    assert "quote found (100)" in rerun.inner_text()
    assert editor_page.locator("#check-list li.check.st-done").count() == 2
    assert SourceCheck.objects.get(pk=again.pk).status == SourceCheck.Status.DONE
    assert site.requests["/haushalt"] == 2
    assert editor_page.evaluate("window.stillTheSamePage") is True
    assert editor_page.js_errors == []
    assert console_errors(editor_page) == []


@pytest.mark.worker
def test_a_vague_source_flag_shows_in_the_panel_in_german(worker, browser, live_server, editor):
    context = browser.new_context(base_url=live_server.url, locale="de-DE")
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        article = make_article(editor)
        source = make_annotation(editor, article, "Source / Quelle: Via", label="source")
        flag = next(f for f in cues.vague_source_flags(source.exact, "de") if f.code == "vague")
        assert (flag.message, flag.params) == ("names_nothing", {"text": "Source / Quelle: Via"})
        login(page, "editor")
        page.goto(f"/articles/{article.pk}/")
        page.click(f"#annotation-list button[data-id='{source.pk}']")

        shown = page.locator("#check-list li.check.st-done .flag-vague").first
        shown.wait_for()
        # Stored as a code; worded by the server in the page's language, name and all.
        assert shown.inner_text() == (
            "⚑ Vage Quelle: „Source / Quelle: Via“ nennt kein Medium, keine Person, "
            "kein Dokument und keinen Link."
        )
        assert "erledigt" in page.locator("#check-list li.st-done .status").first.inner_text()
        assert "Quellenangabe" in page.locator("#check-list li.st-done").first.inner_text()
        assert page.locator("#rerun-checks").inner_text() == "Quellen erneut prüfen"
    finally:
        context.close()


def test_a_reviewer_not_assigned_sees_checks_but_no_rerun_button(page, editor, reviewer):
    article = make_article(editor)
    source = make_annotation(editor, article, "Source / Quelle: Via", label="source")
    login(page, "reviewer")
    page.goto(f"/articles/{article.pk}/")
    page.click(f"#annotation-list button[data-id='{source.pk}']")
    page.wait_for_selector("#check-list li.check")
    assert page.locator("#rerun-checks").is_hidden()


def test_withdrawing_takes_two_clicks_and_keeps_the_annotation(editor_page):
    article = editor_page.article
    claim = make_annotation(article.created_by, article, "Die Bundesregierung", label="claim")
    editor_page.reload()
    editor_page.click(f"#article-text mark[data-ids='{claim.pk}']")
    editor_page.click("#withdraw-button")
    assert Annotation.objects.get(pk=claim.pk).status == "open"
    editor_page.click("#withdraw-confirm")
    editor_page.wait_for_selector("#withdraw-status.ok")
    assert Annotation.objects.get(pk=claim.pk).status == "withdrawn"
    assert editor_page.locator(f"#article-text mark[data-ids='{claim.pk}']").count() == 0
    assert editor_page.locator("#annotation-list li.empty").count() == 1
    editor_page.select_option("#filter-status", "withdrawn")
    assert editor_page.locator(f"#annotation-list li[data-id='{claim.pk}']").count() == 1


def test_editing_the_text_shows_the_reanchoring_banner(editor_page):
    article = editor_page.article
    editor = article.created_by
    make_annotation(editor, article, "Die Bundesregierung", label="source")
    make_annotation(editor, article, "Kritiker meinen", label="opinion")
    editor_page.reload()
    editor_page.click("#edit-text-button")
    new_text = GERMAN_TEXT.replace("Kritiker meinen, das Geld könnte zu spät kommen. ", "")
    editor_page.fill("#text-input", new_text)
    editor_page.click("#text-editor button[type=submit]")
    banner = editor_page.locator("#reanchor-banner")
    banner.wait_for(state="visible")
    summary = banner.locator(".reanchor-summary").inner_text()
    assert "Text saved as revision 2." in summary
    assert "1 in place, 0 moved to a close match (fuzzy), 1 orphaned" in summary
    assert banner.locator("ul.orphans q").inner_text() == "Kritiker meinen"
    assert editor_page.locator("#article-text").text_content() == new_text
    assert Article.objects.get(pk=article.pk).revision == 2


def test_markup_in_an_imported_article_is_shown_as_text_and_never_runs(page, editor):
    login(page, "editor")
    article = import_by_paste(page, HOSTILE_TITLE, HOSTILE_TEXT)
    assert page.locator("#article-title").inner_text() == HOSTILE_TITLE
    assert page.locator("#article-text").text_content() == HOSTILE_TEXT
    assert page.locator("#article-text img, #article-text script").count() == 0
    # Tagging redraws the text in the browser: still text, still inert.
    drag_select(page, "<img src=x onerror=alert(1)>")
    page.keyboard.press("1")
    annotation = annotation_with(article, "<img src=x onerror=alert(1)>")
    page.fill("#edit-note", "<script>alert(1)</script>")
    page.click("#save-annotation")
    page.wait_for_selector("#save-status.ok")
    assert page.locator("#annotation-list .note").inner_text() == "<script>alert(1)</script>"
    assert page.locator(f"#article-text mark[data-ids='{annotation.pk}']").inner_text() == (
        "<img src=x onerror=alert(1)>"
    )
    assert page.locator("img[src=x], #main script:not([type='application/json'])").count() == 0
    assert page.dialogs == []
    assert page.js_errors == []


def test_suggestions_are_outlined_and_enter_accepts_one(editor_page):
    article = editor_page.article
    services.article_analyse(article_id=article.pk)
    pending = list(article.suggestions.filter(status="pending").order_by("start"))
    assert pending, "the cues found nothing to suggest in the German text"
    editor_page.reload()
    editor_page.click("#suggestions-toggle")
    first = editor_page.locator(f"#article-text mark[data-sid='{pending[0].pk}']")
    first.wait_for()
    first.focus()
    editor_page.keyboard.press("Enter")
    wait_for(lambda: Annotation.objects.filter(article=article, exact=pending[0].exact).exists())
    if len(pending) > 1:
        second = editor_page.locator(f"#article-text mark[data-sid='{pending[1].pk}']")
        second.focus()
        editor_page.keyboard.press("Backspace")
        wait_for(
            lambda: article.suggestions.get(pk=pending[1].pk).status == "dismissed",
            message="the dismissal",
        )
    assert editor_page.js_errors == []


def test_the_page_speaks_german_for_a_german_browser(browser, live_server, editor):
    context = browser.new_context(base_url=live_server.url, locale="de-DE")
    page = context.new_page()
    try:
        article = make_article(editor)
        make_annotation(editor, article, "Die Bundesregierung", label="claim")
        login(page, "editor")
        page.goto(f"/articles/{article.pk}/")
        assert page.locator("html").get_attribute("lang") == "de"
        assert "Behauptung" in page.locator(".legend").inner_text()
        assert page.locator("#edit-text-button").inner_text() == "Text bearbeiten"
        page.wait_for_selector("#annotation-list button.entry")
        assert "Behauptung" in page.locator("#annotation-list").inner_text()
        assert (
            page.locator("#article-text mark").first.get_attribute("title") == "Behauptung (Offen)"
        )
        # The script's own strings come from the djangojs catalogue.
        page.click("#annotation-list button.entry")
        assert page.locator("#detail-assignees").inner_text() == "Noch niemand zugewiesen."
    finally:
        context.close()
