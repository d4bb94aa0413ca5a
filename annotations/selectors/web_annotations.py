"""Reads of the Web Annotation Protocol server: an article's notes on the whole text, one
annotation or note of an article, and which spans came from a machine suggestion."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Max

from ..models import Annotation, Article, PageNote, Suggestion
from .annotations import annotations_with_relations


def page_notes_of(article: Article) -> list[PageNote]:
    """The article's live notes on its whole text, oldest first, with their authors."""
    return list(
        PageNote.objects.filter(article=article, is_withdrawn=False)
        .select_related("created_by")
        .order_by("id")
    )


def page_note_of(article_id: int, pk: int) -> PageNote:
    """One note of this article (withdrawn ones too: they answer 410). DoesNotExist: 404."""
    return PageNote.objects.select_related("created_by").get(article_id=article_id, pk=pk)


def annotation_of(article_id: int, pk: int) -> Annotation:
    """One annotation of this article with what its W3C form shows. DoesNotExist: 404."""
    return annotations_with_relations(Annotation.objects.filter(article_id=article_id, pk=pk)).get()


def suggested_annotation_ids(article: Article) -> set[int]:
    """Ids of the article's spans that were made by accepting a machine suggestion."""
    return set(
        Suggestion.objects.filter(article=article, annotation__isnull=False).values_list(
            "annotation_id", flat=True
        )
    )


def container_modified(article: Article) -> datetime:
    """When the article's container last changed: its newest span or note write (withdrawn
    ones too, since a withdrawal changes the listing) or the article's own."""
    latest = [
        article.updated_at,
        Annotation.objects.filter(article=article).aggregate(m=Max("updated_at"))["m"],
        PageNote.objects.filter(article=article).aggregate(m=Max("updated_at"))["m"],
    ]
    return max(t for t in latest if t is not None)
