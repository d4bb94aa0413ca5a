"""Blind double review: a chief asks two reviewers, each proposes unseen, the chief decides.

A claim marked `double_review` takes two reviewers. Each proposal is blind and sealed
(policy.can_see_verdict: its author alone sees it; selectors leave sealed verdicts out of
every list, page, export and change feed, and its event carries no rating) until the
second reviewer proposes, and so is the evidence each adds meanwhile (policy.
can_see_evidence; its events name no URL): then both are unsealed together with their
evidence, the claim becomes `proposed` and a `double_review.revealed` event names both
ratings and the evidence. The chief then approves one
(verdicts.verdict_approve; the other is closed as not chosen) or writes the final verdict
(double_review_finalise), which another chief approves: four eyes hold throughout, and a
chief who was one of the two reviewers decides neither way. The history keeps both. A final
verdict another chief rejects sends the claim back to that decision, both proposals side by
side again (double_review_back_to_decision), never to its author's queue.

A text change after the decision sets the decision aside (verdicts._verdicts_set_aside) and
starts a new blind round with the same two reviewers (double_review_reopen); one who can no
longer review leaves the claim waiting for another, whom a chief assigns as any reviewer
(assignments.annotation_assign); the approvals page lists such claims.

verdicts.py and assignments.py call into this module from inside their functions: it
imports them, so they cannot import it at load time.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from .. import policy, tasks
from ..models import Annotation, Assignment, Event, Rating, Verdict
from .base import (
    Conflict,
    Invalid,
    User,
    annotation_bump,
    annotation_lock,
    article_allows,
    event_record,
    require_allowed,
    require_role,
    status_name,
    vocabulary_entry,
)
from .evidence import _evidence_unseal
from .jobs import enqueue
from .verdicts import MIN_RATIONALE_CHARS, _back_to_reviewer, _decision_save, _verdict_corrected

REVIEWERS = 2


def _live_reviewer_ids(annotation: Annotation) -> set[int]:
    """The reviewers of the double review's round: a pending assignment or a blind
    proposal still waiting for the chief."""
    pending = Assignment.objects.filter(
        annotation=annotation, state=Assignment.State.PENDING
    ).values_list("reviewer_id", flat=True)
    proposed = Verdict.objects.filter(
        annotation=annotation, status=Verdict.Status.PROPOSED, is_blind=True
    ).values_list("author_id", flat=True)
    return set(pending) | set(proposed)


def double_review_has_room(*, annotation: Annotation, reviewer: User) -> None:
    """Refuse (Conflict) a third reviewer on a double review, or a reviewer who already
    proposed in it. The caller holds the annotation's lock."""
    live = _live_reviewer_ids(annotation)
    if reviewer.pk in live:
        raise Conflict(
            _("%(reviewer)s is already one of the two reviewers") % {"reviewer": reviewer.username}
        )
    if len(live) >= REVIEWERS:
        raise Conflict(_("a blind double review has two reviewers; one of them must decline first"))


