"""Annotations: loaded with their relations, listed, filtered, one at a time, and their history."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from ..models import Annotation, Assignment, Comment, Event, Label, Verdict
from ..representation import live_verdict
from .rows import LIVE_ORDER, NOT_CHOSEN


def _verdicts_prefetch(prefix: str = "") -> Prefetch:
    return Prefetch(
        f"{prefix}verdicts",
        queryset=Verdict.objects.filter(is_sealed=False)
        .select_related("rating", "author", "decided_by")
        .order_by("id"),
        to_attr="verdict_list",
    )


def _assignments_prefetch(prefix: str = "") -> Prefetch:
    return Prefetch(
        f"{prefix}assignments",
        queryset=Assignment.objects.exclude(state=Assignment.State.DECLINED)
        .select_related("reviewer", "assigned_by")
        .order_by("id"),
        to_attr="assignment_list",
    )


def annotations_with_relations(
    queryset: QuerySet[Annotation] | None = None,
) -> QuerySet[Annotation]:
    """Annotations with label, author, claimant, assignments and verdicts loaded (5 queries
    flat)."""
    queryset = queryset if queryset is not None else Annotation.objects.all()
    # The article's text is not needed per row (it can be 500,000 characters).
    return (
        queryset.select_related("label", "created_by", "article", "claimant")
        .defer("article__text")
        .prefetch_related(_assignments_prefetch(), _verdicts_prefetch())
    )


def current_verdict(annotation: Annotation) -> Verdict | None:
    """The annotation's live verdict (representation.live_verdict): the latest approved,
    else the newest open proposal, else the newest other; never a blind proposal not
    chosen, nor a sealed one."""
    if hasattr(annotation, "latest_verdict"):  # set by queue_page_relations
        return annotation.latest_verdict
    verdicts = getattr(annotation, "verdict_list", None)
    if verdicts is None:
        verdicts = list(
            annotation.verdicts.filter(is_sealed=False)
            .select_related("rating", "author", "decided_by")
            .order_by("id")
        )
    return live_verdict(verdicts)


def assignees(annotation: Annotation) -> list[str]:
    names = getattr(annotation, "assignee_names", None)  # set by queue_page_relations
    if names is not None:
        return names
    assignments = getattr(annotation, "assignment_list", None)
    if assignments is None:
        assignments = list(
            annotation.assignments.exclude(state=Assignment.State.DECLINED).select_related(
                "reviewer"
            )
        )
    return list(dict.fromkeys(a.reviewer.username for a in assignments))


def annotation_list(
    *,
    article: int | None = None,
    label: str | None = None,
    status: str | None = None,
    assignee: str | None = None,
    rating: str | None = None,
    updated_since: datetime | None = None,
) -> QuerySet[Annotation]:
    annotations = Annotation.objects.all()
    if article is not None:
        annotations = annotations.filter(article_id=article)
    if label:
        annotations = annotations.filter(label__slug=label)
    if status:
        annotations = annotations.filter(status=status)
    if assignee:
        lookup = (
            {"reviewer_id": int(assignee)}
            if str(assignee).isdecimal()  # not isdigit: int() refuses "²"
            else {"reviewer__username": assignee}
        )
        annotations = annotations.filter(
            Exists(
                Assignment.objects.filter(annotation=OuterRef("pk"), **lookup).exclude(
                    state=Assignment.State.DECLINED
                )
            )
        )
    if rating:
        # The live verdict's rating (current_verdict). A sealed blind proposal's rating
        # must not be found by filtering either.
        latest = (
            Verdict.objects.filter(annotation=OuterRef("annotation"), is_sealed=False)
            .exclude(NOT_CHOSEN)
            .order_by(*LIVE_ORDER)
            .values("pk")[:1]
        )
        annotations = annotations.filter(
            Exists(
                Verdict.objects.filter(annotation=OuterRef("pk"), rating__slug=rating, pk=latest)
            )
        )
    if updated_since is not None:
        annotations = annotations.filter(updated_at__gte=updated_since)
    return annotations.order_by("article_id", "start", "end", "id")


def annotation_history(annotation_id: int) -> QuerySet[Event]:
    return (
        Event.objects.filter(annotation_id=annotation_id)
        .select_related("actor")
        .order_by("created_at", "id")
    )


def annotation_comments(annotation_id: int) -> QuerySet[Comment]:
    return (
        Comment.objects.filter(annotation_id=annotation_id)
        .select_related("author")
        .order_by("created_at", "id")
    )


def labels() -> QuerySet[Label]:
    return Label.objects.order_by("order", "slug")


def annotation_must_exist(pk: int) -> None:
    """Raise Annotation.DoesNotExist (a 404) for an id that names no annotation."""
    if not Annotation.objects.filter(pk=pk).exists():
        raise Annotation.DoesNotExist


def annotation_detail(pk: int) -> Annotation:
    """One annotation with the relations its API object shows (article text left out)."""
    return annotations_with_relations(Annotation.objects.filter(pk=pk)).defer("article__text").get()


def annotation_page(pk: int) -> Annotation:
    """One annotation with its label, article and author: the review pages' subject."""
    return Annotation.objects.select_related("label", "article", "created_by", "claimant").get(
        pk=pk
    )


def live_twin(article_id: int, label_id: int, start: int, end: int) -> int | None:
    """The id of a live annotation with this span and label, if there is one."""
    return (
        Annotation.objects.filter(article_id=article_id, label_id=label_id, start=start, end=end)
        .exclude(status=Annotation.Status.WITHDRAWN)
        .values_list("pk", flat=True)
        .first()
    )


def ids_of(annotations: QuerySet[Annotation], first: int, count: int) -> QuerySet:
    """The ids of one page of `annotations` as a subquery (see assignee_names' `among`)."""
    return annotations.values("id")[first : first + count]


def assignment_history(annotation: Annotation) -> list[Assignment]:
    return list(annotation.assignments.select_related("reviewer", "assigned_by").order_by("id"))


def events_of(annotations: list[Annotation]) -> dict[int, list[Event]]:
    """Each annotation's history, oldest first, in one query."""
    events: dict[int, list[Event]] = {annotation.pk: [] for annotation in annotations}
    for event in (
        Event.objects.filter(annotation__in=annotations)
        .select_related("actor")
        .order_by("created_at", "id")
    ):
        events[event.annotation_id].append(event)
    return events
