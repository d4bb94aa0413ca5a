"""Every page passes axe-core (issue 13): in English and German, as a visitor, an outsider and
each newsroom role, in the states a user meets (the annotate page with a span's panel open,
the selection toolbar, suggestions and the text editor shown, forms with their errors, the
error pages), with no serious or critical violation of WCAG 2.0, 2.1 or 2.2 A/AA.

axe-core comes bundled with axe-playwright-python; nothing is fetched while the tests run."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone

from annotations import selectors, services
from annotations.models import Article, Assignment, SourceCheck
from tests.conftest import login
from tests.factories import (
    ArticleFactory,
    EvidenceFactory,
    SourceCheckFactory,
    SuggestionFactory,
    UserFactory,
    make_annotation,
    make_article,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# axe's tags for the success criteria of WCAG 2.0, 2.1 and 2.2, levels A and AA.
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
BLOCKING = {"serious", "critical"}
LOCALES = {"en": "en-GB", "de": "de-DE"}
PHONE = {"width": 390, "height": 844}

AXE = Axe()


def violations_on(page) -> list[dict]:
    """The serious and critical WCAG 2.2 AA violations axe finds on the page as it is now."""
    results = AXE.run(
        page,
        options={
            "runOnly": {"type": "tag", "values": WCAG_22_AA},
            "resultTypes": ["violations"],
        },
    )
    return [v for v in results.response["violations"] if v["impact"] in BLOCKING]


def report(found: dict[str, list[dict]]) -> str:
    lines = []
    for where, violations in found.items():
        for violation in violations:
            lines.append(f"{where}: {violation['id']} ({violation['impact']}): {violation['help']}")
            for node in violation["nodes"]:
                lines.append(f"    {' '.join(map(str, node['target']))}")
                lines.append(f"      {node['failureSummary'].replace(chr(10), ' / ')}")
    return "\n".join(lines)


class Audit:
    """Visits pages in one browser context and keeps what axe finds on each."""

    def __init__(self, page, language: str):
        self.page = page
        self.language = language
        self.found: dict[str, list[dict]] = {}

    def check(self, where: str) -> None:
        # The page must be in the language under test, or this audits the wrong one.
        assert self.page.evaluate("document.documentElement.lang") == self.language, where
        violations = violations_on(self.page)
        if violations:
            self.found[where] = violations

    def visit(self, path: str, *, status: int = 200, where: str | None = None) -> None:
        response = self.page.goto(path)
        assert response.status == status, (path, response.status)
        self.check(where or path)


@pytest.fixture
def desk(editor, reviewer, chief):
    """The rows every page needs to show something: an article with a span of each label,
    one claim assigned and overdue (the queue, the review page) with evidence checked in
    each outcome, one with a proposed verdict (the approvals), one returned with a rejected
    verdict, pending suggestions, articles in every status (a failed import and one under
    way among them), and a published report."""
    article = make_article(editor, title="Schienenausbau")
    claim = make_annotation(
        editor, article, "4,2 Milliarden Euro für den Ausbau der Schiene freigegeben"
    )
    make_annotation(editor, article, "Das ist ein guter Tag für Pendler", label="opinion")
    make_annotation(editor, article, "das Geld könnte zu spät kommen", label="speculation")
    make_annotation(editor, article, "Source / Quelle: Via", label="source")
    services.annotation_assign(actor=editor, annotation_id=claim.pk, reviewer=reviewer)
    services.comment_add(actor=editor, annotation_id=claim.pk, body="Bitte die Primärquelle.")
    found = SourceCheckFactory(
        evidence=EvidenceFactory(annotation=claim, title="Haushaltsplan 2024"),
        status=SourceCheck.Status.DONE,
        http_status=200,
        title="Haushaltsplan 2024",
        quote_found=True,
        quote_score=92,
    )
    SourceCheckFactory(
        evidence=EvidenceFactory(annotation=claim, added_by=found.evidence.added_by),
        status=SourceCheck.Status.FAILED,
        error="HTTP 404",
    )

    proposed = make_annotation(editor, article, "Die Bundesregierung hat am Mittwoch")
    services.annotation_assign(actor=editor, annotation_id=proposed.pk, reviewer=reviewer)
    services.verdict_propose(
        actor=reviewer,
        annotation_id=proposed.pk,
        rating="half-true",
        rationale="Der Haushalt nennt **3,1 Milliarden** Euro; der Rest folgt 2026.",
        evidence=[services.EvidenceInput(url="http://127.0.0.1:9/haushalt", title="Haushalt")],
    )
    SuggestionFactory(article=article, quote="sagte die Ministerin")
    SourceCheckFactory(
        evidence=EvidenceFactory(annotation=claim, added_by=found.evidence.added_by),
        status=SourceCheck.Status.BLOCKED,
        error="blocked: address 127.0.0.1 is loopback",
    )
    # Overdue, so the queue shows its warning colours.
    Assignment.objects.filter(annotation=claim).update(due_at=timezone.now() - timedelta(days=2))

    # Returned to the reviewer: the queue's note, the review page's rejected verdict.
    returned = make_annotation(editor, article, "Grüße an alle Größenfans")
    services.annotation_assign(actor=editor, annotation_id=returned.pk, reviewer=reviewer)
    rejected = services.verdict_propose(
        actor=reviewer,
        annotation_id=returned.pk,
        rating="mostly-true",
        rationale="Die Zahl stimmt, der Zeitraum fehlt aber im Text des Artikels.",
        evidence=[services.EvidenceInput(url="http://127.0.0.1:9/fans", title="Fans")],
    )
    services.verdict_reject(actor=chief, verdict_id=rejected.pk, note="Bitte Quelle ergänzen.")

    failed = _importing(editor, "https://example.org/weg")
    services.article_import_finish(article_id=failed.pk, error="HTTP 404 from example.org")
    importing = _importing(editor, "https://example.org/neu")
    for status in (Article.Status.DRAFT, Article.Status.WITHDRAWN, Article.Status.ARCHIVED):
        ArticleFactory(title=f"Artikel ({status})", status=status, created_by=editor)

    published = make_article(editor, title="Pendlerpauschale")
    checked = make_annotation(editor, published, "Kritiker meinen, das Geld könnte zu spät")
    services.annotation_assign(actor=editor, annotation_id=checked.pk, reviewer=reviewer)
    verdict = services.verdict_propose(
        actor=reviewer,
        annotation_id=checked.pk,
        rating="false",
        rationale="Das Geld ist laut Haushaltsplan **2025** verfügbar.",
        evidence=[services.EvidenceInput(url="http://127.0.0.1:9/plan", title="Haushaltsplan")],
    )
    services.verdict_approve(actor=chief, verdict_id=verdict.pk)
    _publish_acknowledging_all(chief, published)
    return {
        "article": article,
        "claim": claim,
        "proposed": proposed,
        "failed": failed,
        "importing": importing,
        "returned": returned,
        "published": published,
    }


def _importing(editor, url: str) -> Article:
    """An article waiting for its import, as `article_create_from_url` leaves it but with
    no fetch sent: the session's worker may be running, and no test fetches a
    non-loopback address (nor should the page change under the test)."""
    return ArticleFactory(
        title=url,
        text="",
        source_url=url,
        status=Article.Status.IMPORTING,
        created_by=editor,
        revision=0,
    )


def _all_warnings(article) -> list[str]:
    return [item["key"] for item in selectors.publish_gate(article).warnings]


def _publish_acknowledging_all(chief, article, seconds: float = 30.0) -> None:
    """Publish, acknowledging every warning of the gate. The worker may finish the
    evidence's source check (and so add a warning) between reading the gate and
    publishing: then read it again, until the deadline."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            services.article_publish(
                actor=chief, article_id=article.pk, acknowledge=_all_warnings(article)
            )
            return
        except services.Conflict:
            if time.monotonic() > deadline:
                raise