def double_review_request(
    *,
    actor: User,
    annotation_id: int,
    reviewers: Sequence[User | None],
    due_at: datetime | None = None,
) -> Annotation:
    """A chief marks a claim for blind double review and assigns both reviewers.

    A reviewer who already holds a pending assignment keeps it. Allowed while the claim is
    `open` or `assigned` and no verdict is proposed. Locks the annotation. Raises Forbidden
    (not a chief), Invalid (not two different reviewers), Conflict (state, a third
    reviewer already assigned).
    """
    require_role(actor, "annotation.double_review")
    chosen = [r for r in reviewers if r is not None]
    if len(chosen) != REVIEWERS or chosen[0].pk == chosen[1].pk:
        raise Invalid(_("choose two different reviewers"), field="reviewers")
    for reviewer in chosen:
        if not policy.can_be_assigned(reviewer):
            raise Invalid(
                _("'%(name)s' is not a reviewer") % {"name": reviewer.username}, field="reviewers"
            )
    with transaction.atomic():
        annotation = annotation_lock(annotation_id)
        article_allows(actor, annotation.article, policy.Act.ANNOTATE)
        if not annotation.label.needs_verdict:
            raise Conflict(_("only a claim can have a blind double review"))
        if annotation.status not in (Annotation.Status.OPEN, Annotation.Status.ASSIGNED):
            raise Conflict(
                _("the annotation is %(status)s; a double review starts before any verdict")
                % {"status": status_name(annotation.status, Annotation.Status)}
            )
        pending = set(
            Assignment.objects.filter(
                annotation=annotation, state=Assignment.State.PENDING
            ).values_list("reviewer_id", flat=True)
        )
        others = pending - {reviewer.pk for reviewer in chosen}
        if others:
            raise Conflict(
                _(
                    "the claim is assigned to someone else; choose them as one of the two "
                    "reviewers, or have them decline first"
                )
            )
        if Verdict.objects.filter(annotation=annotation, status=Verdict.Status.PROPOSED).exists():
            raise Conflict(_("a verdict is already proposed on this claim"))
        for reviewer in chosen:
            if reviewer.pk in pending:
                continue
            assignment = Assignment.objects.create(
                annotation=annotation,
                reviewer=reviewer,
                assigned_by=actor,
                due_at=due_at or annotation.due_at,
                priority=annotation.priority,
                checkworthiness=annotation.checkworthiness,
            )
            event_record(
                actor=actor,
                verb=Event.Verb.ANNOTATION_ASSIGNED,
                annotation=annotation,
                data={
                    "reviewer": reviewer.username,
                    "due_at": assignment.due_at.isoformat() if assignment.due_at else None,
                    "double_review": True,
                },
            )
            enqueue(tasks.notify, "assigned", assignment.pk)
        annotation_bump(annotation, status=Annotation.Status.ASSIGNED, double_review=True)
        event_record(
            actor=actor,
            verb=Event.Verb.DOUBLE_REVIEW_REQUESTED,
            annotation=annotation,
            data={"reviewers": [reviewer.username for reviewer in chosen]},
        )
    return annotation


def blind_proposal_record(*, actor: User, annotation: Annotation, verdict: Verdict) -> None:
    """After verdicts.verdict_propose stored a blind verdict: its event (without the
    rating); with the other reviewer's proposal already in, both are unsealed, the claim
    becomes `proposed`, the reveal is recorded and the chiefs are told. The caller holds
    the annotation's lock."""
    event_record(
        actor=actor,
        verb=Event.Verb.VERDICT_PROPOSED_BLIND,
        annotation=annotation,
        data={"verdict": verdict.pk},
    )
    pair = list(
        Verdict.objects.filter(annotation=annotation, status=Verdict.Status.PROPOSED, is_blind=True)
        .select_related("rating", "author")
        .order_by("id")
    )
    if len(pair) < REVIEWERS:
        annotation_bump(annotation)
        return
    Verdict.objects.filter(pk__in=[v.pk for v in pair]).update(is_sealed=False)
    # Their evidence was sealed with them (services.evidence): named now.
    evidence = _evidence_unseal(annotation)
    annotation_bump(annotation, status=Annotation.Status.PROPOSED)
    event_record(
        actor=actor,
        verb=Event.Verb.DOUBLE_REVIEW_REVEALED,
        annotation=annotation,
        data={
            "verdicts": [
                {"verdict": v.pk, "author": v.author.username, "rating": v.rating.slug}
                for v in pair
            ],
            **({"evidence": evidence} if evidence else {}),
        },
    )
    enqueue(tasks.notify, "proposed", verdict.pk)


