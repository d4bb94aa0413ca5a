"""The review workflow in real Chromium with the real worker: an assignment reaches the
reviewer's open queue without a reload, the reviewer works it with the keyboard, gathers
evidence (checked live by the worker against a real local site), proposes; a chief rejects,
the reviewer sees the note and proposes again; the chief approves and publishes; a reader
opens the report and its ClaimReview JSON-LD parses."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from django.core import mail
from django.utils import timezone, translation
from django.utils.formats import date_format

from annotations import services
from annotations.models import Article, SourceCheck, Verdict
from tests.conftest import login, wait_for
from tests.factories import make_annotation
from tests.source_site import SourceSite, running_site

pytestmark = [
    pytest.mark.browser,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
]

QUOTE = "4,2 Milliarden Euro für den Ausbau der Schiene freigegeben"
FIRST_RATIONALE = "Laut **Haushaltsplan** sind es 3,1 Milliarden Euro, nicht 4,2."
NOTE = "Bitte die Primärquelle verlinken, nicht die Pressemitteilung."
SECOND_RATIONALE = "Der Haushaltsplan 2024 (Einzelplan 12) nennt 3,1 Milliarden Euro."


@pytest.fixture
def site(settings) -> Iterator[SourceSite]:
    """A source the worker may fetch (in FETCH_ALLOW_HOSTS); emails go to mail.outbox."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with running_site() as source:
        settings.FETCH_ALLOW_HOSTS = [source.host_port]
        yield source


@pytest.fixture
def second_page(browser, live_server):
    """A second browser with its own cookies: the chief next to the reviewer."""
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.dialogs = []
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    page.js_errors = []
    page.on("pageerror", lambda exc: page.js_errors.append(str(exc)))
    yield page
    context.close()


def emails_to(address: str) -> list:
    return [message for message in mail.outbox if address in message.to]


def propose_in_the_browser(page, rationale: str) -> None:
    page.evaluate("document.activeElement && document.activeElement.blur()")  # keys go to the page
    page.keyboard.press("6")
    assert page.locator("#rating-false").is_checked()
    page.fill("#id_rationale", rationale)
    page.click("#propose-button")


