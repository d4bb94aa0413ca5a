"""The pages of a double review whose decision a text change set aside: the claim is back in
each reviewer's queue for a new blind round, and a claim short of a reviewer is shown to
the chiefs (approvals page, review page) with the way to assign one."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from annotations import services
from tests.factories import GERMAN_TEXT, UserFactory, make_annotation, make_article

pytestmark = pytest.mark.django_db

RATIONALE = "Der Haushaltsplan nennt exakt diese Summe auf Seite 12."
FINAL_RATIONALE = "Beide Prüfungen zusammen: die Summe stimmt, der Zeitraum nicht."
SEALED_RATIONALE = "Neue Runde, versiegelt: der Nachtragshaushalt nennt 4,3 Milliarden."
EVIDENCE = [services.EvidenceInput(url="https://example.org/haushalt")]


def propose(reviewer, claim, rating, rationale=RATIONALE):
    return services.verdict_propose(
        actor=reviewer,
        annotation_id=claim.pk,
        rating=rating,
        rationale=rationale,
        evidence=EVIDENCE,
    )


def queue_row(html, annotation_id):
    """The queue's row of the annotation, or None."""
    found = re.search(rf'<tr data-id="{annotation_id}".*?</tr>', html, re.S)
    return found.group(0) if found else None


def decide(kind, chief, claim, first, second):
    if kind == "chosen":
        services.verdict_approve(actor=chief, verdict_id=first.pk)
    else:
        final = services.double_review_finalise(
            actor=chief, annotation_id=claim.pk, rating="half-true", rationale=FINAL_RATIONALE
        )
        second_chief = UserFactory(username="chief2", roles=["chief"])
        services.verdict_approve(actor=second_chief, verdict_id=final.pk)


def decided_then_changed(
    kind, editor, chief, reviewer, other_reviewer, article, claim, before_change=None
):
    services.double_review_request(
        actor=chief, annotation_id=claim.pk, reviewers=[reviewer, other_reviewer]
    )
    first = propose(reviewer, claim, "false")
    second = propose(other_reviewer, claim, "mostly-false")
    decide(kind, chief, claim, first, second)
    if before_change is not None:
        before_change()
    services.article_update(
        actor=editor,
        article_id=article.pk,
        fields={},
        body=GERMAN_TEXT.replace("4,2 Milliarden", "4,3 Milliarden"),
    )
    return claim


@pytest.mark.parametrize("kind", ["chosen", "final"])
def test_each_reviewers_queue_shows_the_claim_again_as_a_new_blind_round(
    kind, client, editor, chief, reviewer, other_reviewer, article, claim
):
    decided_then_changed(kind, editor, chief, reviewer, other_reviewer, article, claim)
    for user in (reviewer, other_reviewer):
        client.force_login(user)
        response = client.get(reverse("annotations:queue"))
        assert response.status_code == 200
        row = queue_row(response.content.decode(), claim.pk)
        assert row is not None, f"{user.username}'s queue lacks the claim"
        assert 'class="new-round-note"' in row
        # A blind verdict the chief did not choose was never returned to its reviewer.
        assert 'class="returned-note"' not in row


def test_the_chief_who_wrote_the_final_verdict_is_not_handed_the_claim(
    client, editor, chief, reviewer, other_reviewer, article, claim
):
    chief.groups.add(*reviewer.groups.all())  # a chief who reviews too has a queue
    decided_then_changed("final", editor, chief, reviewer, other_reviewer, article, claim)
    client.force_login(chief)
    response = client.get(reverse("annotations:queue"))
    assert response.status_code == 200
    assert queue_row(response.content.decode(), claim.pk) is None


