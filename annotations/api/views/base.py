"""What every API view shares: the base view, the schema helpers, ETags and role checks."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from ... import policy, selectors, services
from .. import filters, idempotency
from .. import serializers as s
from ..parsers import JSONParser

# --- schema helpers -------------------------------------------------------------------------

_ERROR_TEXT = {
    400: "Invalid input: `detail` and/or one list of messages per field.",
    401: "No credentials: send `Authorization: Token …` or log in.",
    403: "No newsroom role, or the role may not do this.",
    404: "No such object.",
    409: "The object's state does not allow this; the message names the state.",
    412: "If-Match does not match the current version (ETag).",
    413: "The request body or the article is too large.",
    415: "Unsupported content type.",
    429: "Too many requests.",
}


def schema_responses(ok: dict[Any, Any], *errors: int) -> dict[Any, Any]:
    """The success responses plus the error responses this endpoint can give; a paginated
    list also answers 404 for a page past its end. Every endpoint may answer 400: a query
    string with a NUL character is refused before any view (annotations.storable)."""
    result: dict[Any, Any] = dict(ok)
    if any(getattr(value, "many", False) for value in ok.values()):
        errors = (*errors, 404)
    for code in sorted({400, 401, 403, *errors}):
        result[code] = OpenApiResponse(s.ErrorSerializer, description=_ERROR_TEXT[code])
    return result


# 409 on every write: an archived or published article refuses it (policy), and a reused
# Idempotency-Key with another body is refused.
WRITE_ERRORS = (400, 409, 413, 415)

_PARAM_TYPES = {
    "IntegerFilter": OpenApiTypes.INT,
    "IsoDateTimeFilter": OpenApiTypes.DATETIME,
}


def filter_parameters(filterset: type[filters.ValidatingFilterSet]) -> list[OpenApiParameter]:
    """OpenAPI query parameters of a filter set, so the schema and the validation agree."""
    parameters = []
    for name, field in filterset.base_filters.items():
        choices = field.extra.get("choices")
        parameters.append(
            OpenApiParameter(
                name,
                _PARAM_TYPES.get(type(field).__name__, OpenApiTypes.STR),
                OpenApiParameter.QUERY,
                required=False,
                description=str(field.extra.get("help_text", "")),
                enum=[value for value, _label in choices] if choices else None,
            )
        )
    return parameters


ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)


def object_write_schema(
    operation_id: str,
    request: Any,
    ok: dict[Any, Any],
    *errors: int,
    parameters: Sequence[OpenApiParameter] = (ID,),
    description: str | None = None,
) -> Callable:
    """The schema of a write with a body on the object the path names: besides `errors`
    it answers 404 (no such object) and the write errors (409 among them: its state)."""
    return extend_schema(
        operation_id=operation_id,
        parameters=list(parameters),
        request=request,
        description=description,
        responses=schema_responses(ok, 404, *WRITE_ERRORS, *errors),
    )


def if_match_parameter(description: str) -> OpenApiParameter:
    """The optional If-Match header of a write guarded by a version."""
    return OpenApiParameter(
        "If-Match",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        required=False,
        description=description,
    )


# --- base -----------------------------------------------------------------------------------


class ApiView(GenericAPIView):
    # JSON in, JSON out; lists paginated as {count, next, previous, results}. (A comment,
    # not a docstring: the schema would show a docstring on every operation.)

    parser_classes = [JSONParser]
    filter_backends: list = []
    # OPTIONS would describe forms through serializer introspection; the schema does that.
    metadata_class = None

    _idempotency_key = None

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # authentication, permissions, throttles
        self._idempotency_key = idempotency.claim(request)

    def handle_exception(self, exc: Exception) -> Any:
        if isinstance(exc, idempotency.Replay):
            return idempotency.replay(exc.record)
        return super().handle_exception(exc)

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)
        if self._idempotency_key is not None:
            idempotency.store(self._idempotency_key, response)
        return response

    def validated(self, serializer_class: type[serializers.Serializer]) -> dict[str, Any]:
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def paginated(
        self, rows: QuerySet | list, serializer_class: type[serializers.Serializer]
    ) -> Response:
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(serializer_class(page, many=True).data)


def require_role(user: Any, action: str) -> None:
    """Refuse a role-only action before its body is read, so a reviewer hears 403 rather
    than a 400 about a form they may not send at all. The rule and its words are policy's
    (ROLE_ACTIONS), which the service asks again."""
    reason = policy.role_refusal(user, action)
    if reason is not None:
        raise services.Forbidden(reason)


# --- versions: ETag out, If-Match in ---------------------------------------------------------


def with_etag(response: Response, version: int) -> Response:
    """The response with the object's version as its (strong) ETag."""
    response["ETag"] = f'"{version}"'
    return response


_ETAG = re.compile(r'^(?:"(\d{1,18})"|(\d{1,18}))$')


def expected_version(request: Request, what: str = "annotation") -> int | None:
    """The version an If-Match names (strong comparison), None when absent or `*`."""
    header = request.headers.get("If-Match")
    if header is None or header.strip() == "*":
        return None
    match = _ETAG.match(header.strip())
    if match is None:
        if what == "article":
            message = _(
                "If-Match %(header)s is not this article's ETag; send the ETag "
                'from the last GET, e.g. If-Match: "3"'
            )
        else:
            message = _(
                "If-Match %(header)s is not this annotation's ETag; send the ETag "
                'from the last GET, e.g. If-Match: "3"'
            )
        raise services.Stale(message % {"header": repr(header.strip())})
    return int(match.group(1) or match.group(2))


def annotation_response(annotation_id: int, code: int = status.HTTP_200_OK) -> Response:
    annotation = selectors.annotation_detail(annotation_id)
    return with_etag(
        Response(s.AnnotationSerializer(annotation).data, status=code), annotation.version
    )


def article_response(
    article_id: int,
    code: int = status.HTTP_200_OK,
    *,
    updated: bool = False,
    reanchored: dict[str, int] | None = None,
) -> Response:
    """The article detail; after a PATCH (`updated`) with its re-anchoring counts."""
    article = selectors.article_detail(article_id)
    context = {"annotations": s.live_annotation_objects(article), "reanchored": reanchored}
    serializer_class = s.ArticleUpdateResultSerializer if updated else s.ArticleDetailSerializer
    return with_etag(
        Response(serializer_class(article, context=context).data, status=code), article.version
    )


def annotation_rows_get(
    operation_id: str,
    rows: Callable[[int], QuerySet],
    serializer_class: type[serializers.Serializer],
) -> Callable[..., Response]:
    """A view's GET: a page of one annotation's rows of one kind (`rows(pk)`, e.g. its
    comments), 404 when there is no such annotation."""

    @extend_schema(
        operation_id=operation_id,
        parameters=[ID],
        responses=schema_responses({200: serializer_class(many=True)}, 404),
    )
    def get(self: ApiView, request: Request, pk: int) -> Response:
        selectors.annotation_must_exist(pk)
        return self.paginated(rows(pk), serializer_class)

    return get
