"""Issue 11 in real Chromium: a chief sees the publish gate's warnings, acknowledges each and
publishes; a double click on "add evidence" adds one evidence."""

from __future__ import annotations

import re

import pytest

from annotations import services
from annotations.models import Article, Event, Evidence, SourceCheck
from tests.conftest import login
from tests.factories import make_annotation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RATIONALE = "Der Haushaltsplan nennt eine andere Summe, nämlich 3,1 Milliarden."


def test_chief_acknowledges_the_gate_warnings_and_publishes(
    page, editor, reviewer, chief, article, claim
):
    services.annotation_assign(actor=editor, annotation_id=claim.pk, reviewer=reviewer)
    verdict = services.verdict_propose(
        actor=reviewer,
        annotation_id=claim.pk,
        rating="false",
        rationale=RATIONALE,
        # Refused by the fetch guard before any connection: the check ends `blocked`.
        evidence=[services.EvidenceInput(url="http://127.0.0.1:9/haushalt")],
    )
    services.verdict_approve(actor=chief, verdict_id=verdict.pk)
    via = make_annotation(editor, article, "Source / Quelle: Via", label="source")
    for check in SourceCheck.objects.filter(status="pending"):
        services.source_check_run(check_id=check.pk)

    login(page, "chief")
    page.goto(f"/articles/{article.pk}/")
    gate = page.locator("#publish-gate")
    gate.locator("summary").click()
    warnings = gate.locator(".gate-warning")
    assert warnings.count() == 2
    assert "could not be checked" in warnings.nth(0).inner_text()
    assert "is vague" in warnings.nth(1).inner_text()

    # Unacknowledged warnings keep the form from being sent at all.
    gate.locator("#publish-button").click()
    assert Article.objects.get(pk=article.pk).status != "published"
    warnings.nth(0).locator("input").check()
    warnings.nth(1).locator("input").check()
    gate.locator("#publish-button").click()
    page.wait_for_url(re.compile(rf"/articles/{article.pk}/report/$"))
    assert Article.objects.get(pk=article.pk).status == "published"

    acknowledged = Event.objects.filter(verb="article.warning_acknowledged").order_by("id")
    assert [(e.actor.username, e.annotation_id) for e in acknowledged] == [
        ("chief", claim.pk),
        ("chief", via.pk),
    ]
    page.goto(f"/annotations/{claim.pk}/")
    history = page.locator("#history").inner_text()
    assert "chief" in history and "acknowledged before publishing" in history
    assert page.js_errors == []


def test_a_double_click_on_add_evidence_adds_one_evidence(page, editor, reviewer, claim):
    services.annotation_assign(actor=editor, annotation_id=claim.pk, reviewer=reviewer)
    login(page, "reviewer")
    page.goto(f"/annotations/{claim.pk}/")
    page.fill("#id_url", "https://example.org/haushalt")
    page.dblclick("#add-evidence")
    page.wait_for_url(re.compile(rf"/annotations/{claim.pk}/#evidence$"))
    assert Evidence.objects.filter(annotation=claim).count() == 1
    assert SourceCheck.objects.filter(annotation=claim).count() == 1
    assert page.js_errors == []
