"""Webhooks of a blind double review, with the real worker and the loopback receiver of
test_webhooks.py: nothing of a sealed proposal goes out before the reveal; the reveal sends
`verdict.proposed` for both verdicts; the chief's decision is a `verdict.approved` of the
chosen (or final) verdict, as any approval is, and a `verdict.rejected` of each verdict not
chosen."""

from __future__ import annotations

import json

from django.conf import settings

from annotations import services
from annotations.models import SourceCheck
from tests.background import worker_test
from tests.conftest import wait_for
from tests.factories import UserFactory, make_annotation, make_article
from tests.source_site import running_site
from tests.worker import test_webhooks as webhook_tests
from tests.worker.test_webhooks import SOURCE_PAGE, all_delivered, subscribe

CLAIM = "4,2 Milliarden Euro für den Ausbau der Schiene freigegeben"
SEALED_RATIONALE = "Versiegelt: der Haushaltsplan nennt 3,1 Milliarden auf Seite 12."
OTHER_RATIONALE = "Die Pressemitteilung des Ministeriums bestätigt die Summe genau."
FINAL_RATIONALE = "Endgültig: beide Quellen zusammen belegen die Summe nur teilweise."

# The fixture of test_webhooks.py: a loopback receiver that verifies signatures, with the
# worker running.
receiver = webhook_tests.receiver


def settled(subscription) -> None:
    """Every source check finished and every delivery taken by the receiver."""
    wait_for(
        lambda: (
            not SourceCheck.objects.filter(
                status__in=[SourceCheck.Status.PENDING, SourceCheck.Status.RUNNING]
            ).exists()
        ),
        timeout=60,
        message="the source checks",
    )
    wait_for(all_delivered(subscription), timeout=60, message="every delivery")


def verdict_bodies(receiver, event_type: str) -> list[dict]:
    return [item.body["data"] for item in receiver.unique() if item.type == event_type]


def revealed_double_review(receiver, chief, editor, reviewer, other_reviewer, source):
    """A double review whose second proposal is in, and what the receiver had got before
    it (the first proposal still sealed)."""
    settings.FETCH_ALLOW_HOSTS = [receiver.host_port, source.host_port]
    source.add("/plan", SOURCE_PAGE)
    subscription = subscribe(chief, receiver)
    article = make_article(editor)
    claim = make_annotation(editor, article, CLAIM)
    services.double_review_request(
        actor=chief, annotation_id=claim.pk, reviewers=[reviewer, other_reviewer]
    )
    sealed = services.verdict_propose(
        actor=reviewer,
        annotation_id=claim.pk,
        rating="mostly-false",
        rationale=SEALED_RATIONALE,
        evidence=[services.EvidenceInput(url=source.url("/plan"), title="Plan")],
    )
    # The span changes while the proposal is sealed: its annotation.updated carries
    # nothing of it either.
    services.annotation_update(
        actor=editor,
        annotation_id=claim.pk,
        changes={"note": "Bitte genau prüfen."},
        expected_version=None,
    )
    settled(subscription)
    before = [item.body for item in receiver.unique()]
    # Each reviewer cites their own evidence; the same source, unseen, is kept once.
    other = services.verdict_propose(
        actor=other_reviewer,
        annotation_id=claim.pk,
        rating="false",
        rationale=OTHER_RATIONALE,
        evidence=[services.EvidenceInput(url=source.url("/plan"), title="Plan")],
    )
    settled(subscription)
    return subscription, claim, sealed, other, before


@worker_test
def test_a_receiver_gets_nothing_of_a_sealed_proposal_before_the_reveal(
    receiver, chief, editor, reviewer, other_reviewer
):
    with running_site() as source:
        _, _, _, _, before = revealed_double_review(
            receiver, chief, editor, reviewer, other_reviewer, source
        )
    assert "annotation.updated" in {body["type"] for body in before}
    assert not [body for body in before if body["type"].startswith("verdict.")]
    sent = json.dumps(before, ensure_ascii=False)
    assert SEALED_RATIONALE not in sent
    assert "mostly-false" not in sent
    # Nor of its sealed evidence: no source check of it is sent.
    assert "/plan" not in sent


@worker_test
def test_the_reveal_sends_verdict_proposed_for_both_verdicts(
    receiver, chief, editor, reviewer, other_reviewer
):
    with running_site() as source:
        _, _, sealed, other, _ = revealed_double_review(
            receiver, chief, editor, reviewer, other_reviewer, source
        )
    proposed = verdict_bodies(receiver, "verdict.proposed")
    assert [(v["id"], v["rating"], v["rationale"]) for v in proposed] == [
        (sealed.pk, "mostly-false", SEALED_RATIONALE),
        (other.pk, "false", OTHER_RATIONALE),
    ]
    assert {v["annotation_status"] for v in proposed} == {"proposed"}


@worker_test
def test_approving_one_verdict_sends_verdict_approved_and_rejects_the_other(
    receiver, chief, editor, reviewer, other_reviewer
):
    with running_site() as source:
        subscription, _, sealed, other, _ = revealed_double_review(
            receiver, chief, editor, reviewer, other_reviewer, source
        )
        services.verdict_approve(actor=chief, verdict_id=other.pk)
        settled(subscription)
    [approved] = verdict_bodies(receiver, "verdict.approved")
    assert (approved["id"], approved["status"], approved["rating"]) == (
        other.pk,
        "approved",
        "false",
    )
    assert approved["rationale"] == OTHER_RATIONALE
    assert approved["decided_by"] == chief.username
    [not_chosen] = verdict_bodies(receiver, "verdict.rejected")
    assert (not_chosen["id"], not_chosen["status"]) == (sealed.pk, "rejected")
    assert not_chosen["decision_note"].startswith("not chosen")


@worker_test
def test_the_final_verdict_is_proposed_then_approved_as_any_verdict(
    receiver, chief, editor, reviewer, other_reviewer
):
    second_chief = UserFactory(username="chief2", roles=["chief"])
    with running_site() as source:
        subscription, claim, sealed, other, _ = revealed_double_review(
            receiver, chief, editor, reviewer, other_reviewer, source
        )
        final = services.double_review_finalise(
            actor=chief, annotation_id=claim.pk, rating="half-true", rationale=FINAL_RATIONALE
        )
        settled(subscription)
        rejected = verdict_bodies(receiver, "verdict.rejected")
        assert sorted(v["id"] for v in rejected) == sorted([sealed.pk, other.pk])
        assert verdict_bodies(receiver, "verdict.approved") == []
        services.verdict_approve(actor=second_chief, verdict_id=final.pk)
        settled(subscription)
    assert verdict_bodies(receiver, "verdict.proposed")[-1]["id"] == final.pk
    [approved] = verdict_bodies(receiver, "verdict.approved")
    assert (approved["id"], approved["status"], approved["rating"]) == (
        final.pk,
        "approved",
        "half-true",
    )
    assert approved["rationale"] == FINAL_RATIONALE
    assert (approved["author"], approved["decided_by"]) == (chief.username, "chief2")
