"""Blind double review through the services: two reviewers, sealed proposals, the chief's choice."""

import pytest

from annotations import history, selectors, services
from annotations.models import Annotation, Assignment, Event, Verdict
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

RATIONALE = "Der Haushaltsplan nennt exakt diese Summe auf Seite 12."
EVIDENCE = [services.EvidenceInput(url="https://example.org/haushalt", title="Haushaltsplan")]


def propose(reviewer, claim, rating):
    return services.verdict_propose(
        actor=reviewer,
        annotation_id=claim.pk,
        rating=rating,
        rationale=RATIONALE,
        evidence=EVIDENCE,
    )


def verbs(annotation):
    return list(Event.objects.filter(annotation=annotation).values_list("verb", flat=True))


@pytest.fixture
def double(chief, reviewer, other_reviewer, claim):
    services.double_review_request(
        actor=chief, annotation_id=claim.pk, reviewers=[reviewer, other_reviewer]
    )
    claim.refresh_from_db()
    return claim


@pytest.fixture
def first(reviewer, double):
    return propose(reviewer, double, "false")


@pytest.fixture
def both(first, other_reviewer, double):
    second = propose(other_reviewer, double, "mostly-false")
    return first, second


def test_chief_marks_a_claim_for_two_reviewers_and_both_get_it_in_their_queue(
    double, reviewer, other_reviewer
):
    assert double.double_review is True
    assert double.status == Annotation.Status.ASSIGNED
    pending = Assignment.objects.filter(annotation=double, state=Assignment.State.PENDING)
    assert sorted(pending.values_list("reviewer__username", flat=True)) == [
        "reviewer",
        "reviewer2",
    ]
    assert "double_review.requested" in verbs(double)


def test_editor_cannot_ask_for_a_double_review(editor, reviewer, other_reviewer, claim):
    with pytest.raises(services.Forbidden) as refused:
        services.double_review_request(
            actor=editor, annotation_id=claim.pk, reviewers=[reviewer, other_reviewer]
        )
    assert str(refused.value.message) == "only chiefs can ask for a blind double review"


def test_double_review_needs_two_different_reviewers(chief, reviewer, claim):
    with pytest.raises(services.Invalid) as refused:
        services.double_review_request(
            actor=chief, annotation_id=claim.pk, reviewers=[reviewer, reviewer]
        )
    assert refused.value.message == "choose two different reviewers"


def test_a_third_reviewer_is_refused_on_a_double_review(chief, double):
    third = UserFactory(username="reviewer3", roles=["reviewer"])
    with pytest.raises(services.Conflict) as refused:
        services.annotation_assign(actor=chief, annotation_id=double.pk, reviewer=third)
    assert "two reviewers" in refused.value.message


def test_first_proposal_is_sealed_and_the_claim_stays_assigned(first, double, reviewer):
    double.refresh_from_db()
    first.refresh_from_db()
    assert first.is_blind and first.is_sealed
    assert double.status == Annotation.Status.ASSIGNED


def test_sealed_proposal_is_in_no_shared_read(first, double, other_reviewer, chief):
    assert selectors.latest_verdicts([double.pk]) == {}
    assert list(selectors.annotation_verdicts(double.pk)) == []
    assert selectors.verdict_history(double, viewer=other_reviewer) == []
    assert selectors.verdict_history(double, viewer=chief) == []
    assert list(selectors.proposed_verdicts()) == []
    assert selectors.changed_objects("verdict", [first.pk]) == {}
    assert not selectors.annotation_list(rating="false").filter(pk=double.pk).exists()


def test_sealed_proposal_shows_to_its_author(first, double, reviewer):
    assert [v.pk for v in selectors.verdict_history(double, viewer=reviewer)] == [first.pk]


def test_sealed_proposal_event_carries_no_rating(first, double):
    event = Event.objects.get(annotation=double, verb="verdict.proposed_blind")
    assert event.data == {"verdict": first.pk}
    names = history.Names(labels={}, ratings={"false": "False"})
    assert history.summary(event, names) == "proposed a blind verdict"


def test_sealed_proposal_cannot_be_approved(first, chief):
    with pytest.raises(services.Conflict) as refused:
        services.verdict_approve(actor=chief, verdict_id=first.pk)
    assert refused.value.message == "both reviewers of a blind double review must propose first"


