"""A reviewer's queue: its rows, order, filters, counts and the page's relations."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import BooleanField, Case, Count, F, Q, QuerySet, Value, When
from django.utils import timezone

from ..models import Annotation, Article, Assignment, Label, Verdict
from .evidence import latest_checks
from .rows import assignee_names, latest_verdicts

QUEUE_COLUMNS = (
    "id",
    "annotation",
    "reviewer",
    "assigned_by",
    "due_at",
    "priority",
    "checkworthiness",
    "created_at",
)


# What a queue row shows of its annotation (all of it), the article and the author.
QUEUE_ANNOTATION_COLUMNS = (
    *(field.name for field in Annotation._meta.concrete_fields),
    *(f"label__{field.name}" for field in Label._meta.concrete_fields),
    "article__title",
    "article__language",
    "created_by__username",
    "claimant__name",
    "claimant__kind",
)


# The orders of the queue, by the API's `ordering` value (the page's `sort`).
QUEUE_ORDERINGS = {
    "queue": ("is_overdue", "priority", "due_at", "checkworthiness"),
    "-checkworthiness": ("checkworthiness", "is_overdue", "priority", "due_at"),
}
_QUEUE_KEYS = {
    "is_overdue": F("is_overdue").desc(),
    "priority": F("priority").desc(),
    "due_at": F("due_at").asc(nulls_last=True),
    "checkworthiness": F("checkworthiness").desc(nulls_last=True),
}


def queue_for(
    user: Any, *, now: datetime | None = None, ordering: str = "queue"
) -> QuerySet[Assignment]:
    """The caller's pending assignments: overdue first, then priority (high first), then
    due date (none last), then check-worthiness (none last) and age. With
    `ordering="-checkworthiness"` the most check-worthy claims come first and the queue
    order breaks the ties.

    Every sort key lives on the assignment (the services copy the annotation's priority
    and check-worthiness, and close the pending assignments of a withdrawn annotation),
    so PostgreSQL sorts a reviewer's rows from the covering index `assignment_queue`
    alone, then joins the annotations of the one page shown. `queue_page_relations` loads
    the rest of that page.
    """
    now = now or timezone.now()
    return (
        Assignment.objects.filter(reviewer=user, state=Assignment.State.PENDING)
        # The columns of the covering index (an index-only scan), and who assigned each
        # (a hash join with the small users table).
        .select_related("assigned_by")
        .only(*QUEUE_COLUMNS, "assigned_by__username")
        .annotate(
            is_overdue=Case(
                When(due_at__lt=now, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .order_by(*(_QUEUE_KEYS[key] for key in QUEUE_ORDERINGS[ordering]), "created_at", "id")
    )


def queue_filtered(
    user: Any,
    *,
    now: datetime,
    label: str = "",
    article_id: int | None = None,
    overdue_only: bool = False,
    ordering: str = "queue",
) -> QuerySet[Assignment]:
    """The queue page's rows: `queue_for` narrowed by label, article and overdue."""
    rows = queue_for(user, now=now, ordering=ordering)
    if label:
        rows = rows.filter(annotation__label__slug=label)
    if article_id is not None:
        rows = rows.filter(annotation__article_id=article_id)
    if overdue_only:
        rows = rows.filter(due_at__lt=now)
    return rows


def queue_counts(user: Any, queue: QuerySet[Assignment], *, now: datetime) -> dict[str, int]:
    """Open and overdue items of a queue, and the caller's verdicts waiting for a chief."""
    counts = queue.order_by().aggregate(
        open=Count("pk"), overdue=Count("pk", filter=Q(due_at__lt=now))
    )
    counts["waiting"] = (
        Verdict.objects.filter(author=user, status=Verdict.Status.PROPOSED)
        .exclude(annotation__status=Annotation.Status.WITHDRAWN)
        .count()
    )
    return counts


def queue_first_ids(queue: QuerySet[Assignment], count: int) -> list[int]:
    return list(queue.values_list("annotation_id", flat=True)[:count])


def queue_articles(queue: QuerySet[Assignment]) -> list[Article]:
    """The articles a queue's items come from, by title (the filter's choices)."""
    return list(
        Article.objects.filter(pk__in=queue.values("annotation__article_id"))
        .only("pk", "title")
        .order_by("title", "pk")
    )


def queue_values(user: Any, *, ordering: str = "queue") -> QuerySet:
    """`queue_for` as (annotation id, the assignment's due date, who assigned it) tuples,
    for the API, which builds its rows from plain values (api.serializers.queue_objects)."""
    return queue_for(user, ordering=ordering).values_list(
        "annotation_id", "due_at", "assigned_by__username"
    )


def queue_page_relations(assignments: list[Assignment]) -> list[Assignment]:
    """Load, in place, what one page of queue rows shows (`queue_for` already joined who
    assigned each): the annotation with its label, its article's title and language and
    its author's name, its claimant, the assignees, the latest verdict and the latest source
    check. Four small queries, however many rows: the page's annotations are read by id
    once the sort has picked them, and of the verdicts and assignees only what a row shows
    (`current_verdict`, `assignees`)."""
    if not assignments:
        return assignments
    annotations = (
        Annotation.objects.select_related("label", "article", "created_by", "claimant")
        .only(*QUEUE_ANNOTATION_COLUMNS)
        .order_by()
        .in_bulk([a.annotation_id for a in assignments])
    )
    for assignment in assignments:
        assignment.annotation = annotations[assignment.annotation_id]
    names = assignee_names(list(annotations))
    verdicts = latest_verdicts(list(annotations), instances=True)
    checks = latest_checks(list(annotations))
    for pk, annotation in annotations.items():
        annotation.assignee_names = names.get(pk, [])
        annotation.latest_verdict = verdicts.get(pk)
        annotation.latest_check = checks.get(pk)
    return assignments


def queue_next(user: Any, *, after: int) -> int | None:
    """The annotation that comes first in the user's queue, other than `after`."""
    return (
        queue_for(user).exclude(annotation_id=after).values_list("annotation_id", flat=True).first()
    )
