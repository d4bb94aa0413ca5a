"""A chief's final verdict of a blind double review rejected by another chief: the claim goes
back to the decision, both proposals side by side again (services.double_review.
double_review_back_to_decision), never to the writing chief's queue (a chief who is no
reviewer proposes nothing). Any chief who reviewed neither decides again: approves one of
the two proposals or writes a new final verdict, the rejecting chief included, never
approving their own. The history records the rejection and the return; the writing chief
is told as after any rejection."""

import pytest

from annotations import history, selectors, services
from annotations.models import Annotation, Assignment, Event, Job, Verdict
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

RATIONALE = "Der Haushaltsplan nennt exakt diese Summe auf Seite 12."
FINAL_RATIONALE = "Beide Prüfungen zusammen: die Summe stimmt, der Zeitraum nicht."
NEW_FINAL_RATIONALE = "Zweiter Anlauf: Summe und Zeitraum stimmen laut Haushaltsgesetz."
REJECTION_NOTE = "Der Zeitraum ist im Haushaltsgesetz eindeutig; bitte neu entscheiden."
EVIDENCE = [services.EvidenceInput(url="https://example.org/haushalt", title="Haushaltsplan")]


def propose(reviewer, claim, rating):
    return services.verdict_propose(
        actor=reviewer,
        annotation_id=claim.pk,
        rating=rating,
        rationale=RATIONALE,
        evidence=EVIDENCE,
    )


def refreshed(*objects):
    for item in objects:
        item.refresh_from_db()
    return objects


@pytest.fixture
def second_chief(db):
    return UserFactory(username="chief2", roles=["chief"])


@pytest.fixture
def revealed(chief, reviewer, other_reviewer, claim):
    services.double_review_request(
        actor=chief, annotation_id=claim.pk, reviewers=[reviewer, other_reviewer]
    )
    return propose(reviewer, claim, "false"), propose(other_reviewer, claim, "mostly-false")


@pytest.fixture
def final(chief, revealed, claim):
    """The chief (no reviewer) wrote the final verdict instead of approving either."""
    return services.double_review_finalise(
        actor=chief, annotation_id=claim.pk, rating="half-true", rationale=FINAL_RATIONALE
    )


@pytest.fixture
def rejected(second_chief, final):
    """Another chief rejected the final verdict."""
    return services.verdict_reject(actor=second_chief, verdict_id=final.pk, note=REJECTION_NOTE)


def test_the_chief_who_wrote_the_final_verdict_cannot_propose(chief, claim):
    # Why the old way (back to its author's queue) left the claim stuck.
    assert not chief.groups.filter(name="reviewer").exists()


def test_rejecting_the_final_verdict_returns_both_proposals_to_the_decision(
    second_chief, claim, revealed, final, rejected
):
    first, second = revealed
    refreshed(claim, first, second, final)
    assert final.status == Verdict.Status.REJECTED
    assert final.decided_by == second_chief
    assert final.decision_note == REJECTION_NOTE
    assert claim.status == Annotation.Status.PROPOSED
    for proposal in (first, second):
        assert proposal.status == Verdict.Status.PROPOSED
        assert not proposal.is_sealed
        assert (proposal.decided_by, proposal.decided_at, proposal.decision_note) == (
            None,
            None,
            "",
        )
    assert [v.pk for v in selectors.proposed_verdicts()] == [first.pk, second.pk]
    assert selectors.double_review_waits_for_decision(claim.pk)


def test_the_writing_chief_gets_nothing_in_a_queue(chief, claim, rejected):
    assert not Assignment.objects.filter(annotation=claim, reviewer=chief).exists()
    assert not Assignment.objects.filter(annotation=claim, state=Assignment.State.PENDING).exists()


def test_the_writing_chief_is_told_of_the_rejection(final, rejected):
    told = Job.objects.filter(task="annotations.notify").values_list("args", flat=True)
    assert ["rejected", final.pk] in list(told)


def test_the_history_records_the_rejection_and_the_return(
    second_chief, claim, revealed, final, rejected
):
    first, second = revealed
    rejection = Event.objects.get(annotation=claim, verb=Event.Verb.VERDICT_REJECTED)
    back = Event.objects.filter(annotation=claim, verb=Event.Verb.DOUBLE_REVIEW_REVEALED).last()
    assert rejection.actor == second_chief
    assert rejection.data == {
        "verdict": final.pk,
        "rating": "half-true",
        "note": REJECTION_NOTE,
        "final": True,
    }
    assert back.actor == second_chief and back.pk > rejection.pk
    assert back.data == {
        "verdicts": [
            {"verdict": first.pk, "author": "reviewer", "rating": "false"},
            {"verdict": second.pk, "author": "reviewer2", "rating": "mostly-false"},
        ],
        "final_rejected": final.pk,
    }
    names = history.Names.load()
    sentences = [history.summary(event, names) for event in selectors.annotation_history(claim.pk)]
    assert (
        "rejected the final verdict “Half true” of the double review: " + REJECTION_NOTE
    ) in sentences
    assert (
        "both blind verdicts are back for a decision: reviewer “False”; reviewer2 “Mostly false”"
    ) in sentences


