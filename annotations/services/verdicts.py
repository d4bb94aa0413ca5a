"""Verdicts: proposed by a reviewer, approved or rejected by a chief, set aside by text edits."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

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
    annotation_bump,
    annotation_lock,
    article_allows,
    event_record,
    require,
    require_role,
    status_name,
    url_checked,
)
from .evidence import EvidenceInput, _evidence_create
from .jobs import enqueue

if TYPE_CHECKING:
    from django.contrib.auth.models import User


MIN_RATIONALE_CHARS = 20


def _rating(slug_or_rating: str | Rating) -> Rating:
    if isinstance(slug_or_rating, Rating):
        return slug_or_rating
    try:
        return Rating.objects.get(slug=slug_or_rating)
    except Rating.DoesNotExist:
        raise Invalid(
            _("unknown rating '%(rating)s'") % {"rating": slug_or_rating}, field="rating"
        ) from None


def verdict_propose(
    *,
    actor: User,
    annotation_id: int,
    rating: str | Rating,
    rationale: str,
    evidence: Sequence[EvidenceInput] = (),
) -> Verdict:
    """The assigned reviewer proposes a verdict with its evidence.

    Locks the annotation. Raises Forbidden (not assigned), Invalid (rating, rationale,
    missing evidence for a claim, bad URL), Conflict (not `assigned`).
    """
    rating = _rating(rating)
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
        require(
            policy.can_propose_verdict(actor, annotation),
            _("only the reviewer assigned to this item can propose a verdict"),
        )
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
        has_evidence = (
            cleaned
            or Evidence.objects.filter(annotation=annotation, removed_at__isnull=True).exists()
        )
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
            supersedes=Verdict.objects.filter(
                annotation=annotation, status=Verdict.Status.SET_ASIDE
            )
            .order_by("-id")
            .first(),
        )
        present = set(
            Evidence.objects.filter(annotation=annotation, removed_at__isnull=True).values_list(
                "url", flat=True
            )
        )
        for item in cleaned:
            if item.url in present:  # one evidence per URL: the earlier one stands
                continue
            present.add(item.url)
            _evidence_create(actor=actor, annotation=annotation, item=item, verdict=verdict)
        Assignment.objects.filter(
            annotation=annotation, reviewer=actor, state=Assignment.State.PENDING
        ).update(state=Assignment.State.DONE, updated_at=timezone.now())
        annotation_bump(annotation, status=Annotation.Status.PROPOSED)
        event_record(
            actor=actor,
            verb=Event.Verb.VERDICT_PROPOSED,
            annotation=annotation,
            data={"verdict": verdict.pk, "rating": rating.slug, "evidence": len(cleaned)},
        )
        enqueue(tasks.notify, "proposed", verdict.pk)
    return verdict


def _lock_verdict(verdict_id: int) -> Verdict:
    return (
        Verdict.objects.select_for_update(of=("self",)).select_related("rating").get(pk=verdict_id)
    )


def verdict_approve(*, actor: User, verdict_id: int, note: str = "") -> Verdict:
    """A chief approves a proposed verdict, never their own (four eyes).

    Locks the verdict, then the annotation. Raises Forbidden, Conflict (not `proposed`).
    """
    with transaction.atomic():
        verdict = _lock_verdict(verdict_id)
        require_role(actor, "verdict.approve")
        require(policy.can_decide_verdict(actor, verdict), _("you cannot approve your own verdict"))
        if verdict.status != Verdict.Status.PROPOSED:
            raise Conflict(
                _("the verdict is %(status)s; only proposed verdicts can be approved")
                % {"status": status_name(verdict.status, Verdict.Status)}
            )
        annotation = annotation_lock(verdict.annotation_id)
        if annotation.status == Annotation.Status.WITHDRAWN:
            raise Conflict(_("the annotation is withdrawn"))
        article_allows(actor, annotation.article, policy.Act.DECIDE)
        if annotation.exact != verdict.quote:
            # The text-change path sets such a verdict aside; this guards any other.
            raise Conflict(_("the span's text changed since the verdict was proposed"))
        verdict.status = Verdict.Status.APPROVED
        verdict.decided_by = actor
        verdict.decided_at = timezone.now()
        verdict.decision_note = (note or "").strip()
        verdict.approved_quote = annotation.exact
        verdict.approved_revision = annotation.article.revision
        verdict.save(
            update_fields=[
                "status",
                "decided_by",
                "decided_at",
                "decision_note",
                "approved_quote",
                "approved_revision",
            ]
        )
        annotation_bump(annotation, status=Annotation.Status.APPROVED)
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
    """A chief rejects with a note; the item returns to its reviewer's queue.

    Locks the verdict, then the annotation. Raises Forbidden, Invalid (no note), Conflict.
    """
    note = (note or "").strip()
    with transaction.atomic():
        verdict = _lock_verdict(verdict_id)
        require_role(actor, "verdict.reject")
        require(policy.can_decide_verdict(actor, verdict), _("you cannot reject your own verdict"))
        if verdict.status != Verdict.Status.PROPOSED:
            raise Conflict(
                _("the verdict is %(status)s; only proposed verdicts can be rejected")
                % {"status": status_name(verdict.status, Verdict.Status)}
            )
        if not note:
            raise Invalid(_("say why the verdict is rejected"), field="note")
        annotation = annotation_lock(verdict.annotation_id)
        article_allows(actor, annotation.article, policy.Act.DECIDE)
        verdict.status = Verdict.Status.REJECTED
        verdict.decided_by = actor
        verdict.decided_at = timezone.now()
        verdict.decision_note = note
        verdict.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        # A withdrawn annotation gets no pending assignment back: the queue relies on it.
        if annotation.status != Annotation.Status.WITHDRAWN:
            _assignment_reopen(annotation=annotation, reviewer_id=verdict.author_id, actor=actor)
            annotation_bump(annotation, status=Annotation.Status.ASSIGNED)
        event_record(
            actor=actor,
            verb=Event.Verb.VERDICT_REJECTED,
            annotation=annotation,
            data={"verdict": verdict.pk, "rating": verdict.rating.slug, "note": note},
        )
        enqueue(tasks.notify, "rejected", verdict.pk)
    return verdict


def _verdicts_set_aside(*, actor: User, article: Article, annotations: list[Annotation]) -> int:
    """After a text change: a proposed or approved verdict whose span no longer reads
    exactly as the text it was proposed (or approved) on is set aside, never carried over.

    The span goes back to the verdict's author's queue, the history records the old and
    the new text, and the chiefs and the reviewer are told. The same text at a new offset
    is not an alteration. The caller holds the article's and the annotations' locks.
    Returns the number of verdicts set aside."""
    judged = {
        a.pk: a
        for a in annotations
        if a.status in (Annotation.Status.PROPOSED, Annotation.Status.APPROVED)
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
        _assignment_reopen(annotation=annotation, reviewer_id=verdict.author_id, actor=actor)
        annotation_bump(annotation, status=Annotation.Status.ASSIGNED)
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
        enqueue(tasks.notify, "set_aside", verdict.pk)
        count += 1
    return count


def _assignment_reopen(*, annotation: Annotation, reviewer_id: int, actor: User) -> None:
    """Give the span back to `reviewer_id`'s queue: their last assignment pending again,
    or a new one. (A withdrawn annotation never gets one: the queue relies on it.)"""
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
