"""The reviewer queue's order, driven through the services: the queue sorts by copies of
the annotation's priority and check-worthiness on each assignment (no join), so every
service that changes them must move the item. Also: a queue row is the annotation object
of the API, and the badges of the queue tell Speculation from Source."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override
from rest_framework.test import APIClient

from annotations import selectors, services
from annotations.models import Assignment, Label
from tests.factories import api_token, make_annotation, make_article

pytestmark = pytest.mark.django_db

BODY = (
    "Der Konzern streicht 2.000 Stellen. Die Regierung gab 4,2 Milliarden Euro im Jahr 2023 "
    "frei. Das Wetter war schön. Der Konzern dürfte 2.000 Stellen streichen. Eins. Zwei. "
    "Drei. Vier.\n"
)
STRONG = "Die Regierung gab 4,2 Milliarden Euro im Jahr 2023 frei."
MEDIUM = "Der Konzern streicht 2.000 Stellen."
WEAK = "Der Konzern dürfte 2.000 Stellen streichen."
RATIONALE = "Der Haushaltsplan nennt eine andere Summe auf Seite 12."


def api_queue(user, **params) -> list[int]:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
    response = client.get("/api/v1/queue/", params)
    assert response.status_code == 200
    return [row["id"] for row in response.json()["results"]]


def page_queue(client, user, **params) -> list[int]:
    client.force_login(user)
    html = client.get(reverse("annotations:queue"), params).content.decode()
    return [int(i) for i in re.findall(r'<tr data-id="(\d+)"', html)]


@pytest.fixture
def article(editor):
    return make_article(editor, title="Reihenfolge", body=BODY)


def item(editor, reviewer, article, quote, *, label="claim", due=None, **extra):
    annotation = make_annotation(editor, article, quote, label=label, **extra)
    services.annotation_assign(
        actor=editor, annotation_id=annotation.pk, reviewer=reviewer, due_at=due
    )
    return annotation


def test_overdue_items_come_first_even_with_low_priority(editor, reviewer, article):
    now = timezone.now()
    urgent = item(editor, reviewer, article, "Eins", priority=4, due=now + timedelta(hours=1))
    overdue = item(editor, reviewer, article, "Zwei", priority=1, due=now - timedelta(hours=1))
    assert api_queue(reviewer) == [overdue.pk, urgent.pk]


def test_overdue_items_are_ordered_by_priority_then_due_date(editor, reviewer, article):
    now = timezone.now()
    old_low = item(editor, reviewer, article, "Eins", priority=1, due=now - timedelta(days=3))
    recent_high = item(editor, reviewer, article, "Zwei", priority=3, due=now - timedelta(hours=1))
    old_high = item(editor, reviewer, article, "Drei", priority=3, due=now - timedelta(days=2))
    assert api_queue(reviewer) == [old_high.pk, recent_high.pk, old_low.pk]


def test_items_without_due_date_come_after_dated_ones_of_the_same_priority(
    editor, reviewer, article
):
    undated = item(editor, reviewer, article, "Eins")
    dated = item(editor, reviewer, article, "Zwei", due=timezone.now() + timedelta(days=9))
    assert api_queue(reviewer) == [dated.pk, undated.pk]


def test_raising_the_priority_moves_the_item_up(editor, reviewer, article):
    first = item(editor, reviewer, article, "Zwei")
    second = item(editor, reviewer, article, "Drei")
    assert api_queue(reviewer) == [first.pk, second.pk]
    services.annotation_update(
        actor=editor, annotation_id=second.pk, changes={"priority": 4}, expected_version=None
    )
    assert api_queue(reviewer) == [second.pk, first.pk]
    assert Assignment.objects.get(annotation=second).priority == 4


def test_lowering_the_priority_moves_the_item_down(editor, reviewer, article, client):
    first = item(editor, reviewer, article, "Zwei", priority=3)
    second = item(editor, reviewer, article, "Drei", priority=3)
    services.annotation_update(
        actor=editor, annotation_id=first.pk, changes={"priority": 1}, expected_version=None
    )
    assert api_queue(reviewer) == [second.pk, first.pk]
    assert page_queue(client, reviewer) == [second.pk, first.pk]


def test_equal_priority_and_due_date_are_ordered_by_checkworthiness(editor, reviewer, article):
    due = timezone.now() + timedelta(days=2)
    weak = item(editor, reviewer, article, WEAK, due=due)
    strong = item(editor, reviewer, article, STRONG, due=due)
    medium = item(editor, reviewer, article, MEDIUM, due=due)
    assert api_queue(reviewer) == [strong.pk, medium.pk, weak.pk]


def test_the_queue_sorts_most_check_worthy_first_on_request(editor, reviewer, article, client):
    """Overdue and urgent items lead the default order; sorted by check-worthiness the
    strongest claim leads, and the queue order breaks its ties."""
    now = timezone.now()
    weak = item(editor, reviewer, article, WEAK, due=now - timedelta(days=1))
    medium = item(editor, reviewer, article, MEDIUM, priority=4)
    strong = item(editor, reviewer, article, STRONG)
    opinion = item(editor, reviewer, article, "Das Wetter war schön.", label="opinion")
    assert api_queue(reviewer) == [weak.pk, medium.pk, strong.pk, opinion.pk]
    by_worth = [strong.pk, medium.pk, weak.pk, opinion.pk]
    assert api_queue(reviewer, ordering="-checkworthiness") == by_worth
    assert page_queue(client, reviewer, sort="checkworthy") == by_worth
    html = client.get(reverse("annotations:queue"), {"sort": "checkworthy"}).content.decode()
    assert '<option value="checkworthy" selected>' in html
    assert 'class="checkworthiness"' in html


def test_an_unknown_queue_ordering_answers_400(reviewer):
    client = APIClient()
    client.force_authenticate(reviewer)
    response = client.get("/api/v1/queue/", {"ordering": "priority"})
    assert response.status_code == 400
    assert "ordering" in response.json()


def test_an_item_without_checkworthiness_comes_after_those_with_one(editor, reviewer, article):
    opinion = item(editor, reviewer, article, "Das Wetter war schön.", label="opinion")
    claim = item(editor, reviewer, article, WEAK)
    assert opinion.checkworthiness is None
    assert api_queue(reviewer) == [claim.pk, opinion.pk]


def test_relabelling_as_claim_gives_checkworthiness_and_moves_the_item(editor, reviewer, article):
    medium = item(editor, reviewer, article, MEDIUM)
    relabelled = item(editor, reviewer, article, STRONG, label="opinion")
    assert api_queue(reviewer) == [medium.pk, relabelled.pk]
    services.annotation_update(
        actor=editor, annotation_id=relabelled.pk, changes={"label": "claim"}, expected_version=None
    )
    assignment = Assignment.objects.get(annotation=relabelled)
    assert assignment.checkworthiness is not None
    assert assignment.checkworthiness > Assignment.objects.get(annotation=medium).checkworthiness
    assert api_queue(reviewer) == [relabelled.pk, medium.pk]


def test_the_same_keys_are_ordered_by_assignment_age(editor, reviewer, article):
    now = timezone.now()
    # Both quotes score the same check-worthiness, so age decides.
    later = item(editor, reviewer, article, "Drei")
    earlier = item(editor, reviewer, article, "Vier")
    Assignment.objects.filter(annotation=earlier).update(created_at=now - timedelta(hours=1))
    Assignment.objects.filter(annotation=later).update(created_at=now)
    assert api_queue(reviewer) == [earlier.pk, later.pk]


def test_withdrawing_takes_the_item_out_of_the_queue_and_its_count(editor, reviewer, article):
    kept = item(editor, reviewer, article, "Eins")
    withdrawn = item(editor, reviewer, article, "Zwei", priority=4)
    services.annotation_withdraw(actor=editor, annotation_id=withdrawn.pk)
    assert api_queue(reviewer) == [kept.pk]
    assert selectors.queue_for(reviewer).count() == 1


def test_rejecting_a_verdict_on_a_withdrawn_annotation_leaves_the_queue_empty(
    editor, reviewer, chief, article
):
    claim = item(editor, reviewer, article, STRONG)
    verdict = services.verdict_propose(
        actor=reviewer,
        annotation_id=claim.pk,
        rating="false",
        rationale=RATIONALE,
        evidence=[services.EvidenceInput(url="https://example.org/haushalt")],
    )
    services.annotation_withdraw(actor=editor, annotation_id=claim.pk)
    services.verdict_reject(actor=chief, verdict_id=verdict.pk, note="Quelle fehlt.")
    assert api_queue(reviewer) == []
    assert not Assignment.objects.filter(annotation=claim, state="pending").exists()


def test_a_rejected_item_returns_at_the_priority_it_was_given_meanwhile(
    editor, reviewer, chief, article
):
    waiting = item(editor, reviewer, article, "Eins", priority=3)
    returned = item(editor, reviewer, article, STRONG, priority=1)
    verdict = services.verdict_propose(
        actor=reviewer,
        annotation_id=returned.pk,
        rating="false",
        rationale=RATIONALE,
        evidence=[services.EvidenceInput(url="https://example.org/haushalt")],
    )
    services.annotation_update(
        actor=editor, annotation_id=returned.pk, changes={"priority": 4}, expected_version=None
    )
    services.verdict_reject(actor=chief, verdict_id=verdict.pk, note="Quelle fehlt.")
    assert api_queue(reviewer) == [returned.pk, waiting.pk]


def test_a_queue_row_is_the_annotation_object_with_its_assignment(editor, reviewer, chief, article):
    due = timezone.now() + timedelta(days=1)
    claim = item(editor, reviewer, article, STRONG, due=due, note="Zahl prüfen")
    verdict = services.verdict_propose(
        actor=reviewer,
        annotation_id=claim.pk,
        rating="false",
        rationale=RATIONALE,
        evidence=[services.EvidenceInput(url="https://example.org/haushalt")],
    )
    services.verdict_reject(actor=chief, verdict_id=verdict.pk, note="Quelle fehlt.")
    client = APIClient()
    client.force_authenticate(reviewer)
    [row] = client.get("/api/v1/queue/").json()["results"]
    annotation = client.get(f"/api/v1/annotations/{claim.pk}/").json()
    annotation.pop("similar", None)
    assert set(row) == {*annotation, "article_title", "assigned_by", "latest_check"}
    # The row's due date is the assignment's; the rest is the annotation's object.
    assert row.pop("due_at")[:16] == timezone.localtime(due).isoformat()[:16]
    assert annotation.pop("due_at") is None
    assert {key: row[key] for key in annotation} == annotation
    check = client.get(f"/api/v1/annotations/{claim.pk}/source-checks/").json()["results"][0]
    assert row["latest_check"] == check
    assert row["article_title"] == "Reihenfolge"
    assert row["assigned_by"] == "editor"
    assert row["current_verdict"]["decision_note"] == "Quelle fehlt."


def test_queue_page_shows_distinct_badges_for_speculation_and_source(
    client, editor, reviewer, article
):
    item(editor, reviewer, article, "Der Konzern dürfte", label="speculation")
    item(editor, reviewer, article, "Eins", label="source")
    client.force_login(reviewer)
    html = client.get(reverse("annotations:queue")).content.decode()
    assert '<span class="badge hl-speculation" aria-hidden="true">Sp</span>' in html
    assert '<span class="badge hl-source" aria-hidden="true">So</span>' in html


def test_badges_differ_between_all_labels_in_each_language():
    labels = list(Label.objects.order_by("order"))
    for language, expected in (("en", ["C", "O", "Sp", "So"]), ("de", ["B", "M", "S", "Q"])):
        with override(language):
            assert [label.badge for label in labels] == expected