def others_not_chosen(*, actor: User, annotation: Annotation, approved: Verdict) -> None:
    """After a chief approved one blind verdict: the other proposal is closed (rejected
    with a note saying it was not chosen; it does not go back to its reviewer) and the
    decision recorded. The caller holds the verdict's and the annotation's locks."""
    others = list(
        Verdict.objects.select_for_update()
        .filter(annotation=annotation, status=Verdict.Status.PROPOSED, is_blind=True)
        .exclude(pk=approved.pk)
    )
    note = _("not chosen: the chief approved the other reviewer's verdict")
    for other in others:
        _decision_save(other, actor=actor, status=Verdict.Status.REJECTED, note=note)
    event_record(
        actor=actor,
        verb=Event.Verb.DOUBLE_REVIEW_DECIDED,
        annotation=annotation,
        data={
            "approved": approved.pk,
            "rating": approved.rating.slug,
            "not_chosen": [other.pk for other in others],
        },
    )


def double_review_finalise(
    *, actor: User, annotation_id: int, rating: str | Rating, rationale: str
) -> Verdict:
    """The chief writes the final verdict of a revealed double review instead of
    approving either proposal: both are closed as not chosen and the chief's verdict is
    proposed, for another chief to approve (four eyes).

    Locks both blind verdicts, then the annotation (the order verdict_approve takes).
    Raises Forbidden (not a chief, or one of the reviewers), Invalid (rating, rationale),
    Conflict (not a revealed double review).
    """
    require_role(actor, "verdict.approve")
    rating = vocabulary_entry(Rating, rating)
    rationale = (rationale or "").strip()
    if len(rationale) < MIN_RATIONALE_CHARS:
        raise Invalid(
            _("the rationale needs at least %(minimum)s characters (it has %(count)s)")
            % {"minimum": MIN_RATIONALE_CHARS, "count": len(rationale)},
            field="rationale",
        )
    with transaction.atomic():
        blind = list(
            Verdict.objects.select_for_update()
            .filter(
                annotation_id=annotation_id,
                status=Verdict.Status.PROPOSED,
                is_blind=True,
                is_sealed=False,
            )
            .order_by("id")
        )
        annotation = annotation_lock(annotation_id)
        require_allowed(actor, "double_review.decide", annotation)
        article_allows(actor, annotation.article, policy.Act.DECIDE)
        if annotation.status != Annotation.Status.PROPOSED or len(blind) < REVIEWERS:
            raise Conflict(
                _("the final verdict is written once both reviewers of a double review proposed")
            )
        note = _("not chosen: the chief wrote the final verdict")
        for verdict in blind:
            _decision_save(verdict, actor=actor, status=Verdict.Status.REJECTED, note=note)
        final = Verdict.objects.create(
            annotation=annotation,
            rating=rating,
            rationale=rationale,
            author=actor,
            quote=annotation.exact,
            article_revision=annotation.article.revision,
            # After a new round (a text change set the last decision aside) the final
            # verdict corrects the one the public saw, as a reviewer's would.
            supersedes=_verdict_corrected(annotation),
        )
        annotation_bump(annotation)
        event_record(
            actor=actor,
            verb=Event.Verb.VERDICT_PROPOSED,
            annotation=annotation,
            data={"verdict": final.pk, "rating": rating.slug, "evidence": 0, "final": True},
        )
        event_record(
            actor=actor,
            verb=Event.Verb.DOUBLE_REVIEW_DECIDED,
            annotation=annotation,
            data={
                "final": final.pk,
                "rating": rating.slug,
                "not_chosen": [verdict.pk for verdict in blind],
            },
        )
        enqueue(tasks.notify, "proposed", final.pk)
    return final


def final_verdict_not_chosen(*, annotation: Annotation, verdict: Verdict) -> list[int] | None:
    """The ids of the two proposals a chief's final verdict closed as not chosen (its
    double_review.decided event names them), or None when `verdict` is no final verdict."""
    if verdict.is_blind or not annotation.double_review:
        return None
    decision = (
        Event.objects.filter(
            annotation=annotation, verb=Event.Verb.DOUBLE_REVIEW_DECIDED, data__final=verdict.pk
        )
        .order_by("-id")
        .first()
    )
    if decision is None:
        return None
    return [int(pk) for pk in decision.data.get("not_chosen") or []]