def test_assignment_review_rejection_approval_and_published_report(
    page, second_page, worker, site, editor, reviewer, chief, article, live_server
):
    source = site.add(
        "/haushalt",
        "<html><head><title>Haushaltsplan 2024</title></head><body><article><p>"
        "Die Bundesregierung hat am Mittwoch 4,2 Milliarden Euro für den Ausbau der Schiene "
        "freigegeben, meldet die Pressestelle; der Haushaltsplan nennt andere Zahlen.</p>"
        "</article></body></html>",
    )
    claim = make_annotation(editor, article, QUOTE)

    # 1. The reviewer's queue is open and empty when the editor assigns.
    login(page, "reviewer")
    page.goto("/queue/")
    page.get_by_text("Your queue is empty.").wait_for()
    page.evaluate("window.stillTheSamePage = true")
    services.annotation_assign(actor=editor, annotation_id=claim.pk, reviewer=reviewer)

    # 2. It shows up without a reload; the reviewer opens it with the keyboard.
    row = page.locator(f'tr[data-id="{claim.pk}"]')
    row.wait_for()
    assert page.evaluate("window.stillTheSamePage") is True
    assert page.locator('[data-count="open"]').inner_text() == "1"
    page.keyboard.press("j")
    assert "selected" in row.get_attribute("class")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/annotations/{claim.pk}/")
    assert page.locator("#quote-mark").inner_text() == QUOTE

    # The evidence is checked by the worker; its result appears live.
    page.fill("#id_url", source)
    page.fill("#id_title", "Haushaltsplan")
    page.click("#add-evidence")
    page.wait_for_url(re.compile(rf"/annotations/{claim.pk}/#evidence$"))
    item = page.locator(".evidence-item").first
    item.locator(".quote-found").wait_for()
    assert item.get_attribute("data-check-status") == "done"
    assert "Haushaltsplan 2024" in item.inner_text()

    # 3. The reviewer proposes `false`; the queue is empty afterwards.
    propose_in_the_browser(page, FIRST_RATIONALE)
    page.wait_for_url("**/queue/")
    page.get_by_text("Verdict proposed. Your queue is empty.").wait_for()
    first = Verdict.objects.get(annotation=claim)
    assert (first.rating.slug, first.status) == ("false", "proposed")

    # 4. The chief rejects with a note.
    login(second_page, "chief")
    second_page.goto("/approvals/")
    approval = second_page.locator(f"#approval-{first.pk}")
    assert "Laut Haushaltsplan sind es" in approval.locator(".rationale").inner_text()
    assert approval.locator(".rationale strong").inner_text() == "Haushaltsplan"
    approval.locator("textarea[name=note]").fill(NOTE)
    approval.locator(".reject-button").click()
    second_page.get_by_text("Verdict rejected; it went back to its reviewer.").wait_for()

    # 5. The item comes back to the open queue with the note; the reviewer proposes again.
    row.wait_for()
    assert NOTE in row.locator(".returned-note").inner_text()
    row.locator("a.open").click()
    page.wait_for_url(f"**/annotations/{claim.pk}/")
    assert NOTE in page.locator("#returned-note").inner_text()
    propose_in_the_browser(page, SECOND_RATIONALE)
    page.wait_for_url("**/queue/")
    second = Verdict.objects.get(annotation=claim, status="proposed")

    # 6. The chief approves and publishes.
    second_page.goto("/approvals/")
    second_page.locator(f"#approval-{second.pk} .approve-button").click()
    second_page.get_by_text("Verdict approved.").wait_for()
    second_page.goto(f"/articles/{article.pk}/report/")
    second_page.get_by_text("Every claim has an approved verdict.").wait_for()
    second_page.click("#publish-button")
    second_page.get_by_text(
        "Published. Readers can open this report without logging in."
    ).wait_for()
    assert Article.objects.get(pk=article.pk).status == "published"

    # 7. A reader without an account sees the verdict and valid ClaimReview JSON-LD.
    page.context.clear_cookies()
    page.goto(f"/articles/{article.pk}/report/")
    assert page.locator("mark.verdict-span").inner_text() == QUOTE
    assert page.locator("#report-text .rating-badge").inner_text().startswith("False")
    card = page.locator(".verdict-card")
    assert "Einzelplan 12" in card.locator(".rationale").inner_text()
    assert card.locator(".sources a:not(.archived-link)").get_attribute("href") == source
    reviews = json.loads(page.locator('script[type="application/ld+json"]').text_content())
    assert len(reviews) == 1
    review = reviews[0]
    assert review["@context"] == "https://schema.org"
    assert review["@type"] == "ClaimReview"
    assert review["claimReviewed"] == QUOTE
    # The article is German: its ClaimReview names the rating in German.
    assert review["inLanguage"] == "de"
    assert review["reviewRating"]["alternateName"] == "Falsch"
    assert review["reviewRating"]["ratingValue"] == 1
    assert review["itemReviewed"]["@type"] == "Claim"
    assert review["url"] == f"{live_server.url}/articles/{article.pk}/report/"

    # The worker mailed every step: the assignment, both proposals, the rejection.
    wait_for(lambda: len(emails_to("chief@example.org")) == 2, message="two proposal emails")
    wait_for(lambda: len(emails_to("reviewer@example.org")) == 2, message="assignment + rejection")
    subjects = [m.subject for m in emails_to("reviewer@example.org")]
    assert sorted(subjects) == [
        "[Fact-check] New item in your queue: Schienenausbau",
        "[Fact-check] Verdict returned: Schienenausbau",
    ]

    # The history on the review page tells the whole story.
    login(page, "chief")
    page.goto(f"/annotations/{claim.pk}/")
    history = page.locator("#history").inner_text()
    for step in (
        "assigned it to reviewer",
        f"added evidence {source}",
        "proposed “False”",
        f"rejected “False”: {NOTE}",
        "approved “False”",
    ):
        assert step in history
    assert page.js_errors == [] and second_page.js_errors == []
    assert page.dialogs == [] and second_page.dialogs == []


def test_refusals_show_on_the_form_and_markup_shows_as_text(page, editor, reviewer, claim):
    services.annotation_assign(actor=editor, annotation_id=claim.pk, reviewer=reviewer)
    login(page, "reviewer")
    page.goto(f"/annotations/{claim.pk}/")

    propose_in_the_browser(page, "Zu kurz.")
    assert page.locator("#id_rationale-error").inner_text() == (
        "the rationale needs at least 20 characters (it has 8)"
    )
    assert page.locator("#id_rationale").input_value() == "Zu kurz."

    propose_in_the_browser(page, "Eine ausreichend lange Begründung ohne Beleg.")
    assert page.locator("#id_evidence_url-error").inner_text() == (
        "a verdict on a claim needs at least one evidence URL"
    )
    assert not Verdict.objects.exists()

    page.fill("#id_body", '<script>alert("x")</script><img src=x onerror=alert(2)>')
    page.click("#comment-form button[type=submit]")
    page.wait_for_url(re.compile(rf"/annotations/{claim.pk}/#comments$"))
    assert page.locator(".comment-body").last.inner_text() == (
        '<script>alert("x")</script><img src=x onerror=alert(2)>'
    )
    assert page.locator("#comments img").count() == 0
    assert page.dialogs == []
    assert page.js_errors == []


