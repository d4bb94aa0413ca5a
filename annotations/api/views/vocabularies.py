"""What the desk chooses from: labels, ratings, newsroom users."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from ... import selectors
from .. import filters
from .. import serializers as s
from .base import ApiView, filter_parameters, schema_responses


class LabelListView(ApiView):
    @extend_schema(
        operation_id="labels_list", responses=schema_responses({200: s.LabelSerializer(many=True)})
    )
    def get(self, request: Request) -> Response:
        return self.paginated(selectors.labels(), s.LabelSerializer)


class RatingListView(ApiView):
    @extend_schema(
        operation_id="ratings_list",
        responses=schema_responses({200: s.RatingSerializer(many=True)}),
    )
    def get(self, request: Request) -> Response:
        return self.paginated(selectors.ratings(), s.RatingSerializer)


class UserListView(ApiView):
    @extend_schema(
        operation_id="users_list",
        parameters=filter_parameters(filters.UserFilter),
        responses=schema_responses({200: s.UserSerializer(many=True)}, 400),
    )
    def get(self, request: Request) -> Response:
        given = filters.UserFilter(request.query_params).cleaned()
        return self.paginated(selectors.newsroom_users(given.get("role")), s.UserSerializer)
