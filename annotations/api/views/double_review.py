"""Blind double review: a chief asks two reviewers, or writes the final verdict."""

from __future__ import annotations

from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from ... import selectors, services
from .. import serializers as s
from ..serializers.double_review import DoubleReviewSerializer, FinalVerdictSerializer
from .base import ApiView, annotation_response, object_write_schema, require_role


class AnnotationDoubleReviewView(ApiView):
    @object_write_schema(
        "annotations_double_review",
        DoubleReviewSerializer,
        {200: s.AnnotationSerializer},
        description="A chief marks a claim for blind double review and assigns both "
        "reviewers. Each proposal stays sealed (seen by its author alone) until both "
        "have proposed.",
    )
    def post(self, request: Request, pk: int) -> Response:
        require_role(request.user, "annotation.double_review")
        data = self.validated(DoubleReviewSerializer)
        selectors.annotation_must_exist(pk)
        reviewers = [services.reviewer_by_name_or_id(value) for value in data["reviewers"]]
        services.double_review_request(actor=request.user, annotation_id=pk, reviewers=reviewers)
        return annotation_response(pk)


class AnnotationFinalVerdictView(ApiView):
    @object_write_schema(
        "annotations_final_verdict",
        FinalVerdictSerializer,
        {201: s.VerdictSerializer},
        description="The chief writes the final verdict of a revealed double review "
        "instead of approving either proposal; another chief approves it.",
    )
    def post(self, request: Request, pk: int) -> Response:
        require_role(request.user, "verdict.approve")
        data = self.validated(FinalVerdictSerializer)
        selectors.annotation_must_exist(pk)
        verdict = services.double_review_finalise(
            actor=request.user,
            annotation_id=pk,
            rating=data["rating"],
            rationale=data["rationale"],
        )
        return Response(
            s.VerdictSerializer(selectors.verdict_detail(verdict.pk)).data,
            status=status.HTTP_201_CREATED,
        )
