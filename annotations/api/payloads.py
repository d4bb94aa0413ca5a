"""The API's detail representations as plain data, for webhook payloads: what
GET /api/v1/articles/{id}/, the annotation object, a verdict and a source check give."""

from __future__ import annotations

from typing import Any

from .. import selectors
from . import serializers as s


def article(article_id: int) -> dict[str, Any]:
    row = selectors.article_detail(article_id)
    context = {"annotations": s.live_annotation_objects(row)}
    return dict(s.ArticleDetailSerializer(row, context=context).data)


def annotation(annotation_id: int) -> dict[str, Any]:
    return dict(s.AnnotationSerializer(selectors.annotation_detail(annotation_id)).data)


def verdict(verdict_id: int) -> dict[str, Any]:
    return dict(s.VerdictSerializer(selectors.verdict_detail(verdict_id)).data)


def source_check(check_id: int) -> dict[str, Any]:
    return dict(s.SourceCheckSerializer(selectors.source_check_detail(check_id)).data)