def test_second_proposal_reveals_both_and_the_claim_is_proposed(both, double):
    double.refresh_from_db()
    assert double.status == Annotation.Status.PROPOSED
    assert not Verdict.objects.filter(annotation=double, is_sealed=True).exists()
    revealed = Event.objects.get(annotation=double, verb="double_review.revealed")
    assert [item["rating"] for item in revealed.data["verdicts"]] == ["false", "mostly-false"]
    assert len(list(selectors.annotation_verdicts(double.pk))) == 2


def test_chief_approves_one_and_the_other_is_closed_as_not_chosen(both, double, chief):
    first, second = both
    services.verdict_approve(actor=chief, verdict_id=second.pk, note="")
    first.refresh_from_db()
    second.refresh_from_db()
    double.refresh_from_db()
    assert second.status == Verdict.Status.APPROVED
    assert first.status == Verdict.Status.REJECTED
    assert first.decision_note.startswith("not chosen")
    assert double.status == Annotation.Status.APPROVED
    assert not Assignment.objects.filter(annotation=double, state=Assignment.State.PENDING).exists()
    assert verbs(double)[-2:] == ["double_review.decided", "verdict.approved"]


def test_a_blind_verdict_cannot_be_rejected_back_to_its_reviewer(both, chief):
    with pytest.raises(services.Conflict):
        services.verdict_reject(actor=chief, verdict_id=both[0].pk, note="nein")


def test_a_chief_who_reviewed_cannot_decide_the_double_review(
    chief, chief_reviewer, reviewer, claim
):
    services.double_review_request(
        actor=chief, annotation_id=claim.pk, reviewers=[chief_reviewer, reviewer]
    )
    propose(chief_reviewer, claim, "true")
    theirs = propose(reviewer, claim, "false")
    with pytest.raises(services.Forbidden) as refused:
        services.verdict_approve(actor=chief_reviewer, verdict_id=theirs.pk)
    assert refused.value.message == "you reviewed this claim yourself; another chief decides"


def test_chief_writes_the_final_verdict_and_another_chief_approves_it(both, double, chief):
    final = services.double_review_finalise(
        actor=chief, annotation_id=double.pk, rating="half-true", rationale=RATIONALE
    )
    assert final.status == Verdict.Status.PROPOSED and not final.is_blind
    assert set(
        Verdict.objects.filter(annotation=double, is_blind=True).values_list("status", flat=True)
    ) == {Verdict.Status.REJECTED}
    with pytest.raises(services.Forbidden):
        services.verdict_approve(actor=chief, verdict_id=final.pk)
    second_chief = UserFactory(username="chief2", roles=["chief"])
    services.verdict_approve(actor=second_chief, verdict_id=final.pk)
    double.refresh_from_db()
    assert double.status == Annotation.Status.APPROVED
    # The history keeps both proposals and the decision.
    assert {"verdict.proposed_blind", "double_review.revealed", "double_review.decided"} <= set(
        verbs(double)
    )
    assert Verdict.objects.filter(annotation=double).count() == 3


def test_final_verdict_waits_for_both_proposals(first, double, chief):
    with pytest.raises(services.Conflict):
        services.double_review_finalise(
            actor=chief, annotation_id=double.pk, rating="half-true", rationale=RATIONALE
        )


def test_single_review_is_unchanged(editor, reviewer, claim):
    services.annotation_assign(actor=editor, annotation_id=claim.pk, reviewer=reviewer)
    verdict = propose(reviewer, claim, "true")
    assert not verdict.is_blind and not verdict.is_sealed
    claim.refresh_from_db()
    assert claim.status == Annotation.Status.PROPOSED


def test_claim_is_proposed_for_the_dashboard_when_both_verdicts_are_in(first, double):
    double.refresh_from_db()
    assert double.first_assigned_at is not None
    assert double.first_proposed_at is None


def test_first_times_are_kept_when_a_claim_returns_to_a_step(editor, reviewer, chief, claim):
    services.annotation_assign(actor=editor, annotation_id=claim.pk, reviewer=reviewer)
    verdict = propose(reviewer, claim, "true")
    claim.refresh_from_db()
    proposed_at = claim.first_proposed_at
    assert proposed_at is not None
    services.verdict_reject(actor=chief, verdict_id=verdict.pk, note="Quelle fehlt noch.")
    propose(reviewer, claim, "false")
    claim.refresh_from_db()
    assert claim.status == Annotation.Status.PROPOSED
    assert claim.first_proposed_at == proposed_at
