"""Suggestions of an article's analysis."""

from __future__ import annotations

from django.db.models import F, Q, QuerySet

from ..models import Article, Event, Suggestion


def article_suggestions(
    article_id: int, *, status: str | None = Suggestion.Status.PENDING
) -> QuerySet[Suggestion]:
    """The article's suggestions. Pending ones only of its current text: after a text edit
    those of the old revision hold old offsets until the analysis of the new text replaces
    them, and drawn on the new text they would outline the wrong words."""
    suggestions = (
        Suggestion.objects.filter(article_id=article_id)
        .exclude(Q(status=Suggestion.Status.PENDING) & ~Q(revision=F("article__revision")))
        .select_related("label")
    )
    if status:
        suggestions = suggestions.filter(status=status)
    return suggestions.order_by("start", "end", "id")


def suggestion_must_belong(article_id: int, suggestion_id: int) -> None:
    """Raise Suggestion.DoesNotExist unless the suggestion is the article's."""
    if not Suggestion.objects.filter(pk=suggestion_id, article_id=article_id).exists():
        raise Suggestion.DoesNotExist


def suggestion_detail(pk: int) -> Suggestion:
    return Suggestion.objects.select_related("label").get(pk=pk)


def pending_suggestion_count(article: Article) -> int:
    """Pending suggestions of the article's current text (see article_suggestions)."""
    return Suggestion.objects.filter(
        article=article, status=Suggestion.Status.PENDING, revision=article.revision
    ).count()


def analysis_pending(article: Article) -> bool:
    """Whether the machine analysis of the article's current text has not stored its
    suggestions yet (suggestions_replace records `article.analysed` with the revision)."""
    if not article.text:
        return False
    return not Event.objects.filter(
        article=article, verb=Event.Verb.ARTICLE_ANALYSED, data__revision=article.revision
    ).exists()
