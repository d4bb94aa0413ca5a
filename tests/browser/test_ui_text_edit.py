"""Two editors edit the same article text in real Chromium: the later save, based on an
older revision, is refused with a message, and neither text is lost."""

from __future__ import annotations

import pytest

from annotations import services, text
from annotations.models import Article, ArticleRevision
from tests.conftest import login
from tests.factories import GERMAN_TEXT, make_article

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_stale_text_save_is_refused_and_what_was_typed_stays(page, editor, chief):
    article = make_article(editor)
    login(page, "editor")
    page.goto(f"/articles/{article.pk}/")
    page.wait_for_selector("#annotation-list")
    page.click("#edit-text-button")
    mine = GERMAN_TEXT + "\nNachtrag der Redaktion.\n"
    page.fill("#text-input", mine)

    # Meanwhile the chief saves another text from revision 1.
    theirs = "Eilmeldung. " + GERMAN_TEXT
    services.article_update(
        actor=chief, article_id=article.pk, fields={}, body=theirs, expected_revision=1
    )

    page.click("#text-editor button[type=submit]")
    status = page.locator("#text-editor .form-status")
    status.filter(has_text="Someone saved a newer text").wait_for()
    assert page.locator("#text-input").input_value() == mine
    assert page.locator("#text-editor").is_visible()
    stored = Article.objects.get(pk=article.pk)
    assert (stored.revision, stored.text) == (2, text.normalise(theirs))
    assert ArticleRevision.objects.filter(article=article).count() == 2

    # After a reload the editor works on revision 2 and the save goes through.
    page.reload()
    page.wait_for_selector("#annotation-list")
    page.click("#edit-text-button")
    page.fill("#text-input", stored.text + "\nNachtrag der Redaktion.\n")
    page.click("#text-editor button[type=submit]")
    page.locator("#reanchor-banner").wait_for(state="visible")
    assert Article.objects.get(pk=article.pk).revision == 3
