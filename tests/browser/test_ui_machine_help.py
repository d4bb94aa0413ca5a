"""Machine help in real Chromium with the real worker (issue 7): a reviewer sees that a claim
was checked before in another article and reuses that verdict's evidence in one click; an
editor accepts and dismisses suggestions from the keyboard, and a dismissal survives a text
edit of another paragraph once the worker has analysed the new text."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from annotations import services
from annotations.models import Annotation, Article, Event, Evidence, SourceCheck, Suggestion
from tests.conftest import login, wait_for
from tests.factories import make_annotation, make_article
from tests.source_site import SourceSite, running_site

pytestmark = [
    pytest.mark.browser,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """These tests are about the pages, not the hash. (The live server shares settings.)"""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def site(settings) -> Iterator[SourceSite]:
    """Sources the worker may fetch (in FETCH_ALLOW_HOSTS)."""
    with running_site() as source:
        settings.FETCH_ALLOW_HOSTS = [source.host_port]
        yield source


def analysed(article: Article, revision: int) -> bool:
    return Event.objects.filter(
        article=article, verb="article.analysed", data__revision=revision
    ).exists()


# --- similar claims checked before -----------------------------------------------------------

FIRST = (
    "Berlin – Die Bundesregierung hat am Mittwoch 4,2 Milliarden Euro für den Ausbau der "
    "Schiene freigegeben. Das teilte das Ministerium mit.\n"
)
SECOND = (
    "Hamburg – Wie bereits berichtet, hat die Bundesregierung am Mittwoch 4,2 Milliarden Euro "
    "für den Schienenausbau freigegeben. Pendler hoffen auf mehr Züge.\n"
)
EARLIER_QUOTE = (
    "Die Bundesregierung hat am Mittwoch 4,2 Milliarden Euro für den Ausbau der Schiene freigegeben"
)
REPEAT_QUOTE = (
    "hat die Bundesregierung am Mittwoch 4,2 Milliarden Euro für den Schienenausbau freigegeben"
)
SOURCE_PAGE = (
    "<html><head><title>{title}</title></head><body><article><p>Die Bundesregierung hat am "
    "Mittwoch 4,2 Milliarden Euro für den Schienenausbau freigegeben.</p></article></body></html>"
)


def test_reviewer_sees_the_earlier_verdict_and_reuses_its_evidence_in_one_click(
    page, worker, site, editor, reviewer, other_reviewer, chief
):
    protokoll = site.add("/protokoll", SOURCE_PAGE.format(title="Kabinettsprotokoll"))
    beschluss = site.add("/beschluss", SOURCE_PAGE.format(title="Beschluss"))
    first = make_article(editor, title="Erste Meldung", body=FIRST)
    earlier = make_annotation(editor, first, EARLIER_QUOTE)
    services.annotation_assign(actor=editor, annotation_id=earlier.pk, reviewer=other_reviewer)
    services.evidence_add(
        actor=other_reviewer,
        annotation_id=earlier.pk,
        url=protokoll,
        title="Kabinettsprotokoll",
        note="Seite 3, Tagesordnungspunkt 7",
    )
    verdict = services.verdict_propose(
        actor=other_reviewer,
        annotation_id=earlier.pk,
        rating="true",
        rationale="Der Kabinettsbeschluss vom Mittwoch nennt genau diese Summe.",
        evidence=[services.EvidenceInput(url=beschluss, title="Beschluss")],
    )
    services.verdict_approve(actor=chief, verdict_id=verdict.pk)
    second = make_article(editor, title="Zweite Meldung", body=SECOND)
    repeat = make_annotation(editor, second, REPEAT_QUOTE)
    services.annotation_assign(actor=editor, annotation_id=repeat.pk, reviewer=reviewer)

    login(page, "reviewer")
    page.goto(f"/annotations/{repeat.pk}/")
    similar = page.locator(f"#similar-{verdict.pk}")
    assert similar.locator(".similar-quote").inner_text() == EARLIER_QUOTE
    assert similar.locator(".rating-badge").inner_text() == "True"
    assert "decided " in similar.locator("time").inner_text()
    article_link = similar.locator("a.similar-article")
    assert article_link.inner_text() == "Erste Meldung"
    assert article_link.get_attribute("href") == f"/articles/{first.pk}/report/"
    assert page.locator(".evidence-item").count() == 0

    similar.get_by_role("button", name="Reuse its evidence (2 sources)").click()
    page.wait_for_url(re.compile(rf"/annotations/{repeat.pk}/#evidence$"))
    page.get_by_text("2 evidence items reused; their sources are being checked.").wait_for()
    items = page.locator(".evidence-item")
    assert items.count() == 2
    assert items.nth(0).locator(".evidence-link").inner_text() == "Kabinettsprotokoll"
    assert items.nth(0).locator(".note").inner_text() == "Seite 3, Tagesordnungspunkt 7"
    assert "added by reviewer" in items.nth(0).inner_text()
    assert items.nth(1).locator(".evidence-link").inner_text() == "Beschluss"
    assert page.locator(f"#similar-{verdict.pk} .reused").inner_text() == (
        "Its evidence is already here."
    )
    # Each copy got its own source check, which the worker runs; the list updates live.
    page.locator('.evidence-item[data-check-status="done"]').nth(1).wait_for()
    copies = Evidence.objects.filter(annotation=repeat)
    assert {e.added_by.username for e in copies} == {"reviewer"}
    assert set(SourceCheck.objects.filter(annotation=repeat).values_list("url", "status")) == {
        (protokoll, "done"),
        (beschluss, "done"),
    }
    assert page.js_errors == []


# --- suggestions from the keyboard, across a text edit ---------------------------------------

PARAGRAPH_ONE = (
    "Berlin – Die Bundesregierung hat am Mittwoch 4,2 Milliarden Euro für den Ausbau der "
    "Schiene freigegeben. Das teilte das Ministerium mit."
)
PARAGRAPH_TWO = (
    "Kritiker meinen, das Geld könnte zu spät kommen. Der Verband glaubt, die Summe reiche "
    "nicht. Insidern zufolge will der Konzern bis Jahresende 2.000 Stellen abbauen."
)
EDITED_ONE = (
    "Berlin – Die Bundesregierung hat am Mittwoch 5,1 Milliarden Euro für den Ausbau der "
    "Schiene freigegeben. Im Jahr 2023 waren es 3,9 Milliarden Euro. Das teilte das "
    "Ministerium mit."
)
DISMISSED = "Der Verband glaubt, die Summe reiche nicht."
ACCEPTED = "Insidern zufolge"
NEW_CLAIM = "Im Jahr 2023 waren es 3,9 Milliarden Euro."


def pending(article: Article, exact: str, label: str) -> Suggestion | None:
    return Suggestion.objects.filter(
        article=article, status="pending", exact=exact, label__slug=label
    ).first()


def show_suggestions(page) -> None:
    page.click("#suggestions-toggle")
    page.wait_for_selector("#article-text mark[data-sid]")


def test_a_dismissed_suggestion_stays_dismissed_after_another_paragraph_is_edited(
    page, worker, editor
):
    article = make_article(
        editor, title="Zwei Absätze", body=f"{PARAGRAPH_ONE}\n\n{PARAGRAPH_TWO}\n"
    )
    wait_for(lambda: analysed(article, 1), message="the worker's analysis of revision 1")
    dismissed = pending(article, DISMISSED, "opinion")
    accepted = pending(article, ACCEPTED, "source")
    assert dismissed and accepted, "the cues found the spans this test works with"

    login(page, "editor")
    page.goto(f"/articles/{article.pk}/")
    show_suggestions(page)
    # Dismiss one and accept another in the second paragraph, from the keyboard.
    page.locator(f"#article-text mark[data-sid='{dismissed.pk}']").focus()
    page.keyboard.press("Backspace")
    wait_for(
        lambda: Suggestion.objects.get(pk=dismissed.pk).status == "dismissed",
        message="the dismissal",
    )
    page.locator(f"#article-text mark[data-sid='{dismissed.pk}']").wait_for(state="detached")
    page.locator(f"#article-text mark[data-sid='{accepted.pk}']").focus()
    page.keyboard.press("Enter")
    annotation = wait_for(
        lambda: Annotation.objects.filter(article=article, exact=ACCEPTED).first(),
        message="the accepted suggestion's annotation",
    )
    assert (annotation.label.slug, annotation.created_by) == ("source", editor)

    # Edit the first paragraph through the page; everything after it moves.
    page.click("#edit-text-button")
    page.fill("#text-input", f"{EDITED_ONE}\n\n{PARAGRAPH_TWO}\n")
    page.click("#text-editor button[type=submit]")
    page.locator("#reanchor-banner").get_by_text("Text saved as revision 2.").wait_for()
    wait_for(lambda: analysed(article, 2), message="the worker's analysis of revision 2")

    # The dismissed span is not suggested again; the edited paragraph's suggestions are new.
    assert pending(article, DISMISSED, "opinion") is None
    assert pending(article, ACCEPTED, "source") is None
    fresh = pending(article, NEW_CLAIM, "claim")
    assert fresh is not None and fresh.revision == 2
    assert not Suggestion.objects.filter(
        article=article, status="pending", exact__contains="4,2 Milliarden"
    ).exists()
    annotation.refresh_from_db()
    assert (annotation.exact, annotation.anchor_state) == (ACCEPTED, "anchored")

    page.reload()
    show_suggestions(page)
    new_mark = page.locator(f"#article-text mark[data-sid='{fresh.pk}']")
    assert new_mark.inner_text() == NEW_CLAIM
    outlined = page.locator("#article-text mark[data-sids]").all_inner_texts()
    assert outlined, "the suggestions are drawn"
    assert not any("Verband" in text for text in outlined)
    assert page.locator("#suggestion-count").inner_text() == str(
        Suggestion.objects.filter(article=article, status="pending").count()
    )

    # The new claim is accepted from the keyboard too.
    new_mark.focus()
    page.keyboard.press("Enter")
    wait_for(
        lambda: Annotation.objects.filter(article=article, exact=NEW_CLAIM).exists(),
        message="the new claim's annotation",
    )
    assert Suggestion.objects.get(pk=fresh.pk).status == "accepted"
    assert page.js_errors == []
