"""A chief's final verdict of a double review refused in real Chromium: the form comes back
open with the rating and words as typed, and the field in error has the focus. And the
second reviewer's page shows nothing of the first reviewer's sealed evidence."""

from __future__ import annotations

import pytest

from annotations import services
from annotations.models import Verdict
from tests.conftest import login
from tests.factories import make_annotation, make_article

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QUOTE = "4,2 Milliarden Euro für den Ausbau der Schiene freigegeben"
RATIONALE = "Der Haushaltsplan nennt 3,1 Milliarden Euro: die Zahl ist falsch."
SEALED_URL = "https://example.org/versiegelter-beleg"
SEALED_NOTE = "Versiegelte Notiz der ersten Prüferin"


def test_a_refused_final_verdict_keeps_the_words_and_focuses_the_error(
    page, editor, chief, reviewer, other_reviewer
):
    claim = make_annotation(editor, make_article(editor), QUOTE)
    services.double_review_request(
        actor=chief, annotation_id=claim.pk, reviewers=[reviewer, other_reviewer]
    )
    for who, rating, url in ((reviewer, "false", "a"), (other_reviewer, "true", "b")):
        services.verdict_propose(
            actor=who,
            annotation_id=claim.pk,
            rating=rating,
            rationale=RATIONALE,
            evidence=[services.EvidenceInput(url=f"https://example.org/{url}")],
        )

    login(page, "chief")
    page.goto("/approvals/")
    page.click(".final-verdict summary")
    page.check(".final-verdict-form input[name=rating][value=half-true]")
    page.fill(f"#final-rationale-{claim.pk}", "Zu kurz.")
    page.click(".final-verdict-form button[type=submit]")
    page.wait_for_selector(".final-verdict-form p.error")

    field = f"#final-rationale-{claim.pk}"
    assert page.input_value(field) == "Zu kurz."
    assert page.is_checked(".final-verdict-form input[name=rating][value=half-true]")
    assert "needs at least 20 characters" in page.inner_text(".final-verdict-form p.error")
    page.wait_for_function(f"document.activeElement === document.querySelector('{field}')")
    assert not Verdict.objects.filter(annotation=claim, is_blind=False).exists()
    assert page.js_errors == []


def test_the_second_reviewer_sees_nothing_of_the_first_ones_evidence(
    page, editor, chief, reviewer, other_reviewer
):
    claim = make_annotation(editor, make_article(editor), QUOTE)
    services.double_review_request(
        actor=chief, annotation_id=claim.pk, reviewers=[reviewer, other_reviewer]
    )
    services.verdict_propose(
        actor=reviewer,
        annotation_id=claim.pk,
        rating="false",
        rationale=RATIONALE,
        evidence=[services.EvidenceInput(url=SEALED_URL, note=SEALED_NOTE)],
    )

    login(page, "reviewer2")
    page.goto(f"/annotations/{claim.pk}/")
    content = page.content()
    assert SEALED_URL not in content and SEALED_NOTE not in content
    assert page.js_errors == []