def double_review_back_to_decision(
    *, actor: User, annotation: Annotation, rejected: Verdict, not_chosen: list[int]
) -> None:
    """After a chief rejected another chief's final verdict of a double review: the two
    proposals it closed as not chosen are proposed again and the claim is `proposed`, back
    on the approvals page side by side with the rejection's note, where any chief who
    reviewed neither decides again (approves one, or writes a new final verdict). Nobody's
    queue gets it: the final verdict's author is a chief, who proposes nothing. The rows
    lose the closed decision (the double_review.decided event keeps it); a
    `double_review.revealed` event naming the rejected final verdict records the return
    (webhooks: `verdict.proposed` for each). The caller holds the rejected verdict's and
    the annotation's locks; this locks the two proposals."""
    pair = list(
        Verdict.objects.select_for_update()
        .filter(
            pk__in=not_chosen,
            annotation=annotation,
            is_blind=True,
            is_sealed=False,
            status=Verdict.Status.REJECTED,
        )
        .select_related("rating", "author")
        .order_by("id")
    )
    for verdict in pair:
        verdict.status = Verdict.Status.PROPOSED
        verdict.decided_by = None
        verdict.decided_at = None
        verdict.decision_note = ""
        verdict.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    if annotation.status == Annotation.Status.WITHDRAWN:
        annotation_bump(annotation)
    else:
        annotation_bump(annotation, status=Annotation.Status.PROPOSED)
    event_record(
        actor=actor,
        verb=Event.Verb.DOUBLE_REVIEW_REVEALED,
        annotation=annotation,
        data={
            "verdicts": [
                {"verdict": v.pk, "author": v.author.username, "rating": v.rating.slug}
                for v in pair
            ],
            "final_rejected": rejected.pk,
        },
    )


def _round_reviewers(annotation: Annotation) -> list[User]:
    """The two reviewers of the double review's last revealed round: the authors of its
    newest unsealed blind verdicts (a sealed one set aside by a text change is not of it)."""
    reviewers: dict[int, User] = {}
    for verdict in (
        Verdict.objects.filter(annotation=annotation, is_blind=True, is_sealed=False)
        .select_related("author")
        .order_by("-id")
    ):
        reviewers.setdefault(verdict.author_id, verdict.author)
        if len(reviewers) == REVIEWERS:
            break
    return sorted(reviewers.values(), key=lambda user: user.username)


def double_review_reopen(*, actor: User, annotation: Annotation, set_aside: Verdict) -> None:
    """After a text change set aside the decision of a double review (the approved blind
    verdict, or the chief's final verdict, proposed or approved): a new blind round with
    the same two reviewers. Each one who can still review gets their assignment pending
    again (a chief's final verdict goes back to nobody's queue: the chief decides, the
    reviewers propose); their new proposals are sealed until both are in, as in the first
    round. One who can no longer review (deactivated, or no longer a reviewer) leaves room
    for another whom a chief assigns; with nobody left the claim is `open`. The history
    keeps the old round; the `set_aside` email tells the chiefs and both reviewers
    (notifications.py reads this event). The caller holds the annotation's lock."""
    reviewers = _round_reviewers(annotation)
    able = [reviewer for reviewer in reviewers if policy.can_be_assigned(reviewer)]
    unable = [reviewer for reviewer in reviewers if not policy.can_be_assigned(reviewer)]
    for reviewer in able:
        _back_to_reviewer(annotation=annotation, reviewer_id=reviewer.pk, actor=actor)
    if not able:
        still_assigned = Assignment.objects.filter(
            annotation=annotation, state=Assignment.State.PENDING
        ).exists()
        status = Annotation.Status.ASSIGNED if still_assigned else Annotation.Status.OPEN
        annotation_bump(annotation, status=status)
    event_record(
        actor=actor,
        verb=Event.Verb.DOUBLE_REVIEW_REQUESTED,
        annotation=annotation,
        data={
            "reviewers": [reviewer.username for reviewer in able],
            "text_changed": True,
            "set_aside": set_aside.pk,
            "needs_reviewer": [reviewer.username for reviewer in unable],
        },
    )
