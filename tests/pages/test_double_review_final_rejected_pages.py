"""The pages after a chief's final verdict of a double review was rejected by another chief:
the approvals page shows both proposals side by side again with the rejection's note, and
any chief who reviewed neither decides again there (approves one, or writes a new final
verdict, which another chief approves), through to the second decision."""

import re

import pytest
from django.urls import reverse

from annotations import services
from annotations.models import Annotation, Verdict
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

RATIONALE = "Der Haushaltsplan nennt exakt diese Summe auf Seite 12."
FINAL_RATIONALE = "Beide Prüfungen zusammen: die Summe stimmt, der Zeitraum nicht."
NEW_FINAL_RATIONALE = "Zweiter Anlauf: Summe und Zeitraum stimmen laut Haushaltsgesetz."
NOTE = "Der Zeitraum ist <b>eindeutig</b>; bitte neu entscheiden."


@pytest.fixture
def second_chief(db):
    return UserFactory(username="chief2", roles=["chief"])


@pytest.fixture
def revealed(chief, reviewer, other_reviewer, claim):
    services.double_review_request(
        actor=chief, annotation_id=claim.pk, reviewers=[reviewer, other_reviewer]
    )
    return tuple(
        services.verdict_propose(
            actor=who,
            annotation_id=claim.pk,
            rating=rating,
            rationale=RATIONALE,
            evidence=[services.EvidenceInput(url=f"https://example.org/{url}")],
        )
        for who, rating, url in ((reviewer, "false", "a"), (other_reviewer, "mostly-false", "b"))
    )


@pytest.fixture
def final(chief, revealed, claim):
    return services.double_review_finalise(
        actor=chief, annotation_id=claim.pk, rating="half-true", rationale=FINAL_RATIONALE
    )


def item_of(page: str, verdict_id: int) -> str | None:
    """The approvals page's item named after the verdict (up to the next item), or None."""
    items = re.split(r'(?=<li class="card approval)', page.split('<ol class="approvals"', 1)[1])
    for item in items:
        if item.startswith('<li class="card approval') and f'id="approval-{verdict_id}"' in item:
            return item
    return None


def reject_on_the_approvals_page(client, chief, final):
    client.force_login(chief)
    return client.post(
        reverse("annotations:verdict-reject", args=[final.pk]),
        {"note": NOTE, "return_to": "approvals"},
        follow=True,
    )


def test_the_rejection_brings_back_both_proposals_side_by_side_with_its_note(
    client, second_chief, revealed, final
):
    first, second = revealed
    response = reject_on_the_approvals_page(client, second_chief, final)

    assert response.status_code == 200
    assert response.redirect_chain == [(reverse("annotations:approvals"), 302)]
    page = response.content.decode()
    assert (
        "Final verdict rejected. The double review is back for a decision: approve one of the "
        "two proposals or write a new final verdict."
    ) in page
    assert f'id="approval-{final.pk}"' not in page
    item = item_of(page, first.pk)
    assert item is not None
    assert 'class="card approval double-review"' in item
    assert f'id="pair-verdict-{first.pk}"' in item and f'id="pair-verdict-{second.pk}"' in item
    rejection = re.search(r'<div class="earlier final-rejected">.*?</div>', item, re.S).group(0)
    assert "The final verdict “Half true” of chief was rejected by chief2:" in rejection
    assert "Der Zeitraum ist &lt;b&gt;eindeutig&lt;/b&gt;; bitte neu entscheiden." in rejection
    # The rejecting chief decides again: either proposal, or a new final verdict.
    for verdict in (first, second):
        assert reverse("annotations:verdict-approve", args=[verdict.pk]) in item
    assert reverse("annotations:double-review-finalise", args=[first.annotation_id]) in item


def test_the_chief_who_wrote_the_final_verdict_may_decide_again_too(
    client, chief, second_chief, revealed, final
):
    first, second = revealed
    services.verdict_reject(actor=second_chief, verdict_id=final.pk, note=NOTE)
    client.force_login(chief)
    item = item_of(client.get(reverse("annotations:approvals")).content.decode(), first.pk)
    assert reverse("annotations:verdict-approve", args=[second.pk]) in item
    assert "You reviewed this claim yourself" not in item


def test_approving_a_proposal_after_the_rejection_decides_the_double_review(
    client, second_chief, claim, revealed, final
):
    first, second = revealed
    reject_on_the_approvals_page(client, second_chief, final)
    response = client.post(
        reverse("annotations:verdict-approve", args=[second.pk]),
        {"note": "", "return_to": "approvals"},
        follow=True,
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "Verdict approved." in page
    assert item_of(page, first.pk) is None and item_of(page, second.pk) is None
    claim.refresh_from_db()
    assert claim.status == Annotation.Status.APPROVED
    assert Verdict.objects.get(pk=second.pk).status == Verdict.Status.APPROVED
    assert Verdict.objects.get(pk=first.pk).status == Verdict.Status.REJECTED


def test_a_new_final_verdict_after_the_rejection_is_approved_by_another_chief(
    client, chief, second_chief, claim, revealed, final
):
    reject_on_the_approvals_page(client, second_chief, final)
    response = client.post(
        reverse("annotations:double-review-finalise", args=[claim.pk]),
        {"rating": "true", "rationale": NEW_FINAL_RATIONALE},
        follow=True,
    )
    assert response.status_code == 200
    new_final = Verdict.objects.get(annotation=claim, is_blind=False, status="proposed")
    item = item_of(response.content.decode(), new_final.pk)
    assert "This is your own verdict: another chief decides on it." in item

    client.force_login(chief)
    response = client.post(
        reverse("annotations:verdict-approve", args=[new_final.pk]),
        {"note": "", "return_to": "approvals"},
        follow=True,
    )
    assert "Verdict approved." in response.content.decode()
    claim.refresh_from_db()
    new_final.refresh_from_db()
    assert (claim.status, new_final.status) == (Annotation.Status.APPROVED, "approved")
    assert new_final.decided_by == chief


def test_the_review_page_links_to_the_pairs_item_and_shows_the_rejection(
    client, second_chief, claim, revealed, final
):
    first, _second = revealed
    services.verdict_reject(actor=second_chief, verdict_id=final.pk, note=NOTE)
    client.force_login(second_chief)
    page = client.get(reverse("annotations:annotation-review", args=[claim.pk])).content.decode()
    assert f'{reverse("annotations:approvals")}#approval-{first.pk}"' in page
    rejected = re.search(
        rf'<li class="verdict v-rejected" id="verdict-{final.pk}">.*?</li>', page, re.S
    )
    assert "Rejected by chief2" in rejected.group(0)
    assert "&lt;b&gt;eindeutig&lt;/b&gt;" in rejected.group(0)
    # The link's target exists on the approvals page.
    approvals = client.get(reverse("annotations:approvals")).content.decode()
    assert f'id="approval-{first.pk}"' in approvals


def test_an_outsider_cannot_reject_the_final_verdict(client, outsider, claim, final):
    client.force_login(outsider)
    response = client.post(reverse("annotations:verdict-reject", args=[final.pk]), {"note": NOTE})
    assert response.status_code == 403
    final.refresh_from_db()
    assert final.status == Verdict.Status.PROPOSED
