"""The review page of a double review whose text changed under a sealed proposal: its
author is told and proposes again; the other reviewer sees nothing of it."""

import pytest
from django.urls import reverse

from annotations import services
from tests.factories import GERMAN_TEXT

pytestmark = pytest.mark.django_db

SEALED_RATIONALE = "Versiegelt: der Haushaltsplan nennt 3,1 Milliarden auf Seite 12."


@pytest.fixture
def set_aside(editor, chief, reviewer, other_reviewer, article, claim):
    services.double_review_request(
        actor=chief, annotation_id=claim.pk, reviewers=[reviewer, other_reviewer]
    )
    services.verdict_propose(
        actor=reviewer,
        annotation_id=claim.pk,
        rating="mostly-false",
        rationale=SEALED_RATIONALE,
        evidence=[services.EvidenceInput(url="https://example.org/haushalt")],
    )
    services.article_update(
        actor=editor,
        article_id=article.pk,
        fields={},
        body=GERMAN_TEXT.replace("4,2 Milliarden", "4,3 Milliarden"),
    )
    return claim


def test_the_author_of_a_sealed_proposal_set_aside_is_told_and_may_propose_again(
    client, reviewer, set_aside
):
    client.force_login(reviewer)
    response = client.get(reverse("annotations:annotation-review", args=[set_aside.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="text-changed-note"' in page
    assert 'id="verdict-form"' in page
    assert 'id="sealed-note"' not in page


def test_the_other_reviewer_sees_nothing_of_the_sealed_proposal_set_aside(
    client, other_reviewer, set_aside
):
    client.force_login(other_reviewer)
    response = client.get(reverse("annotations:annotation-review", args=[set_aside.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert SEALED_RATIONALE not in page
    assert 'id="text-changed-note"' not in page
    assert 'id="verdict-form"' in page
