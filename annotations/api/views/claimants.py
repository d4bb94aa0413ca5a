"""Claimants: list and search (`?q=` over names and aliases), create, read, edit, merge."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from ... import selectors, services
from ...models import Claimant
from .. import filters
from .. import serializers as s
from .base import (
    ID,
    WRITE_ERRORS,
    ApiView,
    filter_parameters,
    object_write_schema,
    require_role,
    schema_responses,
)


class ClaimantListView(ApiView):
    @extend_schema(
        operation_id="claimants_list",
        parameters=filter_parameters(filters.ClaimantFilter),
        responses=schema_responses({200: s.ClaimantSerializer(many=True)}, 400),
    )
    def get(self, request: Request) -> Response:
        given = filters.ClaimantFilter(request.query_params).cleaned()
        return self.paginated(selectors.claimant_list(**given), s.ClaimantSerializer)

    @extend_schema(
        operation_id="claimants_create",
        request=s.ClaimantCreateSerializer,
        description="Editors and chiefs. A name taken by a claimant of the same kind (in any "
        "case) answers 409 with that claimant's id as `claimant`.",
        responses=schema_responses({201: s.ClaimantSerializer}, *WRITE_ERRORS),
    )
    def post(self, request: Request) -> Response:
        require_role(request.user, "claimant.create")
        data = self.validated(s.ClaimantCreateSerializer)
        claimant = services.claimant_create(actor=request.user, **data)
        return Response(s.ClaimantSerializer(claimant).data, status=status.HTTP_201_CREATED)


class ClaimantDetailView(ApiView):
    @extend_schema(
        operation_id="claimants_retrieve",
        parameters=[ID],
        responses=schema_responses({200: s.ClaimantSerializer}, 404),
    )
    def get(self, request: Request, pk: int) -> Response:
        claimant = selectors.claimant_by_id(pk)
        if claimant is None:
            raise Claimant.DoesNotExist
        return Response(s.ClaimantSerializer(claimant).data)

    @object_write_schema(
        "claimants_partial_update", s.ClaimantUpdateSerializer, {200: s.ClaimantSerializer}
    )
    def patch(self, request: Request, pk: int) -> Response:
        require_role(request.user, "claimant.edit")
        data = self.validated(s.ClaimantUpdateSerializer)
        claimant = services.claimant_update(actor=request.user, claimant_id=pk, changes=data)
        return Response(s.ClaimantSerializer(claimant).data)


class ClaimantMergeView(ApiView):
    @object_write_schema(
        "claimants_merge",
        s.ClaimantMergeSerializer,
        {200: s.ClaimantSerializer},
        description="Editors and chiefs: fold a duplicate into this claimant.",
    )
    def post(self, request: Request, pk: int) -> Response:
        require_role(request.user, "claimant.merge")
        data = self.validated(s.ClaimantMergeSerializer)
        claimant = services.claimant_merge(
            actor=request.user, claimant_id=pk, duplicate_id=data["duplicate"]
        )
        return Response(s.ClaimantSerializer(claimant).data)
