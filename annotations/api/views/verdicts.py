"""Verdicts: an annotation's verdicts, a proposal, a chief's approval or rejection."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from ... import selectors, services
from ...models import Change
from .. import serializers as s
from . import changes
from .base import ApiView, object_write_schema, require_role


def _verdict_response(verdict_id: int, code: int = status.HTTP_200_OK) -> Response:
    return Response(s.VerdictSerializer(selectors.verdict_detail(verdict_id)).data, status=code)


class AnnotationVerdictsView(ApiView):
    get = changes.annotation_rows_get(
        "annotations_verdicts_list",
        selectors.annotation_verdicts,
        s.VerdictSerializer,
        Change.Kind.VERDICT,
    )

    @object_write_schema(
        "annotations_verdicts_create", s.VerdictCreateSerializer, {201: s.VerdictSerializer}
    )
    def post(self, request: Request, pk: int) -> Response:
        data = self.validated(s.VerdictCreateSerializer)
        verdict = services.verdict_propose(
            actor=request.user,
            annotation_id=pk,
            rating=data["rating"],
            rationale=data["rationale"],
            evidence=[services.EvidenceInput(**item) for item in data.get("evidence", [])],
        )
        return _verdict_response(verdict.pk, status.HTTP_201_CREATED)


def _verdict_decision(
    operation_id: str,
    action: str,
    serializer_class: type[serializers.Serializer],
    decide: Callable[..., Any],
) -> Callable[..., Response]:
    """A view's POST: a chief's decision on a verdict (`decide`, a service taking the note),
    refused before the body is read when the role may not (`action`)."""

    @object_write_schema(operation_id, serializer_class, {200: s.VerdictSerializer})
    def post(self: ApiView, request: Request, pk: int) -> Response:
        require_role(request.user, action)
        data = self.validated(serializer_class)
        decide(actor=request.user, verdict_id=pk, note=data.get("note", ""))
        return _verdict_response(pk)

    return post


class VerdictApproveView(ApiView):
    post = _verdict_decision(
        "verdicts_approve", "verdict.approve", s.VerdictApproveSerializer, services.verdict_approve
    )


class VerdictRejectView(ApiView):
    post = _verdict_decision(
        "verdicts_reject", "verdict.reject", s.VerdictRejectSerializer, services.verdict_reject
    )