def test_queue_shortcuts_help_opens_with_question_mark_and_closes_with_escape(
    page, editor, reviewer, claim
):
    services.annotation_assign(actor=editor, annotation_id=claim.pk, reviewer=reviewer)
    login(page, "reviewer")
    page.goto("/queue/")
    help_box = page.locator("#shortcuts")
    assert help_box.is_hidden()
    page.keyboard.press("?")
    help_box.wait_for(state="visible")
    assert re.search(r"j\s+next item", help_box.inner_text())
    page.keyboard.press("Escape")
    help_box.wait_for(state="hidden")
    page.keyboard.press("j")
    page.keyboard.press("k")
    assert page.locator(f'tr[data-id="{claim.pk}"]').get_attribute("class").count("selected") == 1


def checked_at(check: SourceCheck) -> str:
    """The "checked …" line the review page prints for a finished check (en, local time)."""
    with translation.override("en"):
        when = date_format(timezone.localtime(check.finished_at), "DATETIME_FORMAT")
    return f"checked {when}"


def test_an_evidence_check_shows_pending_then_its_result_and_reruns_from_the_review_page(
    page, worker, site, editor, reviewer, claim
):
    url = site.add(
        "/haushalt",
        "<html><head><title>Haushaltsplan 2024</title></head><body><article><p>"
        "Die Bundesregierung hat am Mittwoch 4,2 Milliarden Euro für den Ausbau der Schiene "
        "freigegeben, meldet die Pressestelle.</p></article></body></html>",
        stall=True,  # held until site.release is set
    )
    services.annotation_assign(actor=editor, annotation_id=claim.pk, reviewer=reviewer)
    evidence = services.evidence_add(actor=reviewer, annotation_id=claim.pk, url=url)
    login(page, "reviewer")
    page.goto(f"/annotations/{claim.pk}/")
    page.evaluate("window.stillTheSamePage = true")

    # The worker is waiting for the site: the item shows the check as unfinished.
    item = page.locator(f"#evidence-{evidence.pk}")
    assert item.get_attribute("data-check-status") in ("pending", "running")
    assert re.search(r"\b(Pending|Running)\b", item.locator(".status").inner_text())
    assert "requested " in item.locator(".check-result").inner_text()
    wait_for(lambda: site.requests["/haushalt"] == 1, message="the worker reaching the site")

    # Released, the worker's result replaces the pending state without a reload.
    site.release.set()
    page.locator(f'#evidence-{evidence.pk}[data-check-status="done"]').wait_for()
    first = SourceCheck.objects.get(evidence=evidence)
    assert first.status == SourceCheck.Status.DONE
    result = item.locator(".check-result").inner_text()
    assert "Done" in result
    assert "HTTP 200" in result
    assert "“Haushaltsplan 2024”" in result
    assert "quote found (100%)" in result
    assert checked_at(first) in result
    assert page.evaluate("window.stillTheSamePage") is True

    # The site now says something else; re-run from the review page, held again.
    site.add(
        "/haushalt",
        "<html><head><title>Haushaltsplan 2025</title></head><body><article><p>"
        "Der Haushaltsplan nennt für die Schiene 3,1 Milliarden Euro im kommenden Jahr, "
        "teilt das Ministerium mit.</p></article></body></html>",
        stall=True,
    )
    site.release.clear()
    page.click("#rerun-checks")
    page.wait_for_url(re.compile(rf"/annotations/{claim.pk}/#evidence$"))
    page.get_by_text("The sources are being checked again.").wait_for()
    assert SourceCheck.objects.filter(evidence=evidence).count() == 2
    again = SourceCheck.objects.filter(evidence=evidence).latest("pk")
    assert again.pk != first.pk
    assert again.requested_by == reviewer
    assert item.get_attribute("data-check-status") in ("pending", "running")
    page.evaluate("window.stillTheSamePage = true")
    wait_for(lambda: site.requests["/haushalt"] == 2, message="the re-run reaching the site")

    site.release.set()
    page.locator(f'#evidence-{evidence.pk}[data-check-status="done"]').wait_for()
    again.refresh_from_db()
    assert again.status == SourceCheck.Status.DONE
    result = item.locator(".check-result").inner_text()
    assert "“Haushaltsplan 2025”" in result
    assert "quote not found" in result
    assert "quote found" not in result
    assert checked_at(again) in result
    assert page.evaluate("window.stillTheSamePage") is True
    assert SourceCheck.objects.get(pk=first.pk).status == SourceCheck.Status.DONE
    assert page.js_errors == []
    assert page.dialogs == []