@pytest.mark.parametrize("user", ["reviewer", "other_reviewer"])
def test_each_reviewer_sees_the_text_change_and_may_propose_again(
    user, request, client, editor, chief, reviewer, other_reviewer, article, claim
):
    decided_then_changed("chosen", editor, chief, reviewer, other_reviewer, article, claim)
    client.force_login(request.getfixturevalue(user))
    response = client.get(reverse("annotations:annotation-review", args=[claim.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="text-changed-note"' in page
    assert 'id="returned-note"' not in page
    assert 'id="verdict-form"' in page


def test_the_other_reviewer_does_not_see_a_sealed_proposal_of_the_new_round(
    client, editor, chief, reviewer, other_reviewer, article, claim
):
    decided_then_changed("chosen", editor, chief, reviewer, other_reviewer, article, claim)
    propose(reviewer, claim, "true", SEALED_RATIONALE)
    client.force_login(other_reviewer)
    page = client.get(reverse("annotations:annotation-review", args=[claim.pk])).content.decode()
    assert SEALED_RATIONALE not in page
    assert 'id="verdict-form"' in page
    client.force_login(chief)
    page = client.get(reverse("annotations:approvals")).content.decode()
    assert SEALED_RATIONALE not in page


def test_approvals_show_a_claim_whose_reviewer_can_no_longer_review(
    client, editor, chief, reviewer, other_reviewer, article, claim
):
    def deactivate():
        other_reviewer.is_active = False
        other_reviewer.save(update_fields=["is_active"])

    decided_then_changed(
        "chosen", editor, chief, reviewer, other_reviewer, article, claim, deactivate
    )
    client.force_login(chief)
    response = client.get(reverse("annotations:approvals"))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="needs-reviewer"' in page
    item = re.search(r'<li class="needs-reviewer-item".*?</li>', page, re.S).group(0)
    assert f'data-annotation="{claim.pk}"' in item
    assert "Reviewing: reviewer. One more reviewer is needed." in item
    assert reverse("annotations:article-detail", args=[article.pk]) in item


def test_the_review_page_tells_the_chief_the_claim_needs_another_reviewer(
    client, editor, chief, reviewer, other_reviewer, article, claim
):
    decided_then_changed(
        "chosen",
        editor,
        chief,
        reviewer,
        other_reviewer,
        article,
        claim,
        other_reviewer.groups.clear,
    )
    client.force_login(chief)
    page = client.get(reverse("annotations:annotation-review", args=[claim.pk])).content.decode()
    note = re.search(r'<p [^>]*id="needs-reviewer-note".*?</p>', page, re.S).group(0)
    assert "This claim needs another reviewer" in note
    assert reverse("annotations:article-detail", args=[article.pk]) in note
    # The reviewer sees the note, without the link to assign.
    client.force_login(reviewer)
    page = client.get(reverse("annotations:annotation-review", args=[claim.pk])).content.decode()
    note = re.search(r'<p [^>]*id="needs-reviewer-note".*?</p>', page, re.S).group(0)
    assert reverse("annotations:article-detail", args=[article.pk]) not in note


def test_no_claim_short_of_a_reviewer_shows_no_such_section(
    client, editor, chief, reviewer, other_reviewer, article, claim
):
    decided_then_changed("chosen", editor, chief, reviewer, other_reviewer, article, claim)
    client.force_login(chief)
    page = client.get(reverse("annotations:approvals")).content.decode()
    assert 'id="needs-reviewer"' not in page
    page = client.get(reverse("annotations:annotation-review", args=[claim.pk])).content.decode()
    assert 'id="needs-reviewer-note"' not in page


def test_the_approvals_page_lists_claims_short_of_a_reviewer_in_constant_queries(
    client, editor, chief, reviewer, other_reviewer
):
    def short_claims(n):
        for i in range(n):
            article = make_article(editor, title=f"Artikel {i}")
            claim = make_annotation(
                editor, article, "4,2 Milliarden Euro für den Ausbau der Schiene freigegeben"
            )
            services.double_review_request(
                actor=chief, annotation_id=claim.pk, reviewers=[reviewer, other_reviewer]
            )
            services.assignment_decline(
                actor=other_reviewer, annotation_id=claim.pk, reason="Befangen."
            )

    def measured():
        client.force_login(chief)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("annotations:approvals"))
        assert response.status_code == 200
        return len(queries), response.content.decode().count('class="needs-reviewer-item"')

    short_claims(1)
    one = measured()
    short_claims(4)
    five = measured()
    assert (one[1], five[1]) == (1, 5)
    assert one[0] == five[0]
