"""The browser's highlight renderer (annotate/render.js) and the server's
(templatetags/highlight.py) make the same DOM, in real Chromium: for tricky texts loaded
into a page beside each other, and on the annotate page, where a tag redraws only the
stretch around it and must leave exactly what a reload draws."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from annotations.models import Annotation
from annotations.templatetags.highlight import render_highlights
from tests.conftest import login, wait_for
from tests.factories import make_annotation, make_article

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LABELS = {
    "claim": SimpleNamespace(pk=1, slug="claim", display_name="Claim", ui_badge="C", badge="C"),
    "source": SimpleNamespace(pk=2, slug="source", display_name="Quelle", ui_badge="Q", badge="Q"),
    # A name that must be escaped in the title attribute.
    "odd": SimpleNamespace(
        pk=3, slug="odd", display_name='<b>&"odd"\'</b>', ui_badge="&", badge="&"
    ),
}
STATUSES = {"open": "Open", "assigned": "Assigned <to> someone"}

# (text, spans as (id, start, end, label, status, anchor_state)), offsets in code points.
CASES = {
    "astral characters and emoji": (
        "Die 🇩🇪 Flagge, 𝔘 und 😀 Emoji: 👩‍👩‍👧 Familie.",
        [
            (1, 4, 6, "claim", "open", "anchored"),
            (2, 15, 16, "source", "open", "anchored"),
            (3, 0, 21, "odd", "assigned", "anchored"),
            (4, 29, 34, "claim", "open", "fuzzy"),
        ],
    ),
    "combining marks": (
        "Cafe\u0301 in Zu\u0308rich und Ko\u0308ln.",
        [(1, 0, 5, "claim", "open", "anchored"), (2, 9, 16, "source", "open", "anchored")],
    ),
    "CRLF-normalised text across paragraphs": (
        "Zeile eins\nZeile zwei\n\nAbsatz drei\n",
        [(1, 6, 16, "claim", "open", "anchored"), (2, 11, 34, "source", "assigned", "anchored")],
    ),
    "overlapping and nested spans, deeper than the drawn depth": (
        "Die Bundesregierung hat am Mittwoch 4,2 Milliarden Euro freigegeben.",
        [
            (1, 0, 68, "claim", "open", "anchored"),
            (2, 4, 35, "source", "open", "anchored"),
            (3, 20, 55, "odd", "open", "fuzzy"),
            (4, 24, 40, "claim", "assigned", "anchored"),
            (5, 27, 35, "source", "open", "anchored"),
            (6, 36, 39, "claim", "open", "anchored"),
        ],
    ),
    "a span covering the whole text and identical twins": (
        "Ganz und gar.",
        [(7, 0, 13, "claim", "open", "anchored"), (3, 0, 13, "source", "open", "anchored")],
    ),
    "adjacent spans": (
        "erstens zweitens drittens",
        [
            (1, 0, 7, "claim", "open", "anchored"),
            (2, 7, 8, "source", "open", "anchored"),
            (3, 8, 16, "odd", "open", "anchored"),
            (4, 16, 25, "claim", "open", "anchored"),
        ],
    ),
    "HTML-special characters in the text": (
        "<script>alert('x')</script> & \"Zitat\" <b>fett</b> &amp; ok",
        [(1, 0, 8, "claim", "open", "anchored"), (2, 28, 38, "odd", "open", "anchored")],
    ),
}

# A canonical form of a subtree: elements with sorted attributes, adjacent text merged.
CANONICAL = """
(root) => {
  root.normalize();
  const walk = (node) => {
    if (node.nodeType === Node.TEXT_NODE) return JSON.stringify(node.data);
    const attrs = [...node.attributes]
      .map((a) => `${a.name}=${JSON.stringify(a.value)}`)
      .sort()
      .join(" ");
    return `<${node.localName} ${attrs}>${[...node.childNodes].map(walk).join("")}</>`;
  };
  return [...root.childNodes].map(walk).join("");
}
"""

COMPARE = """
async ({server, text, annotations, labels, statuses}) => {
  const { renderHighlights } = await import("/static/annotations/annotate/render.js");
  const canonical = CANONICAL;
  const fromServer = document.createElement("div");
  fromServer.innerHTML = server;  // the server's escaped markup, as the page's parser reads it
  const fromScript = document.createElement("div");
  fromScript.append(renderHighlights(text, annotations, { labels, statuses }));
  return { server: canonical(fromServer), script: canonical(fromScript) };
}
""".replace("CANONICAL", CANONICAL.strip())


@pytest.fixture
def blank_page(page, live_server):
    """A page of the live server's origin (so its modules load under the same origin) with
    nothing of the app on it."""
    page.route(
        f"{live_server.url}/render-parity/",
        lambda route: route.fulfill(
            status=200, content_type="text/html", body="<!doctype html><title>parity</title>"
        ),
    )
    page.goto("/render-parity/")
    return page


@pytest.mark.parametrize("case", list(CASES))
def test_the_browser_renderer_draws_what_the_server_draws(blank_page, case):
    text, rows = CASES[case]
    spans = sorted(rows, key=lambda row: (row[1], row[2], row[0]))
    server = render_highlights(
        text,
        [
            SimpleNamespace(
                pk=pk,
                start=start,
                end=end,
                label=LABELS[label],
                anchor_state=anchor,
                status_name=STATUSES[status],
            )
            for pk, start, end, label, status, anchor in spans
        ],
    )
    result = blank_page.evaluate(
        COMPARE,
        {
            "server": str(server),
            "text": text,
            "annotations": [
                {"id": pk, "start": s, "end": e, "label": lb, "status": st, "anchor_state": an}
                for pk, s, e, lb, st, an in rows
            ],
            "labels": {
                slug: {"name": label.display_name, "badge": label.ui_badge}
                for slug, label in LABELS.items()
            },
            "statuses": STATUSES,
        },
    )
    assert "<mark " in result["server"]
    assert result["script"] == result["server"]
    assert blank_page.js_errors == []


# --- on the annotate page ---------------------------------------------------------------------

PARITY_TEXT = (
    "Berlin – Die Bundesregierung hat am Mittwoch 4,2 Milliarden Euro für den Ausbau der "
    "Schiene freigegeben 😀. „Das ist ein guter Tag für Pendler“, sagte die Ministerin.\n\n"
    "Kritiker meinen, das Geld könnte zu spät kommen.\n"
)

SELECT = """
([start, end]) => {
  const root = document.getElementById("article-text");
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  let seen = 0, node, started = false;
  while ((node = walker.nextNode())) {
    if (!started && start < seen + node.data.length) { range.setStart(node, start - seen); started = true; }
    if (started && end <= seen + node.data.length) { range.setEnd(node, end - seen); break; }
    seen += node.data.length;
  }
  window.getSelection().removeAllRanges();
  window.getSelection().addRange(range);
}
"""


def utf16(text: str, index: int) -> int:
    return len(text[:index].encode("utf-16-le")) // 2


def select_quote(page, quote: str) -> None:
    start = PARITY_TEXT.index(quote)
    page.evaluate(SELECT, [utf16(PARITY_TEXT, start), utf16(PARITY_TEXT, start + len(quote))])


DRAWN_TEXT = """
() => {
  const canonical = CANONICAL;
  const copy = document.getElementById("article-text").cloneNode(true);
  // "current" marks the selected span; a freshly loaded page has none selected.
  copy.querySelectorAll("mark.current").forEach((mark) => mark.classList.remove("current"));
  return canonical(copy);
}
""".replace("CANONICAL", CANONICAL.strip())


def drawn_text(page) -> str:
    return page.evaluate(DRAWN_TEXT)


@pytest.fixture
def annotate_page(page, editor, reviewer, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    editor.set_password("pw-for-tests-1")
    editor.save()
    article = make_article(editor, body=PARITY_TEXT)
    make_annotation(editor, article, "Die Bundesregierung hat am Mittwoch")
    make_annotation(editor, article, "Mittwoch 4,2 Milliarden Euro", label="source")
    make_annotation(editor, article, "Schiene freigegeben 😀")
    login(page, "editor")
    page.goto(f"/articles/{article.pk}/")
    page.wait_for_selector("#annotation-list li[data-id]")
    page.article = article
    return page


@pytest.mark.parametrize(
    "quote",
    [
        "am Mittwoch 4,2",  # across two spans' ends: four pieces change
        "Milliarden Euro für den Ausbau der Schiene",  # from inside one span to another
        "Kritiker",  # alone in the last paragraph
        "Berlin – Die Bundesregierung",  # from the text's start into a span
    ],
)
def test_a_tag_redraws_the_text_exactly_as_a_reload_draws_it(annotate_page, quote):
    page = annotate_page
    select_quote(page, quote)
    page.keyboard.press("3")
    created = wait_for(
        lambda: Annotation.objects.filter(article=page.article, exact=quote).first(),
        message=f"an annotation on {quote!r}",
    )
    page.wait_for_selector(f"#article-text mark[data-ids~='{created.pk}']:not(.pending)")
    page.wait_for_selector(f"#annotation-list li[data-id='{created.pk}']")
    after_tag = drawn_text(page)
    page.reload()
    page.wait_for_selector("#annotation-list li[data-id]")
    assert drawn_text(page) == after_tag
    assert page.js_errors == []


def test_withdrawing_redraws_the_text_exactly_as_a_reload_draws_it(annotate_page):
    page = annotate_page
    target = Annotation.objects.get(article=page.article, exact="Mittwoch 4,2 Milliarden Euro")
    page.click(f"#annotation-list li[data-id='{target.pk}'] button.entry")
    page.click("#withdraw-button")
    page.click("#withdraw-confirm")
    page.wait_for_selector("#withdraw-status:has-text('Withdrawn.')")
    assert page.locator(f"#article-text mark[data-ids~='{target.pk}']").count() == 0
    after = drawn_text(page)
    page.reload()
    page.wait_for_selector("#annotation-list li[data-id]")
    assert drawn_text(page) == after


def test_a_tag_the_server_refuses_is_rolled_back_with_its_message(annotate_page):
    page = annotate_page
    existing = Annotation.objects.get(article=page.article, exact="Schiene freigegeben 😀")
    before = drawn_text(page)
    select_quote(page, "Schiene freigegeben 😀")
    page.keyboard.press("1")  # a claim again on the claim's span: 409
    banner = page.locator("#reanchor-banner")
    banner.wait_for(state="visible")
    assert banner.inner_text() == (
        f"already tagged: this span is already a Claim (annotation {existing.pk})"
    )
    page.wait_for_function("() => !document.querySelector('#article-text mark.pending')")
    assert drawn_text(page) == before
    assert page.locator("#annotation-list li.pending").count() == 0
    assert page.inner_text("#annotation-count") == "3"
    # The selection is back, so another label is one key away.
    assert page.evaluate("() => window.getSelection().toString()") == "Schiene freigegeben 😀"
    assert Annotation.objects.filter(article=page.article).count() == 3
    assert page.js_errors == []


def test_a_tag_is_drawn_pending_before_the_server_answers(annotate_page):
    page = annotate_page
    held = []
    page.route(
        "**/api/v1/annotations/",
        lambda route: held.append(route) if route.request.method == "POST" else route.continue_(),
    )
    with page.expect_request(
        lambda r: r.method == "POST" and r.url.endswith("/annotations/")
    ) as sent:
        select_quote(page, "Kritiker")
        page.keyboard.press("1")
    # The POST is held: the highlight and the entry are drawn, pending, without the server.
    assert sent.value.headers.get("idempotency-key")
    assert page.locator("#article-text mark.pending").inner_text() == "Kritiker"
    assert page.locator("#annotation-list li.pending q").inner_text() == "Kritiker"
    assert page.inner_text("#annotation-count") == "4"
    assert not Annotation.objects.filter(article=page.article, exact="Kritiker").exists()
    assert len(held) == 1
    held[0].continue_()
    created = wait_for(
        lambda: Annotation.objects.filter(article=page.article, exact="Kritiker").first(),
        message="the annotation on 'Kritiker'",
    )
    page.wait_for_selector(f"#article-text mark[data-ids~='{created.pk}']:not(.pending)")
    page.wait_for_selector(f"#annotation-list li.selected[data-id='{created.pk}']:not(.pending)")
    assert page.locator("#article-text mark.pending").count() == 0
    assert page.js_errors == []
