"""The claim's claimant in the annotate panel, in real Chromium and by keyboard only: an
editor picks a known claimant by an alias and creates a new one from the combobox, a
reviewer only reads it, and a claim suggestion shows the claimant it proposes."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from annotations import services
from annotations.models import Annotation, Claimant
from tests.conftest import login, wait_for
from tests.factories import make_annotation, make_article

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SPOKEN = (
    "Die Arbeitslosigkeit ist im Mai auf 5,8 Prozent gestiegen, sagte Bundeskanzler Olaf "
    "Scholz am Montag in Berlin.\n"
)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def focus_claimant_field(page) -> None:
    """From the selected annotation's note (`e`), Tab on until the claimant field has the
    focus: the keyboard's way there, however many controls lie between."""
    page.keyboard.press("e")
    for _ in range(8):
        if page.evaluate("document.activeElement && document.activeElement.id") == (
            "claimant-input"
        ):
            return
        page.keyboard.press("Tab")
    pytest.fail("Tab never reached the claimant field")


def test_an_editor_picks_a_claimant_by_alias_and_creates_one_by_keyboard(page, editor):
    destatis = services.claimant_create(
        actor=editor, name="Statistisches Bundesamt", kind="organisation", aliases=["Destatis"]
    )
    article = make_article(editor)
    claim = make_annotation(
        editor, article, "4,2 Milliarden Euro für den Ausbau der Schiene freigegeben"
    )
    login(page, "editor")
    page.goto(f"/articles/{article.pk}/")
    page.wait_for_selector("#annotation-list")
    page.locator("body").press("j")  # the first annotation of the list: the claim
    page.wait_for_selector("#claimant-section:not([hidden])")
    assert page.locator("#claimant-current").inner_text() == "Nobody named yet."

    focus_claimant_field(page)
    field = page.locator("#claimant-input")
    assert field.get_attribute("role") == "combobox"
    assert field.get_attribute("aria-expanded") == "false"
    page.keyboard.type("destat")
    option = page.locator("#claimant-options [role=option]").first
    option.wait_for()
    assert field.get_attribute("aria-expanded") == "true"
    assert option.inner_text().startswith("Statistisches Bundesamt")
    assert "also known as Destatis" in option.inner_text()
    assert option.get_attribute("aria-selected") == "true"
    assert field.get_attribute("aria-activedescendant") == option.get_attribute("id")
    page.keyboard.press("Enter")
    wait_for(
        lambda: Annotation.objects.get(pk=claim.pk).claimant_id == destatis.pk,
        message="the picked claimant",
    )
    expect(page.locator("#claimant-current")).to_have_text("Statistisches Bundesamt (Organisation)")
    assert page.locator("#claimant-status").inner_text() == "Claimant: Statistisches Bundesamt"
    assert field.get_attribute("aria-expanded") == "false"

    # A name nobody has yet: the list offers it as a new person or organisation.
    field.focus()
    page.keyboard.type("Olaf Scholz")
    create = page.locator("#claimant-options [role=option]", has_text="Create new: Olaf Scholz")
    create.first.wait_for()
    assert create.all_inner_texts() == [
        "Create new: Olaf Scholz (Person)",
        "Create new: Olaf Scholz (Organisation)",
    ]
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")
    assert create.first.get_attribute("aria-selected") == "true"
    page.keyboard.press("Enter")
    scholz = wait_for(
        lambda: Claimant.objects.filter(name="Olaf Scholz", kind="person").first(),
        message="the new claimant",
    )
    wait_for(
        lambda: Annotation.objects.get(pk=claim.pk).claimant_id == scholz.pk,
        message="the new claimant named on the claim",
    )
    expect(page.locator("#claimant-current")).to_have_text("Olaf Scholz (Person)")
    assert Annotation.objects.get(pk=claim.pk).version == 3
    assert page.js_errors == []


def test_escape_closes_the_list_and_a_claimant_can_be_removed(page, editor):
    article = make_article(editor)
    claim = make_annotation(editor, article, "Die Bundesregierung")
    scholz = services.claimant_create(actor=editor, name="Olaf Scholz", kind="person")
    services.annotation_claimant_set(actor=editor, annotation_id=claim.pk, claimant_id=scholz.pk)
    login(page, "editor")
    page.goto(f"/articles/{article.pk}/")
    page.wait_for_selector("#annotation-list")
    page.locator("body").press("j")
    page.wait_for_selector("#claimant-section:not([hidden])")
    assert page.locator("#claimant-current").inner_text() == "Olaf Scholz (Person)"
    focus_claimant_field(page)
    page.keyboard.type("Olaf")
    page.locator("#claimant-options [role=option]").first.wait_for()
    page.keyboard.press("Escape")
    assert page.locator("#claimant-options").is_hidden()
    assert page.locator("#detail-panel").is_visible()  # Esc closed the list, not the panel
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.id") == "claimant-clear"
    page.keyboard.press("Enter")
    wait_for(lambda: Annotation.objects.get(pk=claim.pk).claimant_id is None, message="removal")
    expect(page.locator("#claimant-current")).to_have_text("Nobody named yet.")


def test_a_reviewer_sees_the_claimant_but_no_field(page, editor, reviewer):
    article = make_article(editor)
    claim = make_annotation(editor, article, "Die Bundesregierung")
    scholz = services.claimant_create(actor=editor, name="Olaf Scholz", kind="person")
    services.annotation_claimant_set(actor=editor, annotation_id=claim.pk, claimant_id=scholz.pk)
    login(page, "reviewer")
    page.goto(f"/articles/{article.pk}/")
    page.wait_for_selector("#annotation-list")
    page.locator("body").press("j")
    page.wait_for_selector("#claimant-section:not([hidden])")
    assert page.locator("#claimant-current").inner_text() == "Olaf Scholz (Person)"
    assert page.locator("#claimant-picker").is_hidden()
    assert page.locator("#claimant-clear").is_hidden()


def test_a_claim_suggestion_shows_its_claimant_and_accepting_names_it(worker, page, editor):
    scholz = services.claimant_create(
        actor=editor, name="Olaf Scholz", kind="person", aliases=["Scholz"]
    )
    article = make_article(editor, title="Arbeitsmarkt", body=SPOKEN)
    # The worker's analysis of the new article (the job article_create queued).
    suggestion = wait_for(
        lambda: article.suggestions.filter(label__slug="claim", status="pending").first(),
        message="the worker's claim suggestion",
    )
    assert suggestion.speaker == "Bundeskanzler Olaf Scholz"
    login(page, "editor")
    page.goto(f"/articles/{article.pk}/")
    page.click("#suggestions-toggle")
    mark = page.locator(f"#article-text mark[data-sid='{suggestion.pk}']")
    mark.wait_for()
    mark.focus()
    page.wait_for_selector("#suggestion-card:not([hidden])")
    assert page.locator("#suggestion-card .sg-claimant").inner_text() == "Claimant: Olaf Scholz"
    page.keyboard.press("Enter")
    annotation = wait_for(
        lambda: Annotation.objects.filter(article=article, label__slug="claim").first(),
        message="the accepted claim",
    )
    assert annotation.claimant == scholz
    assert page.js_errors == []
