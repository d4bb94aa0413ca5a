"""The verdict form's keyboard in real Chromium: keys 1 to 7 pick the ratings of the scale
in order, each shown with its description; typing a digit in the rationale stays text."""

from __future__ import annotations

import pytest

from annotations import services
from annotations.models import Rating
from tests.conftest import login
from tests.factories import make_annotation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QUOTE = "4,2 Milliarden Euro für den Ausbau der Schiene freigegeben"


def test_keys_one_to_seven_choose_each_rating_in_order(page, editor, reviewer, article):
    claim = make_annotation(editor, article, QUOTE)
    services.annotation_assign(actor=editor, annotation_id=claim.pk, reviewer=reviewer)
    ratings = list(Rating.objects.order_by("order", "slug"))
    assert len(ratings) == 7
    login(page, "reviewer")
    page.goto(f"/annotations/{claim.pk}/")
    for key, rating in enumerate(ratings, start=1):
        option = page.locator(f"label[for='rating-{rating.slug}']")
        assert rating.description[:20] in option.inner_text()
        page.evaluate("document.activeElement && document.activeElement.blur()")
        page.keyboard.press(str(key))
        checked = [r.slug for r in ratings if page.locator(f"#rating-{r.slug}").is_checked()]
        assert checked == [rating.slug], f"key {key}"
    # In the rationale a digit is text, not a shortcut.
    page.click("#id_rationale")
    page.keyboard.type("3 Quellen")
    assert page.locator("#id_rationale").input_value() == "3 Quellen"
    assert page.locator(f"#rating-{ratings[-1].slug}").is_checked()
    assert page.js_errors == []
