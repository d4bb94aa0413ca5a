"""Shared reads, each with the joins its callers need so that pages and lists run a
constant number of queries however many rows they show.

Access scoping lives here once: every newsroom role reads every article and annotation
(one desk, one team); the API and views refuse users without a role before calling.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils import timezone

from .models import (
    Annotation,
    Article,
    Assignment,
    Comment,
    Event,
    Evidence,
    Label,
    Rating,
    SourceCheck,
    Suggestion,
    Verdict,
)

SEARCH_CONFIGS = {"de": "german", "en": "english"}


def _verdicts_prefetch(prefix: str = "") -> Prefetch:
    return Prefetch(
        f"{prefix}verdicts",
        queryset=Verdict.objects.select_related("rating", "author", "decided_by").order_by("id"),
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
    """Annotations with label, author, assignments and verdicts loaded (5 queries flat)."""
    queryset = queryset if queryset is not None else Annotation.objects.all()
    # The article's text is not needed per row (it can be 500,000 characters).
    return (
        queryset.select_related("label", "created_by", "article")
        .defer("article__text")
        .prefetch_related(_assignments_prefetch(), _verdicts_prefetch())
    )


def current_verdict(annotation: Annotation) -> Verdict | None:
    if hasattr(annotation, "latest_verdict"):  # set by queue_page_relations
        return annotation.latest_verdict
    verdicts = getattr(annotation, "verdict_list", None)
    if verdicts is None:
        verdicts = list(
            annotation.verdicts.select_related("rating", "author", "decided_by").order_by("id")
        )
    return verdicts[-1] if verdicts else None


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


def article_list(
    *,
    status: str | None = None,
    language: str | None = None,
    q: str | None = None,
) -> QuerySet[Article]:
    """Articles newest first. Archived ones only when asked for by status."""
    articles = Article.objects.select_related("created_by").defer("text")
    if status:
        articles = articles.filter(status=status)
    else:
        articles = articles.exclude(status=Article.Status.ARCHIVED)
    if language:
        articles = articles.filter(language__istartswith=language)
    if q:
        articles = articles.filter(article_search_filter(q))
    return articles.order_by("-created_at", "-id")


def article_search_filter(q: str) -> Q:
    """Full-text search in each article's own language on PostgreSQL (matching the GIN
    indexes of migration 0003); `icontains` on SQLite."""
    if connection.vendor != "postgresql":
        return Q(title__icontains=q) | Q(text__icontains=q)
    from django.contrib.postgres.search import SearchQuery, SearchVector

    german = SearchVector("title", "text", config="german")
    english = SearchVector("title", "text", config="english")
    ids_de = Article.objects.annotate(v=german).filter(
        language__startswith="de", v=SearchQuery(q, config="german", search_type="websearch")
    )
    ids_en = (
        Article.objects.annotate(v=english)
        .exclude(language__startswith="de")
        .filter(v=SearchQuery(q, config="english", search_type="websearch"))
    )
    return Q(pk__in=ids_de.values("pk")) | Q(pk__in=ids_en.values("pk")) | Q(title__icontains=q)


def article_annotations(article: Article, *, include_withdrawn: bool = False) -> list[Annotation]:
    annotations = Annotation.objects.filter(article=article)
    if not include_withdrawn:
        annotations = annotations.exclude(status=Annotation.Status.WITHDRAWN)
    return list(annotations_with_relations(annotations).order_by("start", "end", "id"))


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
            if str(assignee).isdigit()
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
        latest = (
            Verdict.objects.filter(annotation=OuterRef("annotation"))
            .order_by("-id")
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


def queue_for(user: Any, *, now: datetime | None = None) -> QuerySet[Assignment]:
    """The caller's pending assignments: overdue first, then priority (high first), then
    due date (none last), then check-worthiness and age.

    The rows carry the assignment and its annotation, which the sort joins anyway;
    `queue_page_relations` loads the rest for the one page shown. (Joining article, label
    and users before the sort made PostgreSQL join them for the whole queue.) Withdrawn
    annotations are left out with NOT EXISTS, which PostgreSQL answers from the few
    withdrawn rows instead of looking up every queued annotation: the count needs no join.
    """
    now = now or timezone.now()
    withdrawn = Annotation.objects.filter(
        pk=OuterRef("annotation_id"), status=Annotation.Status.WITHDRAWN
    )
    return (
        Assignment.objects.filter(reviewer=user, state=Assignment.State.PENDING)
        .filter(~Exists(withdrawn))
        .select_related("annotation")
        .annotate(
            is_overdue=Case(
                When(due_at__lt=now, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .order_by(
            F("is_overdue").desc(),
            F("annotation__priority").desc(),
            F("due_at").asc(nulls_last=True),
            F("annotation__checkworthiness").desc(nulls_last=True),
            "created_at",
            "id",
        )
    )


def queue_page_relations(assignments: list[Assignment]) -> list[Assignment]:
    """Load, in place, what one page of queue rows shows: each annotation's label, article
    (without its text) and author, who assigned it, the assignees, the verdicts and the
    latest source check. Six small queries, however many rows: the few distinct labels,
    articles and users of a page are read once each rather than joined to every row, and
    of the verdicts and assignees only what a row shows (`current_verdict`, `assignees`)."""
    from django.contrib.auth import get_user_model

    if not assignments:
        return assignments
    annotations = [a.annotation for a in assignments]
    labels = Label.objects.in_bulk({a.label_id for a in annotations})
    articles = Article.objects.defer("text").in_bulk({a.article_id for a in annotations})
    people = get_user_model().objects.in_bulk(
        {a.created_by_id for a in annotations} | {a.assigned_by_id for a in assignments}
    )
    for assignment, annotation in zip(assignments, annotations, strict=True):
        annotation.label = labels[annotation.label_id]
        annotation.article = articles[annotation.article_id]
        annotation.created_by = people[annotation.created_by_id]
        assignment.assigned_by = people[assignment.assigned_by_id]
    names: dict[int, list[str]] = {a.pk: [] for a in annotations}
    for annotation_id, username in (
        Assignment.objects.filter(annotation_id__in=names)
        .exclude(state=Assignment.State.DECLINED)
        .order_by("id")
        .values_list("annotation_id", "reviewer__username")
    ):
        if username not in names[annotation_id]:
            names[annotation_id].append(username)
    verdicts = latest_verdicts(list(names))
    for annotation in annotations:
        annotation.assignee_names = names[annotation.pk]
        annotation.latest_verdict = verdicts.get(annotation.pk)
    latest = latest_checks([a.pk for a in annotations])
    for annotation in annotations:
        annotation.latest_check = latest.get(annotation.pk)
    return assignments


def latest_verdicts(annotation_ids: list[int]) -> dict[int, Verdict]:
    """The newest verdict of each annotation, in one query."""
    if not annotation_ids:
        return {}
    verdicts = Verdict.objects.filter(annotation_id__in=annotation_ids).select_related(
        "rating", "author", "decided_by"
    )
    if connection.vendor == "postgresql":
        rows = verdicts.order_by("annotation_id", "-id").distinct("annotation_id")
        return {row.annotation_id: row for row in rows}
    result: dict[int, Verdict] = {}
    for row in verdicts.order_by("annotation_id", "-id"):
        result.setdefault(row.annotation_id, row)
    return result


def latest_checks(annotation_ids: list[int]) -> dict[int, SourceCheck]:
    """The newest source check of each annotation, in one query."""
    if not annotation_ids:
        return {}
    if connection.vendor == "postgresql":
        rows = (
            SourceCheck.objects.filter(annotation_id__in=annotation_ids)
            .order_by("annotation_id", "-requested_at", "-id")
            .distinct("annotation_id")
        )
        return {row.annotation_id: row for row in rows}
    result: dict[int, SourceCheck] = {}
    for row in SourceCheck.objects.filter(annotation_id__in=annotation_ids).order_by(
        "annotation_id", "-requested_at", "-id"
    ):
        result.setdefault(row.annotation_id, row)
    return result


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


def annotation_evidence(annotation_id: int, *, include_removed: bool = False) -> QuerySet[Evidence]:
    evidence = Evidence.objects.filter(annotation_id=annotation_id).select_related("added_by")
    if not include_removed:
        evidence = evidence.filter(removed_at__isnull=True)
    return evidence.prefetch_related(
        Prefetch(
            "checks",
            queryset=SourceCheck.objects.order_by("-requested_at", "-id"),
            to_attr="check_list",
        )
    ).order_by("created_at", "id")


def annotation_checks(annotation_id: int) -> QuerySet[SourceCheck]:
    return SourceCheck.objects.filter(annotation_id=annotation_id).order_by("-requested_at", "-id")


def article_suggestions(
    article_id: int, *, status: str | None = Suggestion.Status.PENDING
) -> QuerySet[Suggestion]:
    suggestions = Suggestion.objects.filter(article_id=article_id).select_related("label")
    if status:
        suggestions = suggestions.filter(status=status)
    return suggestions.order_by("start", "end", "id")


def proposed_verdicts() -> QuerySet[Verdict]:
    return (
        Verdict.objects.filter(status=Verdict.Status.PROPOSED)
        .exclude(annotation__status=Annotation.Status.WITHDRAWN)
        .select_related("rating", "author", "annotation__label", "annotation__article")
        .prefetch_related(
            Prefetch(
                "evidence", queryset=Evidence.objects.filter(removed_at__isnull=True).order_by("id")
            )
        )
        .order_by("created_at", "id")
    )


def labels() -> QuerySet[Label]:
    return Label.objects.order_by("order", "slug")


def ratings() -> QuerySet[Rating]:
    return Rating.objects.order_by("order", "slug")


def approved_claim_verdicts(article: Article) -> list[Verdict]:
    """Approved verdicts on live claim spans of one article, in text order."""
    return list(
        Verdict.objects.filter(
            annotation__article=article,
            annotation__label__needs_verdict=True,
            annotation__status=Annotation.Status.APPROVED,
            status=Verdict.Status.APPROVED,
        )
        .select_related("rating", "author", "decided_by", "annotation__label")
        .prefetch_related(
            Prefetch(
                "annotation__evidence",
                queryset=Evidence.objects.filter(removed_at__isnull=True).order_by("id"),
            )
        )
        .order_by("annotation__start", "annotation__end", "id")
    )


SIMILAR_LIMIT = 5
# pg_trgm's similarity() of two claims about the same fact worded apart is often 0.3–0.5;
# below 0.3 the matches are noise. rapidfuzz's token_set_ratio (0–100) is the SQLite twin.
TRIGRAM_MIN = 0.3
FUZZ_MIN = 70.0


def similar_claims(annotation: Annotation, *, limit: int = SIMILAR_LIMIT) -> list[dict[str, Any]]:
    """Approved verdicts on similar claims from *other* articles, best match first.

    PostgreSQL: trigram similarity of the quotes (GIN index of migration 0003) or a
    full-text match in the article's language. SQLite: rapidfuzz over recent verdicts.
    """
    if not annotation.exact.strip():
        return []
    verdicts = (
        Verdict.objects.filter(
            status=Verdict.Status.APPROVED,
            annotation__label__needs_verdict=True,
            annotation__status=Annotation.Status.APPROVED,
        )
        .exclude(annotation__article_id=annotation.article_id)
        .select_related("rating", "annotation__article", "author")
    )
    scored: list[tuple[float, Verdict]]
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchVector, TrigramSimilarity

        language = (annotation.article.language or "")[:2]
        config = SEARCH_CONFIGS.get(language, "simple")
        rows = (
            verdicts.annotate(similarity=TrigramSimilarity("annotation__exact", annotation.exact))
            .annotate(document=SearchVector("annotation__exact", config=config))
            .filter(
                Q(similarity__gte=TRIGRAM_MIN)
                | Q(document=SearchQuery(annotation.exact, config=config, search_type="plain"))
            )
            .order_by("-similarity", "-decided_at")[:limit]
        )
        scored = [(round(float(row.similarity), 3), row) for row in rows]
    else:
        from rapidfuzz import fuzz

        scored = []
        for row in verdicts.order_by("-decided_at")[:2000]:
            score = fuzz.token_set_ratio(annotation.exact, row.annotation.exact)
            if score >= FUZZ_MIN:
                scored.append((round(score / 100, 3), row))
        scored.sort(key=lambda pair: pair[0], reverse=True)
        scored = scored[:limit]
    by_verdict: dict[int, list[Evidence]] = {}
    for item in Evidence.objects.filter(
        verdict_id__in=[v.pk for _, v in scored], removed_at__isnull=True
    ).order_by("id"):
        by_verdict.setdefault(item.verdict_id, []).append(item)
    return [
        {
            "verdict": verdict.pk,
            "annotation": verdict.annotation_id,
            "article": verdict.annotation.article_id,
            "article_title": verdict.annotation.article.title,
            "exact": verdict.annotation.exact,
            "rating": verdict.rating.slug,
            "rating_name": verdict.rating.display_name,
            "rationale": verdict.rationale,
            "decided_at": verdict.decided_at,
            "score": score,
            "evidence": [{"url": e.url, "title": e.title} for e in by_verdict.get(verdict.pk, [])],
        }
        for score, verdict in scored
    ]
