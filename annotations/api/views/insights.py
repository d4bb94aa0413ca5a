"""The desk's dashboard as JSON: the figures of /insights/ (chiefs)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from ... import selectors
from .base import ApiView, require_role, schema_responses

MAX_WEEKS = 104


class InsightsView(ApiView):
    @extend_schema(
        operation_id="insights",
        description=(
            "The desk's figures (chiefs): `verdicts_by_rating` (approved verdicts by rating "
            "and by claimant), `timings` (hours from tag to assignment, proposal and "
            "approval: median and p90 per week, with the claims behind each), `queues` "
            "(pending and overdue items and their age per reviewer), `source_checks` "
            "(outcomes) and `agreement` (Krippendorff's alpha, ordinal, over double-reviewed "
            "claims: overall, per reviewer pair and per month, each with its `items`; "
            "`alpha` is null with a `reason` where it is undefined: `no_pairs` when no "
            "claim has two ratings, `no_variation` when every rating is the same)."
        ),
        parameters=[
            OpenApiParameter(
                "weeks", int, description=f"Weeks of timings, 1 to {MAX_WEEKS} (default 12)."
            )
        ],
        responses=schema_responses(
            {
                200: inline_serializer(
                    "Insights",
                    {
                        "generated_at": serializers.DateTimeField(),
                        "verdicts_by_rating": serializers.DictField(),
                        "timings": serializers.DictField(),
                        "queues": serializers.ListField(child=serializers.DictField()),
                        "source_checks": serializers.DictField(),
                        "agreement": serializers.DictField(),
                    },
                ),
            }
        ),
    )
    def get(self, request: Request) -> Response:
        require_role(request.user, "insights.view")
        raw = request.query_params.get("weeks", str(selectors.INSIGHT_WEEKS))
        if not raw.isdecimal() or not 1 <= int(raw) <= MAX_WEEKS:
            raise serializers.ValidationError(
                {"weeks": [_("a whole number of weeks from 1 to %(max)s") % {"max": MAX_WEEKS}]}
            )
        return Response(selectors.insights(weeks=int(raw)))
