"""Assignments and discussion of an annotation: assign a reviewer, move a due date,
decline, comment."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .. import policy, selectors, tasks
from ..l10n import desk_day, desk_zone
from ..models import Annotation, Assignment, Comment, Event
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
)
from .jobs import enqueue


def reviewer_by_name_or_id(value: Any) -> User:
    """Resolve an assignment's `{reviewer: username or id}` (selectors.user_by_name_or_id).
    No lock, writes nothing. Raises Invalid naming the unknown reviewer."""
    user = selectors.user_by_name_or_id(value)
    if user is None:
        raise Invalid(_("unknown reviewer '%(reviewer)s'") % {"reviewer": value}, field="reviewer")
    return user


def annotation_assign(
    *, actor: User, annotation_id: int, reviewer: User | None, due_at: datetime | None = None
) -> Annotation:
    """Assign a reviewer (a user in `reviewer`). Allowed while `open` or `assigned`.

    Locks the annotation. Raises Forbidden, Invalid (not a reviewer), Conflict.
    """
    require_role(actor, "annotation.assign")
    if reviewer is None or not policy.can_be_assigned(reviewer):
        name = getattr(reviewer, "username", reviewer)
        raise Invalid(_("'%(name)s' is not a reviewer") % {"name": name}, field="reviewer")
    with transaction.atomic():
        annotation = annotation_lock(annotation_id)
        article_allows(actor, annotation.article, policy.Act.ANNOTATE)
        if annotation.status not in (Annotation.Status.OPEN, Annotation.Status.ASSIGNED):
            raise Conflict(
                _("the annotation is %(status)s; only open or assigned ones can be assigned")
                % {"status": status_name(annotation.status, Annotation.Status)}
            )
        if annotation.double_review:
            from .double_review import double_review_has_room

            double_review_has_room(annotation=annotation, reviewer=reviewer)
        if Assignment.objects.filter(
            annotation=annotation, reviewer=reviewer, state=Assignment.State.PENDING
        ).exists():
            raise Conflict(
                _("the annotation is already assigned to %(reviewer)s")
                % {"reviewer": reviewer.username}
            )
        try:
            with transaction.atomic():
                assignment = Assignment.objects.create(
                    annotation=annotation,
                    reviewer=reviewer,
                    assigned_by=actor,
                    due_at=due_at or annotation.due_at,
                    priority=annotation.priority,
                    checkworthiness=annotation.checkworthiness,
                )
        except IntegrityError:
            raise Conflict(
                _("the annotation is already assigned to %(reviewer)s")
                % {"reviewer": reviewer.username}
            ) from None
        annotation_bump(annotation, status=Annotation.Status.ASSIGNED)
        event_record(
            actor=actor,
            verb=Event.Verb.ANNOTATION_ASSIGNED,
            annotation=annotation,
            data={
                "reviewer": reviewer.username,
                "due_at": assignment.due_at.isoformat() if assignment.due_at else None,
            },
        )
        enqueue(tasks.notify, "assigned", assignment.pk)
    return annotation


def assignment_due_change(
    *, actor: User, annotation_id: int, reviewer: User, due_at: datetime | None
) -> Assignment:
    """Move (or, with None, remove) the due date of `reviewer`'s pending assignment of the
    annotation. Allowed to those who may assign it, while it may be assigned; a due date in
    the past is refused. Records `annotation.updated` with `assignment_due` {reviewer, from,
    to}, and moves the annotation's version (its queue item shows the due date). A date
    that does not change writes nothing.

    Locks the annotation, then the assignment. Raises Forbidden, Invalid (a past date),
    Conflict (no pending assignment of `reviewer`, the annotation's or article's state).
    """
    require_role(actor, "annotation.assign")
    with transaction.atomic():
        annotation = annotation_lock(annotation_id)
        article_allows(actor, annotation.article, policy.Act.ANNOTATE)
        if annotation.status not in (Annotation.Status.OPEN, Annotation.Status.ASSIGNED):
            raise Conflict(
                _("the annotation is %(status)s; due dates change only while it is assigned")
                % {"status": status_name(annotation.status, Annotation.Status)}
            )
        assignment = (
            Assignment.objects.select_for_update()
            .filter(annotation=annotation, reviewer=reviewer, state=Assignment.State.PENDING)
            .first()
        )
        if assignment is None:
            raise Conflict(
                _("%(reviewer)s has no pending assignment of this annotation")
                % {"reviewer": reviewer.get_username()},
                field="reviewer",
            )
        if due_at == assignment.due_at:
            return assignment
        if due_at is not None and due_at < timezone.now():
            raise Invalid(
                _("the due date %(day)s is in the past; choose today or a later day")
                % {"day": date_format(desk_day(due_at), "DATE_FORMAT")},
                field="due_at",
            )
        previous = assignment.due_at
        assignment.due_at = due_at
        assignment.save(update_fields=["due_at", "updated_at"])
        annotation_bump(annotation)
        event_record(
            actor=actor,
            verb=Event.Verb.ANNOTATION_UPDATED,
            annotation=annotation,
            data={
                "assignment_due": {
                    "reviewer": reviewer.get_username(),
                    "from": previous.astimezone(desk_zone()).isoformat() if previous else None,
                    "to": due_at.astimezone(desk_zone()).isoformat() if due_at else None,
                }
            },
        )
    return assignment


def assignment_decline(*, actor: User, annotation_id: int, reason: str) -> Annotation:
    """The assigned reviewer hands the item back; with nobody left it returns to `open`.

    Locks the annotation. Raises Invalid (no reason), Forbidden (not assigned to the actor),
    Conflict (the article's state).
    """
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(_("give a reason for declining"), field="reason")
    with transaction.atomic():
        annotation = annotation_lock(annotation_id)
        require_allowed(actor, "annotation.decline", annotation)
        article_allows(actor, annotation.article, policy.Act.REVIEW)
        Assignment.objects.filter(
            annotation=annotation, reviewer=actor, state=Assignment.State.PENDING
        ).update(state=Assignment.State.DECLINED, decline_reason=reason, updated_at=timezone.now())
        still_assigned = Assignment.objects.filter(
            annotation=annotation, state=Assignment.State.PENDING
        ).exists()
        if annotation.status == Annotation.Status.ASSIGNED and not still_assigned:
            annotation_bump(annotation, status=Annotation.Status.OPEN)
        else:
            annotation_bump(annotation)
        event_record(
            actor=actor,
            verb=Event.Verb.ASSIGNMENT_DECLINED,
            annotation=annotation,
            data={"reason": reason},
        )
    return annotation


def comment_add(*, actor: User, annotation_id: int, body: str) -> Comment:
    """Add a comment to an annotation's discussion.

    Takes no lock: a comment is a new row and changes nothing it could race with. Raises
    Forbidden, Invalid (empty), Conflict (the article's state).
    """
    require_role(actor, "comment.add")
    body = (body or "").strip()
    if not body:
        raise Invalid(_("the comment is empty"), field="body")
    with transaction.atomic():
        annotation = Annotation.objects.select_related("article").get(pk=annotation_id)
        article_allows(actor, annotation.article, policy.Act.REVIEW)
        comment = Comment.objects.create(annotation=annotation, author=actor, body=body)
        event_record(
            actor=actor,
            verb=Event.Verb.COMMENT_ADDED,
            annotation=annotation,
            data={"comment": comment.pk, "body": body[:500]},
        )
    return comment