@pytest.fixture
def audited(browser, live_server):
    """An Audit in a new browser context per language (and viewport); closed after."""
    contexts = []

    def open_audit(language: str, viewport: dict | None = None) -> Audit:
        context = browser.new_context(
            base_url=live_server.url, locale=LOCALES[language], viewport=viewport
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.js_errors = []
        page.on("pageerror", lambda exc: page.js_errors.append(str(exc)))
        return Audit(page, language)

    yield open_audit
    for context in contexts:
        context.close()


def select_text_of(page, selector: str) -> None:
    """Select the middle of the text of the first element matching `selector`."""
    page.evaluate(
        """(selector) => {
          const walker = document.createTreeWalker(
            document.querySelector(selector), NodeFilter.SHOW_TEXT);
          let node = null;
          while (walker.nextNode()) {
            if (walker.currentNode.textContent.length > 20) { node = walker.currentNode; break; }
          }
          const range = document.createRange();
          range.setStart(node, 2);
          range.setEnd(node, 12);
          const selection = window.getSelection();
          selection.removeAllRanges();
          selection.addRange(range);
        }""",
        selector,
    )


def open_panel_of(page, annotation_id: int) -> None:
    page.locator(f"mark[data-ids~='{annotation_id}']").first.click()
    page.locator("#detail-panel").wait_for(state="visible")
    # The panel's comments, history and checks arrive by fetch: wait until they are drawn,
    # and open the history (axe skips what a closed <details> hides).
    page.locator("#history-list li").first.wait_for(state="attached")
    page.locator("#history-section summary").click()


def visitor_pages(audit: Audit, desk) -> None:
    page = audit.page
    audit.visit("/login/")
    # A form sent after its CSRF cookie is gone (an expired session, say).
    page.context.clear_cookies()
    page.fill("#id_username", "nobody")
    page.fill("#id_password", "wrong-password")
    page.click("button[type=submit]")
    audit.check("CSRF failure (403)")
    audit.visit("/login/")
    page.fill("#id_username", "nobody")
    page.fill("#id_password", "wrong-password")
    page.click("button[type=submit]")
    page.locator(".login .error").wait_for()
    audit.check("/login/ with a failed login")
    audit.visit(f"/articles/{desk['published'].pk}/report/", where="public report")
    audit.visit("/no-such-page/", status=404)
    UserFactory(username="outsider", roles=[])
    login(page, "outsider")
    audit.visit("/", status=403, where="/ for an outsider (403)")


def editor_pages(audit: Audit, desk) -> None:
    page = audit.page
    article, claim = desk["article"], desk["claim"]
    login(page, "editor")
    audit.visit("/")
    audit.visit("/?q=nichts-dergleichen", where="article list without results")
    audit.visit("/articles/import/")
    page.locator(".import-paste button[type=submit]").click()
    page.locator(".import-paste .error").first.wait_for()
    audit.check("import with errors")

    audit.visit(f"/articles/{article.pk}/", where="annotate page")
    open_panel_of(page, claim.pk)
    audit.check("annotate page, claim's panel open")
    page.locator("#detail-close").click()
    select_text_of(page, "#article-text")
    page.locator("#selection-toolbar").wait_for(state="visible")
    audit.check("annotate page, selection toolbar")
    page.locator("#suggestions-toggle").click()
    page.locator("#article-text mark[data-sid]").first.wait_for(state="attached")
    audit.check("annotate page, suggestions shown")
    page.locator("#edit-text-button").click()
    page.locator("#text-editor").wait_for(state="visible")
    audit.check("annotate page, text editor")

    audit.visit(f"/articles/{desk['failed'].pk}/", where="failed import")
    audit.visit(f"/articles/{desk['importing'].pk}/", where="import under way")
    audit.visit(f"/annotations/{claim.pk}/", where="review page, read-only")
    audit.visit(f"/articles/{article.pk}/report/", where="report preview")
    audit.visit("/queue/", status=403, where="/queue/ for an editor (403)")
    audit.visit("/articles/999999/", status=404, where="missing article (404)")


def reviewer_pages(audit: Audit, desk) -> None:
    page = audit.page
    login(page, "reviewer")
    audit.visit("/queue/")
    page.locator("#shortcuts-button").click()
    page.locator("#shortcuts").wait_for(state="visible")
    audit.check("queue, shortcuts open")
    audit.visit(f"/annotations/{desk['returned'].pk}/", where="review page, returned")
    audit.visit(f"/annotations/{desk['claim'].pk}/", where="review page, assigned")
    page.locator("#decline-heading").click()
    page.locator("#id_reason").wait_for(state="visible")
    audit.check("review page, assigned, decline form open")
    page.locator("#propose-button").click()
    page.locator("#verdict-form .error").first.wait_for()
    audit.check("review page, verdict with errors")
    audit.visit(f"/articles/{desk['article'].pk}/", where="annotate page")
    open_panel_of(page, desk["claim"].pk)
    audit.check("annotate page, claim's panel open")
    audit.visit("/")


def chief_pages(audit: Audit, desk) -> None:
    page = audit.page
    login(page, "chief")
    audit.visit("/approvals/")
    page.locator(".approval details.history summary").first.click()
    audit.check("approvals, history open")
    page.locator(".reject-button").first.click()
    page.locator(".decision-form .error").first.wait_for()
    audit.check("approvals, rejection without a note")
    audit.visit(f"/annotations/{desk['proposed'].pk}/", where="review page, to decide")
    audit.visit(f"/articles/{desk['article'].pk}/report/", where="report with the publish gate")
    audit.visit(f"/articles/{desk['published'].pk}/report/", where="published report")
    audit.visit("/insights/", where="the desk's dashboard")
    audit.visit(f"/articles/{desk['article'].pk}/", where="annotate page with the publish gate")
    page.locator("#publish-gate summary").click()
    open_panel_of(page, desk["proposed"].pk)
    audit.check("annotate page, gate and proposed verdict's panel open")
    audit.visit("/")


ROLE_PAGES: dict[str, Callable[[Audit, dict], None]] = {
    "visitor": visitor_pages,
    "editor": editor_pages,
    "reviewer": reviewer_pages,
    "chief": chief_pages,
}


@pytest.mark.parametrize("language", ["en", "de"])
@pytest.mark.parametrize("role", list(ROLE_PAGES))
def test_no_page_has_a_serious_or_critical_accessibility_violation(audited, desk, role, language):
    audit = audited(language)
    ROLE_PAGES[role](audit, desk)
    if audit.found:
        pytest.fail(report(audit.found), pytrace=False)
    assert audit.page.js_errors == []


@pytest.mark.parametrize("language", ["en", "de"])
def test_on_a_phone_the_open_menu_queue_and_bottom_sheet_pass_axe(audited, desk, language):
    audit = audited(language, PHONE)
    page = audit.page
    login(page, "reviewer")
    audit.visit("/queue/", where="queue on a phone")
    page.locator("#menu-toggle").click()
    page.locator("#lang-select").wait_for(state="visible")
    audit.check("queue on a phone, menu open")
    page.context.clear_cookies()
    login(page, "editor")
    audit.visit(f"/articles/{desk['article'].pk}/", where="annotate page on a phone")
    open_panel_of(page, desk["claim"].pk)
    audit.check("annotate page on a phone, panel as bottom sheet")
    if audit.found:
        pytest.fail(report(audit.found), pytrace=False)
    assert page.js_errors == []


def test_a_page_waiting_for_an_import_reloads_when_it_ends_and_not_before(page, editor):
    """The import page asks the API instead of a timed refresh (axe's meta-refresh, WCAG
    2.2.1): while the article is importing the page stays put, then it reloads once."""
    article = _importing(editor, "https://example.org/neu")
    login(page, "editor")
    loads: list[str] = []
    page.on("load", lambda loaded: loads.append(loaded.url))
    page.goto(f"/articles/{article.pk}/")
    assert page.locator("#import-wait").is_visible()
    poll = f"/api/v1/articles/{article.pk}/"
    for _ in range(2):
        page.wait_for_event("request", predicate=lambda request: request.url.endswith(poll))
    assert len(loads) == 1

    with page.expect_event("load"):
        services.article_import_finish(article_id=article.pk, title="Neu", body="Der Text ist da.")
    assert page.locator("#article-text").inner_text() == "Der Text ist da."
    assert len(loads) == 2
    assert page.locator("#import-wait").count() == 0
    assert page.js_errors == []
