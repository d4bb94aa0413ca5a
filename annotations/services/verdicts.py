"""Verdicts: proposed by a reviewer, approved or rejected by a chief, set aside by text edits."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import policy, tasks
from ..models import (
    Annotation,
    Article,
    Assignment,
    Event,
    Evidence,
    Rating,
    Verdict,
)
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
    url_checked,
    vocabulary_entry,
)
from .evidence import EvidenceInput, _evidence_add_new
from .jobs import enqueue

MIN_RATIONALE_CHARS = 20


def verdict_propose(
    *,
    actor: User,
    annotation_id: int,
    rating: str | Rating,
    rationale: str,
    evidence: Sequence[EvidenceInput] = (),
) -> Verdict:
    """The assigned reviewer proposes a verdict with its evidence. On a claim marked for
    blind double review the verdict is blind and sealed (its author alone sees it), and so
    is the evidence its author adds (services.evidence), which must be their own; the claim
    stays `assigned` until the second reviewer proposes: then both are revealed together
    and the claim is `proposed` (services.double_review).

    Locks the annotation. Raises Forbidden (not assigned), Invalid (rating, rationale,
    missing evidence for a claim, bad URL), Conflict (not `assigned`).
    """
    rating = vocabulary_entry(Rating, rating)
    rationale = (rationale or "").strip()
    if len(rationale) < MIN_RATIONALE_CHARS:
        raise Invalid(
            _("the rationale needs at least %(minimum)s characters (it has %(count)s)")
            % {"minimum": MIN_RATIONALE_CHARS, "count": len(rationale)},
            field="rationale",
        )
    cleaned = [
        EvidenceInput(
            url=url_checked(e.url, field="evidence"), title=e.title or "", note=e.note or ""
        )
        for e in evidence
    ]
    with transaction.atomic():
        annotation = annotation_lock(annotation_id)
        require_allowed(actor, "verdict.propose", annotation)
        article_allows(actor, annotation.article, policy.Act.REVIEW)
        if annotation.status != Annotation.Status.ASSIGNED:
            raise Conflict(
                _("the annotation is %(status)s; a verdict needs it assigned")
                % {"status": status_name(annotation.status, Annotation.Status)}
            )
        if annotation.anchor_state == Annotation.AnchorState.ORPHANED:
            raise Conflict(
                _("the span's text is no longer in the article; an editor must place it again")
            )
        is_blind = annotation.double_review
        cited = Evidence.objects.filter(annotation=annotation, removed_at__isnull=True)
        if is_blind:
            # Each blind reviewer cites their own: the other's sealed evidence is unseen,
            # and evidence from anybody else is not their judgement.
            cited = cited.filter(added_by=actor)
        has_evidence = cleaned or cited.exists()
        if annotation.label.needs_verdict and not has_evidence:
            raise Invalid(
                _("a verdict on a claim needs at least one evidence URL"), field="evidence"
            )
        # Pinned to the text it judges; a verdict set aside by a text change is what this
        # one corrects.
        verdict = Verdict.objects.create(
            annotation=annotation,
            rating=rating,
            rationale=rationale,
            author=actor,
            quote=annotation.exact,
            article_revision=annotation.article.revision,
            supersedes=_verdict_corrected(annotation),
            is_blind=is_blind,
            is_sealed=is_blind,
        )
        _evidence_add_new(actor=actor, annotation=annotation, items=cleaned, verdict=verdict)
        Assignment.objects.filter(
            annotation=annotation, reviewer=actor, state=Assignment.State.PENDING
        ).update(state=Assignment.State.DONE, updated_at=timezone.now())
        if is_blind:
            from .double_review import blind_proposal_record

            blind_proposal_record(actor=actor, annotation=annotation, verdict=verdict)
            return verdict
        annotation_bump(annotation, status=Annotation.Status.PROPOSED)
        event_record(
            actor=actor,
            verb=Event.Verb.VERDICT_PROPOSED,
            annotation=annotation,
            data={
                "verdict": verdict.pk,
                "rating": rating.slug,
                "evidence": len(cleaned),
                # The words as proposed and as approved: an evidence bundle's manifest is
                # checked against them (annotations/bundle.py).
                "rationale": verdict.rationale,
            },
        )
        enqueue(tasks.notify, "proposed", verdict.pk)
    return verdict


def _verdict_corrected(annotation: Annotation) -> Verdict | None:
    """What a new verdict on `annotation` corrects: the last one a text change set aside,
    the last approved among them when there is one (the verdict the public saw, even when
    a proposal judged the text in between and was set aside in turn)."""
    set_aside = Verdict.objects.filter(
        annotation=annotation, status=Verdict.Status.SET_ASIDE
    ).order_by("-id")
    return set_aside.filter(decided_at__isnull=False).first() or set_aside.first()


# A chief's decision refused when the verdict is no longer proposed (409); the role and
# four-eyes refusals (403) are policy's (ROLE_ACTIONS, OBJECT_ACTIONS).
NOT_PROPOSED = {
    "verdict.approve": gettext_lazy(
        "the verdict is %(status)s; only proposed verdicts can be approved"
    ),
    "verdict.reject": gettext_lazy(
        "the verdict is %(status)s; only proposed verdicts can be rejected"
    ),
}


def _verdict_to_decide(*, actor: User, verdict_id: int, action: str) -> Verdict:
    """The verdict, locked (its row only, with its rating), once `actor` may take `action`
    ("verdict.approve" or "verdict.reject") on it. Raises Forbidden (the role, four eyes),
    Conflict (not `proposed`)."""
    verdict = (
        Verdict.objects.select_for_update(of=("self",)).select_related("rating").get(pk=verdict_id)
    )
    require_role(actor, action)
    require_allowed(actor, action, verdict)
    if verdict.status != Verdict.Status.PROPOSED:
        status = status_name(verdict.status, Verdict.Status)
        raise Conflict(str(NOT_PROPOSED[action]) % {"status": status})
    if verdict.is_sealed:
        raise Conflict(_("both reviewers of a blind double review must propose first"))
    if verdict.is_blind and action == "verdict.reject":
        raise Conflict(
            _(
                "a blind double review is decided by approving one of its two verdicts "
                "or by writing the final verdict"
            )
        )
    if verdict.is_blind:
        require_allowed(actor, "double_review.decide", verdict.annotation)
    return verdict


def _decision_save(
    verdict: Verdict, *, actor: User, status: str, note: str, **pins: object
) -> None:
    """Store a chief's decision on a locked verdict, with what an approval pins (the text
    and revision it approved)."""
    verdict.status = status
    verdict.decided_by = actor
    verdict.decided_at = timezone.now()
    verdict.decision_note = note
    for name, value in pins.items():
        setattr(verdict, name, value)
    verdict.save(update_fields=["status", "decided_by", "decided_at", "decision_note", *pins])


def verdict_approve(*, actor: User, verdict_id: int, note: str = "") -> Verdict:
    """A chief approves a proposed verdict, never their own (four eyes).

    Locks the verdict, then the annotation. Raises Forbidden, Conflict (not `proposed`).
    """
    with transaction.atomic():
        verdict = _verdict_to_decide(actor=actor, verdict_id=verdict_id, action="verdict.approve")
        annotation = annotation_lock(verdict.annotation_id)
        if annotation.status == Annotation.Status.WITHDRAWN:
            raise Conflict(_("the annotation is withdrawn"))
        article_allows(actor, annotation.article, policy.Act.DECIDE)
        if annotation.exact != verdict.quote:
            # The text-change path sets such a verdict aside; this guards any other.
            raise Conflict(_("the span's text changed since the verdict was proposed"))
        _decision_save(
            verdict,
            actor=actor,
            status=Verdict.Status.APPROVED,
            note=(note or "").strip(),
            approved_quote=annotation.exact,
            approved_revision=annotation.article.revision,
        )
        annotation_bump(annotation, status=Annotation.Status.APPROVED)
        if verdict.is_blind:
            from .double_review import others_not_chosen

            others_not_chosen(actor=actor, annotation=annotation, approved=verdict)
        event_record(
            actor=actor,
            verb=Event.Verb.VERDICT_APPROVED,
            annotation=annotation,
            data={
                "verdict": verdict.pk,
                "rating": verdict.rating.slug,
                "note": verdict.decision_note,
                "quote": verdict.approved_quote[:500],
                "revision": verdict.approved_revision,
                "rationale": verdict.rationale,
            },
        )
        corrected = verdict.supersedes
        if corrected is not None and corrected.approved_quote:
            # A verdict the public saw is replaced: the report shows a dated correction.
            event_record(
                actor=actor,
                verb=Event.Verb.ARTICLE_CORRECTED,
                annotation=annotation,
                data={
                    "verdict": verdict.pk,
                    "corrects": corrected.pk,
                    "old_quote": corrected.approved_quote[:500],
                    "new_quote": verdict.approved_quote[:500],
                    "old_rating": corrected.rating.slug,
                    "new_rating": verdict.rating.slug,
                },
            )
    return verdict


def verdict_reject(*, actor: User, verdict_id: int, note: str) -> Verdict:
    """A chief rejects with a note; the item returns to its reviewer's queue. A chief's
    final verdict of a blind double review goes back to no queue (its author, a chief,
    proposes nothing): the double review is to be decided again, its two proposals side
    by side (double_review.double_review_back_to_decision).

    Locks the verdict, then the annotation (and then a double review's two proposals).
    Raises Forbidden, Invalid (no note), Conflict.
    """
    from .double_review import double_review_back_to_decision, final_verdict_not_chosen

    note = (note or "").strip()
    with transaction.atomic():
        verdict = _verdict_to_decide(actor=actor, verdict_id=verdict_id, action="verdict.reject")
        if not note:
            raise Invalid(_("say why the verdict is rejected"), field="note")
        annotation = annotation_lock(verdict.annotation_id)
        article_allows(actor, annotation.article, policy.Act.DECIDE)
        _decision_save(verdict, actor=actor, status=Verdict.Status.REJECTED, note=note)
        not_chosen = final_verdict_not_chosen(annotation=annotation, verdict=verdict)
        # A withdrawn annotation gets no pending assignment back: the queue relies on it.
        if not_chosen is None and annotation.status != Annotation.Status.WITHDRAWN:
            _back_to_reviewer(annotation=annotation, reviewer_id=verdict.author_id, actor=actor)
        event_record(
            actor=actor,
            verb=Event.Verb.VERDICT_REJECTED,
            annotation=annotation,
            data={
                "verdict": verdict.pk,
                "rating": verdict.rating.slug,
                "note": note,
                **({"final": True} if not_chosen is not None else {}),
            },
        )
        if not_chosen is not None:
            double_review_back_to_decision(
                actor=actor, annotation=annotation, rejected=verdict, not_chosen=not_chosen
            )
        enqueue(tasks.notify, "rejected", verdict.pk)
    return verdict


def _verdicts_set_aside(*, actor: User, article: Article, annotations: list[Annotation]) -> int:
    """After a text change: a proposed or approved verdict whose span no longer reads
    exactly as the text it was proposed (or approved) on is set aside, never carried over.

    The span goes back to the verdict's author's queue, the history records the old and
    the new text, and the chiefs and the reviewer are told. The same text at a new offset
    is not an alteration. A blind double review's sealed proposal is set aside the same
    way while the claim is still `assigned` (waiting for the other reviewer); it stays
    sealed, so its author alone is told, and proposes again. A double review's decision
    (the approved blind verdict, or the chief's final verdict) goes back to no single
    queue: a new blind round starts with the same two reviewers
    (double_review.double_review_reopen). The caller holds the article's and the
    annotations' locks. Returns the number of verdicts set aside."""
    judged = {
        a.pk: a
        for a in annotations
        if a.status in (Annotation.Status.PROPOSED, Annotation.Status.APPROVED)
        or (a.double_review and a.status == Annotation.Status.ASSIGNED)
    }
    if not judged:
        return 0
    verdicts = Verdict.objects.select_for_update().filter(
        annotation_id__in=judged,
        status__in=[Verdict.Status.PROPOSED, Verdict.Status.APPROVED],
    )
    now = timezone.now()
    count = 0
    for verdict in verdicts:
        annotation = judged[verdict.annotation_id]
        pinned = (
            verdict.approved_quote if verdict.status == Verdict.Status.APPROVED else verdict.quote
        )
        orphaned = annotation.anchor_state == Annotation.AnchorState.ORPHANED
        if not orphaned and annotation.exact == pinned:
            continue
        previous = verdict.status
        verdict.status = Verdict.Status.SET_ASIDE
        verdict.set_aside_at = now
        verdict.save(update_fields=["status", "set_aside_at"])
        # The decision of a double review: the approved blind verdict, or the chief's
        # (never blind) final verdict.
        decided_double = annotation.double_review and (
            not verdict.is_blind or previous == Verdict.Status.APPROVED
        )
        if not decided_double:
            _back_to_reviewer(annotation=annotation, reviewer_id=verdict.author_id, actor=actor)
        event_record(
            actor=actor,
            verb=Event.Verb.VERDICT_SET_ASIDE,
            annotation=annotation,
            data={
                "verdict": verdict.pk,
                "was": previous,
                "old": pinned[:500],
                "new": None if orphaned else annotation.exact[:500],
                "revision": article.revision,
            },
        )
        if decided_double:
            from .double_review import double_review_reopen

            double_review_reopen(actor=actor, annotation=annotation, set_aside=verdict)
        enqueue(tasks.notify, "set_aside", verdict.pk)
        count += 1
    return count


def _back_to_reviewer(*, annotation: Annotation, reviewer_id: int, actor: User) -> None:
    """Give the span back to `reviewer_id`'s queue, `assigned` again: their last assignment
    pending again, or a new one. (A withdrawn annotation never gets one: the queue relies
    on it.)"""
    assignment = (
        Assignment.objects.filter(annotation=annotation, reviewer_id=reviewer_id)
        .order_by("-id")
        .first()
    )
    if assignment is not None and assignment.state != Assignment.State.PENDING:
        assignment.state = Assignment.State.PENDING
        assignment.priority = annotation.priority
        assignment.checkworthiness = annotation.checkworthiness
        assignment.save(update_fields=["state", "priority", "checkworthiness", "updated_at"])
    elif assignment is None:
        Assignment.objects.create(
            annotation=annotation,
            reviewer_id=reviewer_id,
            assigned_by=actor,
            priority=annotation.priority,
            checkworthiness=annotation.checkworthiness,
        )
    annotation_bump(annotation, status=Annotation.Status.ASSIGNED)
