"""What a German desk ran into (issue 13), in real Chromium: the suggestion count follows
the worker, each suggestion says its label and why, rationales read as Markdown in the
panel, a source check shows once however often it ran, errors come into view at their
field, an oversized paste is refused in the page with the text kept, the annotation list
fills the height, and a failed import is fetched again by the real worker."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.db import transaction

from annotations import services, tasks
from annotations.models import Annotation, Article, Event, Label, SourceCheck, Suggestion
from annotations.services.jobs import enqueue
from tests.conftest import login, wait_for
from tests.factories import ArticleFactory, SourceCheckFactory, make_annotation, make_article
from tests.source_site import SourceSite, running_site

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BODY = (
    "Berlin – Die Bundesregierung hat am Mittwoch 4,2 Milliarden Euro für den Ausbau der "
    "Schiene freigegeben. Das teilte das Ministerium mit.\n\n"
    "Kritiker meinen, das Geld könnte zu spät kommen. Der Verband glaubt, die Summe reiche "
    "nicht. Insidern zufolge will der Konzern bis Jahresende 2.000 Stellen abbauen.\n"
)


@pytest.fixture
def site(settings) -> Iterator[SourceSite]:
    with running_site() as source:
        settings.FETCH_ALLOW_HOSTS = [source.host_port]
        yield source


def in_view(page, selector: str) -> bool:
    return page.evaluate(
        """(selector) => {
            const box = document.querySelector(selector).getBoundingClientRect();
            return box.top >= 0 && box.bottom <= window.innerHeight;
        }""",
        selector,
    )


def focused_id(page) -> str:
    return page.evaluate("() => document.activeElement && document.activeElement.id")


# --- 1. the suggestion count follows the worker -----------------------------------------------


@pytest.mark.worker
def test_the_suggestion_count_updates_when_the_worker_has_analysed_the_text(page, worker, editor):
    # Written without the service, so that no analysis is queued until the page is open.
    article = ArticleFactory(title="Zwei Absätze", text=BODY, status="draft", created_by=editor)
    login(page, "editor")
    page.goto(f"/articles/{article.pk}/")
    assert page.locator("#suggestion-count").inner_text() == "0"
    with transaction.atomic():
        enqueue(tasks.article_analyse, article.pk)
    wait_for(
        lambda: Event.objects.filter(article=article, verb="article.analysed").exists(),
        message="the worker's analysis",
    )
    expected = Suggestion.objects.filter(article=article, status="pending").count()
    assert expected > 0
    # Without a click or a reload the count comes to the worker's number.
    page.wait_for_function(
        "(n) => document.getElementById('suggestion-count').textContent === String(n)",
        arg=expected,
    )
    assert page.locator("#suggestions-toggle").get_attribute("aria-pressed") == "false"
    # Shown now, they are the worker's.
    page.click("#suggestions-toggle")
    page.locator("#article-text mark[data-sid]").first.wait_for()
    assert page.js_errors == []


# --- 2. each suggestion says its label (colour and letters) and why ---------------------------


@pytest.mark.worker
def test_a_focused_suggestion_shows_its_label_badge_and_reason_and_can_be_accepted(
    page, worker, editor
):
    article = make_article(editor, title="Vorschläge", body=BODY)
    wait_for(
        lambda: Event.objects.filter(article=article, verb="article.analysed").exists(),
        message="the worker's analysis",
    )
    pending = Suggestion.objects.filter(article=article, status="pending")
    opinion = pending.filter(label__slug="opinion", exact__startswith="Der Verband").first()
    claim = pending.filter(label__slug="claim", exact__contains="4,2 Milliarden").first()
    assert opinion and claim, "the cues found an opinion and a claim"
    login(page, "editor")
    page.goto(f"/articles/{article.pk}/")
    page.click("#suggestions-toggle")
    page.locator("#article-text mark[data-sid]").first.wait_for()
    mark = page.locator(f"#article-text mark[data-sid='{opinion.pk}']")
    mark.wait_for()
    # Not colour alone: the label's letters are on the mark, in text.
    badge = Label.objects.get(slug="opinion").badge
    assert mark.get_attribute("data-sbadge") == badge
    assert "sg-opinion" in mark.get_attribute("class")
    before = mark.evaluate("(m) => getComputedStyle(m, '::before').content")
    assert before == f'"{badge}"'
    outline = mark.evaluate("(m) => getComputedStyle(m).outlineColor")
    claim_mark = page.locator(f"#article-text mark[data-sid='{claim.pk}']")
    assert claim_mark.evaluate("(m) => getComputedStyle(m).outlineColor") != outline

    mark.focus()
    card = page.locator("#suggestion-card")
    card.wait_for()
    assert card.locator(".badge").inner_text() == badge
    assert "Suggested: Opinion" in card.locator(".sg-head").inner_text()
    reason = card.locator(".sg-reason").first.inner_text()
    assert reason.startswith("Why: ") and len(reason) > len("Why: ")
    assert mark.get_attribute("aria-label").endswith(reason)

    card.get_by_role("button", name="Accept").click()
    created = wait_for(
        lambda: Annotation.objects.filter(article=article, exact=opinion.exact).first(),
        message="the accepted suggestion's annotation",
    )
    assert created.label.slug == "opinion"
    assert Suggestion.objects.get(pk=opinion.pk).status == "accepted"
    page.keyboard.press("Escape")
    assert page.js_errors == []


# --- 7. the rationale as Markdown in the panel, nothing of it run ------------------------------

HOSTILE = (
    "Laut **Haushaltsplan** sind es 3,1 Milliarden.\n\n"
    '<script>window.pwned = 1</script> <img src=x onerror="window.pwned = 2">\n\n'
    "- [Quelle](https://example.org/haushalt)\n- [Trick](javascript:window.pwned=3)\n"
)


def test_the_panel_renders_the_rationale_as_markdown_and_runs_nothing_in_it(
    page, editor, reviewer, claim
):
    services.annotation_assign(actor=editor, annotation_id=claim.pk, reviewer=reviewer)
    services.verdict_propose(
        actor=reviewer,
        annotation_id=claim.pk,
        rating="false",
        rationale=HOSTILE,
        evidence=[services.EvidenceInput(url="http://127.0.0.1:9/haushalt")],
    )
    login(page, "editor")
    page.goto(f"/articles/{claim.article_id}/")
    page.locator(f"#annotation-list [data-id='{claim.pk}'] button.entry").click()
    rationale = page.locator("#verdict-list .rationale")
    rationale.wait_for()
    assert rationale.locator("strong").inner_text() == "Haushaltsplan"
    assert rationale.locator("li").count() == 2
    # The javascript: link is no link at all (markdown-it refuses it, nh3 would too).
    links = rationale.locator("a")
    assert links.count() == 1
    assert links.first.get_attribute("href") == "https://example.org/haushalt"
    assert links.first.get_attribute("rel") == "noopener noreferrer nofollow"
    assert rationale.locator("script, img").count() == 0
    assert "<script>" in rationale.inner_text()  # shown as text, as the review page does
    assert "**" not in rationale.inner_text()
    assert page.evaluate("() => window.pwned") is None
    assert page.js_errors == []


# --- 8. one source check per URL, the earlier ones kept ---------------------------------------


def test_the_panel_lists_each_checked_source_once_with_its_earlier_checks_folded(
    page, editor, claim
):
    from annotations.models import Evidence

    evidence = Evidence.objects.create(
        annotation=claim, url="https://example.org/a", added_by=editor
    )
    SourceCheckFactory(evidence=evidence, status="done", article_revision=1, http_status=200)
    newest = SourceCheckFactory(
        evidence=evidence, status="failed", article_revision=2, error="HTTP 404"
    )
    for revision in (1, 2):
        SourceCheck.objects.create(
            annotation=claim, url="https://example.org/b", article_revision=revision, status="done"
        )
    login(page, "editor")
    page.goto(f"/articles/{claim.article_id}/")
    page.locator(f"#annotation-list [data-id='{claim.pk}'] button.entry").click()
    current = page.locator("#check-list > li.check")
    current.first.wait_for()
    assert current.count() == 2
    assert current.first.get_attribute("data-check-id") in {
        str(newest.pk),
        str(SourceCheck.objects.filter(url="https://example.org/b").latest("id").pk),
    }
    assert page.locator(f"#check-list > li.check[data-check-id='{newest.pk}']").count() == 1
    history = page.locator("#check-list .check-history")
    assert history.locator("summary").inner_text() == "2 earlier checks"
    history.locator("summary").click()
    assert history.locator("li.check").count() == 2
    assert page.js_errors == []


# --- 5. errors come into view at their field ---------------------------------------------------


def test_a_refused_rationale_is_scrolled_into_view_and_focused(sized, editor, reviewer, claim):
    page = sized({"width": 390, "height": 700})
    services.annotation_assign(actor=editor, annotation_id=claim.pk, reviewer=reviewer)
    login(page, "reviewer")
    page.goto(f"/annotations/{claim.pk}/")
    page.check("#rating-false", force=True)
    page.fill("#id_rationale", "zu kurz")
    page.fill("#id_evidence_url", "https://example.org/quelle")
    page.click("#propose-button")
    page.locator("#id_rationale-error").wait_for()
    page.wait_for_function("() => document.activeElement.id === 'id_rationale'")
    assert "id_rationale-error" in page.get_attribute("#id_rationale", "aria-describedby")
    assert in_view(page, "#id_rationale")
    assert page.js_errors == []


def test_a_rejection_without_a_note_focuses_the_note(page, editor, reviewer, chief, claim):
    services.annotation_assign(actor=editor, annotation_id=claim.pk, reviewer=reviewer)
    verdict = services.verdict_propose(
        actor=reviewer,
        annotation_id=claim.pk,
        rating="false",
        rationale="Der Haushaltsplan nennt eine andere Summe.",
        evidence=[services.EvidenceInput(url="http://127.0.0.1:9/haushalt")],
    )
    login(page, "chief")
    page.goto("/approvals/")
    page.locator(f"#approval-{verdict.pk} .reject-button").click()
    page.locator(f"#note-{verdict.pk}-error").wait_for()
    page.wait_for_function(f"() => document.activeElement.id === 'note-{verdict.pk}'")
    assert in_view(page, f"#note-{verdict.pk}")


def test_an_empty_import_focuses_the_text_field(page, editor):
    login(page, "editor")
    page.goto("/articles/import/")
    page.fill("#id_paste-title", "Leer")
    page.click(".import-paste button[type=submit]")
    page.locator("#id_paste-text_error").wait_for()
    page.wait_for_function("() => document.activeElement.id === 'id_paste-text'")
    assert "id_paste-text_error" in page.get_attribute("#id_paste-text", "aria-describedby")


# --- 10. an oversized paste is refused before it is sent ---------------------------------------


def test_a_3_mb_paste_is_refused_in_the_page_and_stays_in_the_box(page, editor):
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    login(page, "editor")
    posts.clear()
    page.goto("/articles/import/")
    page.fill("#id_paste-title", "Zu lang")
    page.evaluate("() => { document.getElementById('id_paste-text').value = 'a'.repeat(3000000); }")
    page.click(".import-paste button[type=submit]")
    error = page.locator("#id_paste-text_error")
    error.wait_for()
    assert error.inner_text() == "The text has 3,000,000 characters; the limit is 500,000."
    assert page.url.endswith("/articles/import/")
    assert posts == []
    assert page.evaluate("() => document.getElementById('id_paste-text').value.length") == 3_000_000
    assert focused_id(page) == "id_paste-text"
    assert page.get_attribute("#id_paste-text", "aria-invalid") == "true"
    assert not Article.objects.filter(title="Zu lang").exists()


def test_a_paste_over_the_request_size_is_refused_in_the_page(page, editor, settings):
    # Under the character limit, but over the body size once URL-encoded (ä is 6 bytes).
    login(page, "editor")
    page.goto("/articles/import/")
    page.fill("#id_paste-title", "Umlaute")
    page.evaluate("() => { document.getElementById('id_paste-text').value = 'ä'.repeat(450000); }")
    page.click(".import-paste button[type=submit]")
    error = page.locator("#id_paste-text_error")
    error.wait_for()
    assert error.inner_text().startswith("The text is too large to send: 2.7 MB; the limit is")
    assert page.url.endswith("/articles/import/")


def test_an_oversized_text_edit_is_refused_in_the_page(page, editor, article):
    login(page, "editor")
    page.goto(f"/articles/{article.pk}/")
    page.click("#edit-text-button")
    page.evaluate("() => { document.getElementById('text-input').value = 'b'.repeat(600000); }")
    page.click("#text-editor button[type=submit]")
    status = page.locator("#text-status")
    page.wait_for_function("() => document.getElementById('text-status').textContent !== ''")
    assert status.inner_text() == "The text has 600,000 characters; the limit is 500,000."
    assert page.get_attribute("#text-input", "aria-describedby") == "text-status"
    assert focused_id(page) == "text-input"
    assert Article.objects.get(pk=article.pk).revision == 1


# --- 11. the annotation list fills the height -------------------------------------------------

WORDS = ["Berlin", "Bundesregierung", "Mittwoch", "4,2", "Milliarden", "Euro", "Ausbau"]
MORE = ["Schiene", "freigegeben", "teilte", "Ministerium", "Kritiker", "Geld", "Verband"]


@pytest.mark.parametrize(
    "viewport",
    [{"width": 1280, "height": 720}, {"width": 390, "height": 844}],
    ids=["desktop", "phone"],
)
def test_the_annotation_list_uses_the_height_it_has(sized, editor, viewport):
    article = make_article(editor, title="Viele", body=BODY)
    for word in WORDS + MORE:
        make_annotation(editor, article, word)
    page = sized(viewport)
    login(page, "editor")
    page.goto(f"/articles/{article.pk}/")
    listing = page.locator("#annotation-list")
    listing.scroll_into_view_if_needed()
    height = listing.evaluate("(l) => l.getBoundingClientRect().height")
    # More than 40% of the window (the old cap), and it scrolls inside its panel.
    assert height > 0.55 * viewport["height"]
    assert listing.evaluate("(l) => l.scrollHeight > l.clientHeight")
    entries = page.locator("#annotation-list > li")
    assert entries.count() == len(WORDS + MORE)
    assert page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth") <= 0


def test_five_annotations_all_show_without_scrolling_the_list(sized, editor):
    article = make_article(editor, title="Fünf", body=BODY)
    for word in WORDS[:5]:
        make_annotation(editor, article, word)
    page = sized({"width": 1280, "height": 720})
    login(page, "editor")
    page.goto(f"/articles/{article.pk}/")
    listing = page.locator("#annotation-list")
    assert page.locator("#annotation-count").inner_text() == "5"
    assert listing.evaluate("(l) => l.scrollHeight <= l.clientHeight")


# --- 9. a failed import is fetched again by the worker ----------------------------------------

PAGE = (
    "<html><head><title>Schiene</title></head><body><article><h1>Schiene</h1><p>{}</p>"
    "</article></body></html>"
)


@pytest.mark.worker
def test_retry_fetches_a_failed_import_again(page, worker, site, editor):
    url = site.url("/artikel")
    login(page, "editor")
    page.goto("/articles/import/?mode=url")
    page.fill("#id_url-url", url)
    page.click(".import-url button[type=submit]")
    page.wait_for_url(re.compile(r"/articles/\d+/$"))
    article = Article.objects.get(source_url=url)
    wait_for(
        lambda: Article.objects.get(pk=article.pk).status == "import_failed",
        message="the first fetch fails (404)",
    )
    page.reload()
    site.add("/artikel", PAGE.format(BODY.split("\n")[0]))
    page.click("#retry-import")
    page.wait_for_url(f"**/articles/{article.pk}/")
    wait_for(
        lambda: Article.objects.get(pk=article.pk).status == "draft",
        message="the second fetch succeeds",
    )
    page.locator("#article-text").wait_for(timeout=20_000)
    assert "4,2 Milliarden Euro" in page.locator("#article-text").inner_text()
    verbs = list(
        Event.objects.filter(article=article).order_by("id").values_list("verb", flat=True)
    )
    assert verbs[:4] == [
        "article.import_requested",
        "article.import_failed",
        "article.import_requested",
        "article.imported",
    ]
    assert page.js_errors == []