def test_the_rejecting_chief_may_approve_one_of_the_two_proposals(
    second_chief, claim, revealed, rejected
):
    first, second = revealed
    services.verdict_approve(actor=second_chief, verdict_id=second.pk)
    refreshed(claim, first, second)
    assert claim.status == Annotation.Status.APPROVED
    assert second.status == Verdict.Status.APPROVED and second.decided_by == second_chief
    assert first.status == Verdict.Status.REJECTED
    assert first.decision_note == "not chosen: the chief approved the other reviewer's verdict"
    decisions = Event.objects.filter(
        annotation=claim, verb=Event.Verb.DOUBLE_REVIEW_DECIDED
    ).order_by("id")
    assert [d.data.get("approved") for d in decisions] == [None, second.pk]
    assert decisions.last().data["not_chosen"] == [first.pk]
    assert selectors.current_verdict(claim).pk == second.pk


def test_the_writing_chief_may_approve_one_of_the_two_proposals(chief, claim, revealed, rejected):
    first, _second = revealed
    services.verdict_approve(actor=chief, verdict_id=first.pk)
    refreshed(claim, first)
    assert (claim.status, first.status) == (Annotation.Status.APPROVED, Verdict.Status.APPROVED)


def test_a_new_final_verdict_is_approved_by_another_chief_never_its_writer(
    chief, second_chief, claim, revealed, final, rejected
):
    first, second = revealed
    new_final = services.double_review_finalise(
        actor=second_chief, annotation_id=claim.pk, rating="true", rationale=NEW_FINAL_RATIONALE
    )
    with pytest.raises(services.Forbidden) as refused:
        services.verdict_approve(actor=second_chief, verdict_id=new_final.pk)
    assert refused.value.message == "you cannot approve your own verdict"

    services.verdict_approve(actor=chief, verdict_id=new_final.pk)
    refreshed(claim, first, second, final, new_final)
    assert claim.status == Annotation.Status.APPROVED
    assert new_final.status == Verdict.Status.APPROVED and new_final.decided_by == chief
    assert (first.status, second.status) == (Verdict.Status.REJECTED, Verdict.Status.REJECTED)
    assert final.status == Verdict.Status.REJECTED
    assert selectors.current_verdict(claim).pk == new_final.pk


def test_a_reviewer_of_the_claim_still_decides_neither_way(
    chief_reviewer, other_reviewer, second_chief, claim
):
    services.double_review_request(
        actor=second_chief, annotation_id=claim.pk, reviewers=[chief_reviewer, other_reviewer]
    )
    propose(chief_reviewer, claim, "false")
    theirs = propose(other_reviewer, claim, "true")
    third_chief = UserFactory(username="chief3", roles=["chief"])
    final = services.double_review_finalise(
        actor=second_chief, annotation_id=claim.pk, rating="half-true", rationale=FINAL_RATIONALE
    )
    services.verdict_reject(actor=third_chief, verdict_id=final.pk, note=REJECTION_NOTE)
    with pytest.raises(services.Forbidden) as refused:
        services.verdict_approve(actor=chief_reviewer, verdict_id=theirs.pk)
    assert refused.value.message == "you reviewed this claim yourself; another chief decides"
    with pytest.raises(services.Forbidden):
        services.double_review_finalise(
            actor=chief_reviewer, annotation_id=claim.pk, rating="true", rationale=FINAL_RATIONALE
        )


def test_a_proposal_rejected_from_a_single_review_still_goes_back_to_its_reviewer(
    chief, reviewer, claim
):
    services.annotation_assign(actor=chief, annotation_id=claim.pk, reviewer=reviewer)
    verdict = propose(reviewer, claim, "false")
    services.verdict_reject(actor=chief, verdict_id=verdict.pk, note=REJECTION_NOTE)
    claim.refresh_from_db()
    assert claim.status == Annotation.Status.ASSIGNED
    assert Assignment.objects.get(annotation=claim, reviewer=reviewer).state == (
        Assignment.State.PENDING
    )
    event = Event.objects.get(annotation=claim, verb=Event.Verb.VERDICT_REJECTED)
    assert "final" not in event.data


def test_a_second_final_verdict_rejected_returns_the_pair_again(
    chief, second_chief, claim, revealed, rejected
):
    first, second = revealed
    new_final = services.double_review_finalise(
        actor=second_chief, annotation_id=claim.pk, rating="true", rationale=NEW_FINAL_RATIONALE
    )
    services.verdict_reject(actor=chief, verdict_id=new_final.pk, note="Noch nicht überzeugend.")
    refreshed(claim, first, second, new_final)
    assert claim.status == Annotation.Status.PROPOSED
    assert (first.status, second.status) == (Verdict.Status.PROPOSED, Verdict.Status.PROPOSED)
    assert new_final.status == Verdict.Status.REJECTED
    page = selectors.approvals_page()
    assert [v.pk for v in page] == [first.pk, second.pk]
    assert [r.pk for r in page[0].annotation.rejections if not r.is_blind] == [
        rejected.pk,
        new_final.pk,
    ]
