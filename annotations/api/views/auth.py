"""API tokens: log in for a token, revoke it."""

from __future__ import annotations

from django.contrib.auth import authenticate, user_logged_in
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import Throttled
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle

from ... import services
from ...auth import is_locked_out, lockout_message
from ...services.tokens import api_token_create, api_token_revoke, api_tokens_revoke_all
from .. import serializers as s
from ..authentication import TokenAuthentication
from ..parsers import FormParser, JSONParser, MultiPartParser
from .base import ApiView, require_role, schema_responses


class TokenView(ApiView):
    # POST logs in and issues a token; DELETE revokes the token it is sent with.

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    def get_authenticators(self) -> list:
        # POST is the login and takes no credentials; DELETE takes the token it revokes and
        # nothing else. (DRF asks before it wraps the request; self.request is Django's.)
        if getattr(self.request, "method", None) == "DELETE":
            return [TokenAuthentication()]
        return []

    def get_permissions(self) -> list:
        if self.request.method == "DELETE":
            return [IsAuthenticated()]
        return [AllowAny()]

    @extend_schema(
        operation_id="auth_token_create",
        description="Exchange a username and password for a new API token. Only its digest "
        "is stored; it expires after `API_TOKEN_TTL_HOURS` and when the password changes. "
        "Failed attempts lock that username out from this address (429).",
        request=s.TokenRequestSerializer,
        responses=schema_responses({200: s.TokenSerializer}, 400, 415, 413, 429),
        auth=[],
    )
    def post(self, request: Request) -> Response:
        data = self.validated(s.TokenRequestSerializer)
        # django-axes (the first authentication backend) counts a failure per username and
        # address, and refuses a locked-out pair before the password is checked.
        user = authenticate(request, username=data["username"], password=data["password"])
        if user is None:
            if is_locked_out(request):
                raise Throttled(detail=lockout_message())
            raise services.Invalid(_("Unable to log in with the provided credentials."))
        require_role(user, "api.use")
        # A login like the form's: axes resets this pair's failures, last_login is set.
        user_logged_in.send(sender=type(user), request=request, user=user)
        token, expiry = api_token_create(user=user)
        return Response(s.TokenSerializer({"token": token, "expiry": expiry}).data)

    @extend_schema(
        operation_id="auth_token_revoke",
        description="Revoke the token this request is sent with, or with `all=true` every "
        "token of its user.",
        parameters=[
            OpenApiParameter(
                "all",
                OpenApiTypes.BOOL,
                OpenApiParameter.QUERY,
                required=False,
                description="true: revoke every token of this user, not only this one.",
            )
        ],
        request=None,
        responses=schema_responses({204: None}, 400, 429),
    )
    def delete(self, request: Request) -> Response:
        every = request.query_params.get("all", "false").lower()
        if every not in ("true", "false", "1", "0"):
            raise services.Invalid(_("Send all=true or all=false."), field="all")
        if every in ("true", "1"):
            api_tokens_revoke_all(user=request.user)
        else:
            api_token_revoke(token=request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)
