import pytest
from datetime import timedelta
from django.utils import timezone
from annotations import services
from tests.conftest import login
from tests.factories import make_annotation

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True)]

def test_shots(page, editor, reviewer, chief, article):
    claim = make_annotation(editor, article, "4,2 Milliarden Euro für den Ausbau der Schiene freigegeben", note="Zahl prüfen: Haushaltsplan?")
    op = make_annotation(editor, article, "ein guter Tag für Pendler", label="opinion")
    services.annotation_assign(actor=editor, annotation_id=claim.pk, reviewer=reviewer, due_at=timezone.now()-timedelta(days=2, hours=2))
    services.annotation_assign(actor=editor, annotation_id=op.pk, reviewer=reviewer, due_at=timezone.now()+timedelta(days=3))
    services.evidence_add(actor=reviewer, annotation_id=claim.pk, url="https://example.org/haushalt", title="Haushaltsplan 2024")
    services.comment_add(actor=editor, annotation_id=claim.pk, body="Bitte bis Freitag.")
    page.set_viewport_size({"width": 1300, "height": 900})
    login(page, "reviewer")
    page.goto("/queue/")
    page.keyboard.press("j")
    page.screenshot(path="/tmp/shot_queue.png", full_page=True)
    page.goto(f"/annotations/{claim.pk}/")
    page.keyboard.press("6")
    page.fill("#id_rationale", "Laut **Haushaltsplan** sind es 3,1 Milliarden.")
    page.screenshot(path="/tmp/shot_review.png", full_page=True)
    page.click("#propose-button")
    page.wait_for_url("**/annotations/*/")
    page.context.clear_cookies()
    login(page, "chief")
    page.goto("/approvals/")
    page.screenshot(path="/tmp/shot_approvals.png", full_page=True)
    v = claim.verdicts.get()
    services.verdict_approve(actor=chief, verdict_id=v.pk)
    page.goto(f"/articles/{article.pk}/report/")
    page.screenshot(path="/tmp/shot_report.png", full_page=True)
    assert page.js_errors == []
