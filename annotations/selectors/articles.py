"""Articles: the list, its search and orderings, what needs attention, and single articles."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models import Count, Exists, FloatField, Max, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Greatest

from ..models import Annotation, Article, SourceCheck, Suggestion

SEARCH_CONFIGS = {"de": "german", "en": "english"}


# The orders of the articles list, by the API's `ordering` value.
ARTICLE_ORDERINGS = {
    "-created_at": ("-created_at", "-id"),
    "-checkworthiness": ("-checkworthiness", "-created_at", "-id"),
}


def article_list(
    *,
    status: str | None = None,
    language: str | None = None,
    q: str | None = None,
    ordering: str = "-created_at",
) -> QuerySet[Article]:
    """Articles newest first, or most check-worthy first (`ordering="-checkworthiness"`,
    see `with_checkworthiness`). Archived ones only when asked for by status."""
    articles = Article.objects.select_related("created_by").defer("text")
    if status:
        articles = articles.filter(status=status)
    else:
        articles = articles.exclude(status=Article.Status.ARCHIVED)
    if language:
        articles = articles.filter(language__istartswith=language)
    if q:
        articles = articles.filter(article_search_filter(q))
    if ordering == "-checkworthiness":
        articles = with_checkworthiness(articles)
    return articles.order_by(*ARTICLE_ORDERINGS[ordering])


def with_checkworthiness(articles: QuerySet[Article]) -> QuerySet[Article]:
    """Each article's `checkworthiness`: its most check-worthy claim, 0..1, over the live
    claim annotations (their stored score) and the pending claim suggestions of its current
    text (a claim suggestion's score is its check-worthiness). 0 when it has neither; a
    dismissed suggestion or a withdrawn span does not count."""
    claims = (
        Annotation.objects.filter(article=OuterRef("pk"), label__needs_verdict=True)
        .exclude(status=Annotation.Status.WITHDRAWN)
        .order_by()
        .values("article")
        .annotate(top=Max("checkworthiness"))
        .values("top")
    )
    suggested = (
        Suggestion.objects.filter(
            article=OuterRef("pk"),
            label__needs_verdict=True,
            status=Suggestion.Status.PENDING,
        )
        .order_by()
        .values("article")
        .annotate(top=Max("score"))
        .values("top")
    )
    zero = Value(0.0, output_field=FloatField())
    return articles.annotate(
        checkworthiness=Greatest(
            Coalesce(Subquery(claims, output_field=FloatField()), zero),
            Coalesce(Subquery(suggested, output_field=FloatField()), zero),
        )
    )


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


def article_must_exist(pk: int) -> None:
    if not Article.objects.filter(pk=pk).exists():
        raise Article.DoesNotExist


def article_detail(pk: int) -> Article:
    return Article.objects.select_related("created_by").get(pk=pk)


def article_plain(pk: int) -> Article:
    return Article.objects.get(pk=pk)


def article_annotations(article: Article) -> QuerySet[Annotation]:
    """Every annotation of one article, withdrawn ones included (the article's CSV)."""
    return Annotation.objects.filter(article=article)


def article_titled(title: str) -> bool:
    return Article.objects.filter(title=title).exists()


FAILED_CHECKS = (SourceCheck.Status.FAILED, SourceCheck.Status.BLOCKED)


def _failing_checks() -> Any:
    """Checks on live spans that failed or were blocked, with no newer check of the same
    source since (a successful re-run clears the marker)."""
    newer = SourceCheck.objects.filter(
        annotation=OuterRef("annotation"),
        url=OuterRef("url"),
        attribution=OuterRef("attribution"),
        requested_at__gt=OuterRef("requested_at"),
    )
    return (
        SourceCheck.objects.filter(status__in=FAILED_CHECKS)
        .exclude(annotation__status=Annotation.Status.WITHDRAWN)
        .filter(Q(evidence__isnull=True) | Q(evidence__removed_at__isnull=True))
        .filter(~Exists(newer))
    )


def _needs_attention() -> Q:
    live = Annotation.objects.filter(article=OuterRef("pk")).exclude(
        status=Annotation.Status.WITHDRAWN
    )
    return Q(
        Exists(
            live.filter(
                Q(anchor_state__in=[Annotation.AnchorState.FUZZY, Annotation.AnchorState.ORPHANED])
                | Q(status=Annotation.Status.PROPOSED)
            )
        )
    ) | Q(Exists(_failing_checks().filter(annotation__article=OuterRef("pk"))))


def needing_attention(articles: QuerySet[Article]) -> QuerySet[Article]:
    """Articles with a fuzzy or orphaned span, a verdict waiting, or a failed check."""
    return articles.filter(_needs_attention())


def article_list_counts(
    ids: list[int], aggregates: dict[str, Any]
) -> tuple[dict[int, dict[str, Any]], dict[int, int]]:
    """For one page of the articles list: the `aggregates` of each article's annotations,
    and the number of failing checks of each, in two queries."""
    counts = {
        row["pk"]: row
        for row in Article.objects.filter(pk__in=ids).values("pk").annotate(**aggregates)
    }
    failing = dict(
        _failing_checks()
        .filter(annotation__article_id__in=ids)
        .values_list("annotation__article_id")
        .annotate(n=Count("pk"))
    )
    return counts, failing
