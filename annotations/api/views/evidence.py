"""Evidence and source checks: list, add, reuse, remove, re-check."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from ... import selectors, services
from ...models import Change
from .. import serializers as s
from . import changes
from .base import ID, ApiView, object_write_schema, schema_responses


class AnnotationEvidenceView(ApiView):
    get = changes.annotation_rows_get(
        "annotations_evidence_list",
        selectors.annotation_evidence,
        s.EvidenceSerializer,
        Change.Kind.EVIDENCE,
        is_per_viewer=True,
    )

    @object_write_schema(
        "annotations_evidence_create",
        s.EvidenceInputSerializer,
        {201: s.EvidenceSerializer, 200: s.EvidenceSerializer},
        description="201 with the new evidence and its source check; 200 with the existing "
        "evidence when the annotation already has this URL (nothing is added).",
    )
    def post(self, request: Request, pk: int) -> Response:
        data = self.validated(s.EvidenceInputSerializer)
        # The body's fields (url, title, note) are the service's arguments.
        evidence = services.evidence_add(actor=request.user, annotation_id=pk, **data)
        existing = getattr(evidence, "is_existing", False)
        evidence = selectors.evidence_item(pk, evidence.pk, viewer=request.user)
        # The same URL again (a double click, a retry) answers with the evidence it made.
        code = status.HTTP_200_OK if existing else status.HTTP_201_CREATED
        return Response(s.EvidenceSerializer(evidence).data, status=code)


class EvidenceReuseSerializer(serializers.Serializer):
    verdict = s.id_field(
        help_text="An approved verdict, e.g. one of the annotation's `similar` items."
    )


REUSED = inline_serializer("EvidenceReused", {"added": s.EvidenceSerializer(many=True)})


class AnnotationEvidenceReuseView(ApiView):
    @object_write_schema(
        "annotations_evidence_reuse",
        EvidenceReuseSerializer,
        {
            201: OpenApiResponse(REUSED, description="Evidence was added."),
            200: OpenApiResponse(REUSED, description="Every URL was already here."),
        },
        description="Copies the evidence of an approved verdict (URL, title, note) onto this "
        "annotation as new evidence of the caller; URLs it already has are skipped. Each new "
        "URL gets a source check. 404 when the annotation or the verdict does not exist.",
    )
    def post(self, request: Request, pk: int) -> Response:
        selectors.annotation_must_exist(pk)
        data = self.validated(EvidenceReuseSerializer)
        added = services.evidence_reuse(
            actor=request.user, annotation_id=pk, verdict_id=data["verdict"]
        )
        evidence = selectors.annotation_evidence(pk, ids=[e.pk for e in added], viewer=request.user)
        return Response(
            {"added": s.EvidenceSerializer(evidence, many=True).data},
            status=status.HTTP_201_CREATED if added else status.HTTP_200_OK,
        )


class EvidenceDetailView(ApiView):
    @extend_schema(
        operation_id="evidence_destroy",
        parameters=[ID],
        description="Removes the evidence from view; the row and its checks stay.",
        responses=schema_responses({204: None}, 404, 409),
    )
    def delete(self, request: Request, pk: int) -> Response:
        services.evidence_remove(actor=request.user, evidence_id=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class AnnotationSourceChecksView(ApiView):
    get = changes.annotation_rows_get(
        "annotations_source_checks_list",
        selectors.annotation_checks,
        s.SourceCheckSerializer,
        Change.Kind.SOURCE_CHECK,
        is_per_viewer=True,
    )

    @object_write_schema(
        "annotations_source_checks_request",
        s.EmptySerializer,
        {
            202: inline_serializer(
                "SourceChecksRequested", {"checks": s.SourceCheckSerializer(many=True)}
            )
        },
        description="Re-runs the checks; workers fill in the results.",
    )
    def post(self, request: Request, pk: int) -> Response:
        self.validated(s.EmptySerializer)
        checks = services.source_checks_request(actor=request.user, annotation_id=pk)
        return Response(
            {"checks": s.SourceCheckSerializer(checks, many=True).data},
            status=status.HTTP_202_ACCEPTED,
        )
