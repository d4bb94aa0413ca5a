"""Machine suggestions of an article: the analysis' state, list, accept, dismiss."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from ... import selectors, services
from ...models import Suggestion
from .. import filters
from .. import serializers as s
from .base import (
    ID,
    ApiView,
    annotation_response,
    filter_parameters,
    object_write_schema,
    require_role,
    schema_responses,
)


class ArticleSuggestionsView(ApiView):
    @extend_schema(
        operation_id="articles_suggestions_list",
        parameters=[ID, *filter_parameters(filters.SuggestionFilter)],
        responses=schema_responses({200: s.SuggestionSerializer(many=True)}, 400, 404),
    )
    def get(self, request: Request, pk: int) -> Response:
        given = filters.SuggestionFilter(request.query_params).cleaned()
        selectors.article_must_exist(pk)
        suggestions = selectors.article_suggestions(
            pk, status=given.get("status", Suggestion.Status.PENDING)
        )
        page = self.paginate_queryset(suggestions)
        claimants = selectors.claimant_proposals((item.pk, item.speaker) for item in page)
        serializer = s.SuggestionSerializer(page, many=True, context={"claimants": claimants})
        return self.get_paginated_response(serializer.data)


class ArticleAnalysisView(ApiView):
    @extend_schema(
        operation_id="articles_analysis",
        parameters=[ID],
        description="Where the machine analysis of the article's current text stands: "
        "queued, running, done (with the number of suggestions, possibly none) or failed "
        "(with the reason in the request's language). The annotate page reads it until "
        "the analysis is done or failed.",
        responses=schema_responses({200: s.AnalysisSerializer}, 404),
    )
    def get(self, request: Request, pk: int) -> Response:
        analysis = selectors.article_analysis(selectors.article_plain(pk))
        return Response(s.AnalysisSerializer(analysis.as_dict()).data)


SID = OpenApiParameter("sid", OpenApiTypes.INT, OpenApiParameter.PATH)


def _suggestion_action(view: ApiView, action: str, pk: int, sid: int) -> None:
    """Before a suggestion is accepted or dismissed: the role may (`action`), the body is
    empty, and the suggestion is the article's (404 otherwise)."""
    require_role(view.request.user, action)
    view.validated(s.EmptySerializer)
    selectors.suggestion_must_belong(pk, sid)


class SuggestionAcceptView(ApiView):
    @object_write_schema(
        "articles_suggestions_accept",
        s.EmptySerializer,
        {200: s.AnnotationSerializer},
        parameters=[ID, SID],
        description="The suggestion becomes an annotation of the caller's; answers with it.",
    )
    def post(self, request: Request, pk: int, sid: int) -> Response:
        _suggestion_action(self, "suggestion.accept", pk, sid)
        annotation = services.suggestion_accept(actor=request.user, suggestion_id=sid)
        return annotation_response(annotation.pk)


class SuggestionDismissView(ApiView):
    @object_write_schema(
        "articles_suggestions_dismiss",
        s.EmptySerializer,
        {200: s.SuggestionSerializer},
        parameters=[ID, SID],
    )
    def post(self, request: Request, pk: int, sid: int) -> Response:
        _suggestion_action(self, "suggestion.dismiss", pk, sid)
        suggestion = services.suggestion_dismiss(actor=request.user, suggestion_id=sid)
        suggestion = selectors.suggestion_detail(suggestion.pk)
        return Response(s.SuggestionSerializer(suggestion).data)
