"""Annotations: list, create, read, edit, withdraw, assign, decline, comments, history, queue."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from ... import selectors, services
from ...models import Annotation, Article, Change
from .. import filters
from .. import serializers as s
from . import changes
from .base import (
    ID,
    WRITE_ERRORS,
    ApiView,
    annotation_response,
    annotation_rows_get,
    expected_version,
    filter_parameters,
    if_match_parameter,
    object_write_schema,
    require_role,
    schema_responses,
    with_etag,
)


class AnnotationListView(ApiView):
    @changes.list_schema(
        "annotations_list",
        "Annotation",
        s.AnnotationSerializer(many=True),
        *filter_parameters(filters.AnnotationFilter),
    )
    def get(self, request: Request) -> Response:
        if changes.wants_cursor(request):
            return changes.cursor_response(
                request,
                kinds=[Change.Kind.ANNOTATION],
                filters=list(filters.AnnotationFilter.base_filters),
            )
        given = filters.AnnotationFilter(request.query_params).cleaned()
        annotations = selectors.annotation_list(**given)
        # Plain values, not model instances through DRF's fields (doccano bench).
        rows = self.paginate_queryset(selectors.annotation_values(annotations))
        first = self.paginator.page.start_index() - 1 if rows else 0
        page_ids = selectors.ids_of(annotations, first, len(rows))
        return self.get_paginated_response(s.annotation_objects(rows, among=page_ids))

    @extend_schema(
        operation_id="annotations_create",
        request=s.AnnotationCreateSerializer,
        responses=schema_responses({201: s.AnnotationSerializer}, 409, *WRITE_ERRORS),
    )
    def post(self, request: Request) -> Response:
        require_role(request.user, "annotation.create")
        data = self.validated(s.AnnotationCreateSerializer)
        try:
            annotation = services.annotation_create(
                actor=request.user,
                article_id=data["article"],
                label=data["label"],
                start=data["start"],
                end=data["end"],
                exact=data.get("exact"),
                note=data.get("note", ""),
                priority=data.get("priority", Annotation.Priority.NORMAL),
                due_at=data.get("due_at"),
                offset_unit=data["offset_unit"],
                claimant=data.get("claimant"),
            )
        except Article.DoesNotExist:
            raise services.Invalid(
                _("unknown article %(id)s") % {"id": data["article"]}, field="article"
            ) from None
        # A new annotation has no assignments or verdicts yet: answer from the object the
        # service returned rather than reload it (3 queries).
        response = Response(s.new_annotation_object(annotation), status=status.HTTP_201_CREATED)
        return with_etag(response, annotation.version)


IF_MATCH = if_match_parameter('The ETag from the last GET, e.g. "3". A stale one answers 412.')


class AnnotationDetailView(ApiView):
    @extend_schema(
        operation_id="annotations_retrieve",
        parameters=[ID],
        responses=schema_responses(
            {200: OpenApiResponse(s.AnnotationDetailSerializer, description="ETag: the version")},
            404,
        ),
    )
    def get(self, request: Request, pk: int) -> Response:
        annotation = selectors.annotation_detail(pk)
        response = Response(s.AnnotationDetailSerializer(annotation).data)
        return with_etag(response, annotation.version)

    @object_write_schema(
        "annotations_partial_update",
        s.AnnotationUpdateSerializer,
        {200: s.AnnotationSerializer},
        412,
        parameters=[ID, IF_MATCH],
    )
    def patch(self, request: Request, pk: int) -> Response:
        require_role(request.user, "annotation.edit")
        expected = expected_version(request)
        data = self.validated(s.AnnotationUpdateSerializer)
        services.annotation_update(
            actor=request.user, annotation_id=pk, changes=data, expected_version=expected
        )
        return annotation_response(pk)

    @extend_schema(
        operation_id="annotations_destroy",
        parameters=[ID, IF_MATCH],
        description="Withdraws the annotation; it and its history stay.",
        responses=schema_responses({204: None}, 404, 409, 412),
    )
    def delete(self, request: Request, pk: int) -> Response:
        require_role(request.user, "annotation.withdraw")
        services.annotation_withdraw(
            actor=request.user, annotation_id=pk, expected_version=expected_version(request)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class AnnotationAssignView(ApiView):
    @object_write_schema("annotations_assign", s.AssignSerializer, {200: s.AnnotationSerializer})
    def post(self, request: Request, pk: int) -> Response:
        require_role(request.user, "annotation.assign")
        data = self.validated(s.AssignSerializer)
        selectors.annotation_must_exist(pk)
        reviewer = services.reviewer_by_name_or_id(data["reviewer"])
        services.annotation_assign(
            actor=request.user, annotation_id=pk, reviewer=reviewer, due_at=data.get("due_at")
        )
        return annotation_response(pk)


class AnnotationDeclineView(ApiView):
    @object_write_schema(
        "annotations_decline",
        s.DeclineSerializer,
        {200: s.AnnotationSerializer},
        description="The assigned reviewer hands the item back with a reason.",
    )
    def post(self, request: Request, pk: int) -> Response:
        data = self.validated(s.DeclineSerializer)
        services.assignment_decline(actor=request.user, annotation_id=pk, reason=data["reason"])
        return annotation_response(pk)


class AnnotationCommentsView(ApiView):
    get = annotation_rows_get(
        "annotations_comments_list", selectors.annotation_comments, s.CommentSerializer
    )

    @object_write_schema(
        "annotations_comments_create", s.CommentCreateSerializer, {201: s.CommentSerializer}
    )
    def post(self, request: Request, pk: int) -> Response:
        data = self.validated(s.CommentCreateSerializer)
        comment = services.comment_add(actor=request.user, annotation_id=pk, body=data["body"])
        return Response(s.CommentSerializer(comment).data, status=status.HTTP_201_CREATED)


class AnnotationHistoryView(ApiView):
    get = changes.annotation_rows_get(
        "annotations_history",
        selectors.annotation_history,
        s.HistoryItemSerializer,
        Change.Kind.EVENT,
    )


class QueueView(ApiView):
    @extend_schema(
        operation_id="queue_list",
        description="The caller's pending assignments: overdue first, then priority, then "
        "due date, then check-worthiness; or most check-worthy first.",
        parameters=filter_parameters(filters.QueueFilter),
        responses=schema_responses({200: s.QueueItemSerializer(many=True)}, 400),
    )
    def get(self, request: Request) -> Response:
        ordering = "queue"
        if "ordering" in request.query_params:  # the form costs a millisecond (queue bench)
            given = filters.QueueFilter(request.query_params).cleaned()
            ordering = given.get("ordering", "queue")
        rows = self.paginate_queryset(selectors.queue_values(request.user, ordering=ordering))
        return self.get_paginated_response(s.queue_objects(rows))
