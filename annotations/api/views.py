"""REST API v1. Views stay thin: selectors read, services write, serializers shape.

Every endpoint needs a newsroom role (IsNewsroomMember: 401 anonymous, 403 without a
role). What a role may write is decided by policy.py; the role-only actions are refused
here before the body is validated, so a reviewer hears 403 rather than a 400 about a
form they may not send at all. Object-dependent rules (the assigned reviewer, four
eyes) are checked by the services.
"""

from __future__ import annotations

import json
import re
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate, get_user_model, user_logged_in
from django.db.models import QuerySet
from django.http import HttpResponse, JsonResponse, StreamingHttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from .authentication import TokenAuthentication
from rest_framework import serializers, status
from rest_framework.exceptions import Throttled
from rest_framework.generics import GenericAPIView
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle

from .. import exports, policy, selectors, services
from ..auth import is_locked_out, lockout_message
from ..models import (
    Annotation,
    Article,
    Suggestion,
)
from ..services.tokens import api_token_create, api_token_revoke, api_tokens_revoke_all
from . import filters, idempotency
from . import serializers as s
from .parsers import FormParser, JSONParser, MultiPartParser

User = get_user_model()

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


def _responses(ok: dict[Any, Any], *errors: int) -> dict[Any, Any]:
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


def _filter_parameters(filterset: type[filters.ValidatingFilterSet]) -> list[OpenApiParameter]:
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
        self,
        rows: QuerySet | list,
        serializer_class: type[serializers.Serializer],
        *,
        relations: Any = None,
    ) -> Response:
        page = self.paginate_queryset(rows)
        if relations is not None:
            relations(page)
        return self.get_paginated_response(serializer_class(page, many=True).data)


def _require_role(user: Any, action: str) -> None:
    """Refuse a role-only action before its body is read, so a reviewer hears 403 rather
    than a 400 about a form they may not send at all. The rule and its words are policy's
    (ROLE_ACTIONS), which the service asks again."""
    reason = policy.role_refusal(user, action)
    if reason is not None:
        raise services.Forbidden(reason)


_annotation_exists = selectors.annotation_must_exist
_annotation = selectors.annotation_detail


def _annotation_response(annotation_id: int, code: int = status.HTTP_200_OK) -> Response:
    annotation = _annotation(annotation_id)
    response = Response(s.AnnotationSerializer(annotation).data, status=code)
    response["ETag"] = f'"{annotation.version}"'
    return response


_ETAG = re.compile(r'^(?:"(\d{1,18})"|(\d{1,18}))$')


def _expected_version(request: Request, what: str = "annotation") -> int | None:
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


def _article_response(
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
    response = Response(serializer_class(article, context=context).data, status=code)
    response["ETag"] = f'"{article.version}"'
    return response


ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)

# --- auth -----------------------------------------------------------------------------------


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
        responses=_responses({200: s.TokenSerializer}, 400, 415, 413, 429),
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
        _require_role(user, "api.use")
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
        responses=_responses({204: None}, 400, 429),
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


# --- articles -------------------------------------------------------------------------------


class ArticleListView(ApiView):
    @extend_schema(
        operation_id="articles_list",
        parameters=_filter_parameters(filters.ArticleFilter),
        responses=_responses({200: s.ArticleSerializer(many=True)}, 400),
    )
    def get(self, request: Request) -> Response:
        given = filters.ArticleFilter(request.query_params).cleaned()
        return self.paginated(selectors.article_list(**given), s.ArticleSerializer)

    @extend_schema(
        operation_id="articles_create",
        request=s.ArticleCreateSerializer,
        responses=_responses({201: s.ArticleDetailSerializer}, *WRITE_ERRORS),
    )
    def post(self, request: Request) -> Response:
        _require_role(request.user, "article.create")
        data = self.validated(s.ArticleCreateSerializer)
        article = services.article_create(
            actor=request.user,
            title=data["title"],
            body=data["text"],
            language=data.get("language") or None,
            source_url=data.get("source_url", ""),
            outlet=data.get("outlet", ""),
            byline=data.get("byline", ""),
            published_at=data.get("published_at"),
        )
        return _article_response(article.pk, status.HTTP_201_CREATED)


ARTICLE_IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description=(
        'The ETag from the last GET, e.g. "3": the article\'s version, which every write of '
        "any field moves. When anything was saved meanwhile the PATCH answers 412 and "
        "changes nothing."
    ),
)


class ArticleDetailView(ApiView):
    @extend_schema(
        operation_id="articles_retrieve",
        parameters=[ID],
        responses=_responses(
            {200: OpenApiResponse(s.ArticleDetailSerializer, description="ETag: the version")},
            404,
        ),
    )
    def get(self, request: Request, pk: int) -> Response:
        return _article_response(pk)

    @extend_schema(
        operation_id="articles_partial_update",
        parameters=[ID, ARTICLE_IF_MATCH],
        request=s.ArticleUpdateSerializer,
        responses=_responses({200: s.ArticleUpdateResultSerializer}, 404, 409, 412, *WRITE_ERRORS),
    )
    def patch(self, request: Request, pk: int) -> Response:
        _require_role(request.user, "article.edit")
        expected = _expected_version(request, "article")
        data = self.validated(s.ArticleUpdateSerializer)
        body = data.pop("text", None)
        article, counts = services.article_update(
            actor=request.user, article_id=pk, fields=data, body=body, expected_version=expected
        )
        return _article_response(article.pk, updated=True, reanchored=counts)

    @extend_schema(
        operation_id="articles_destroy",
        parameters=[ID, ARTICLE_IF_MATCH],
        description="Archives the article (status `archived`); nothing is deleted. A "
        "published fact-check is withdrawn instead (status `withdrawn`, chiefs only): its "
        "report stays public and says so. `POST …/restore/` undoes either.",
        responses=_responses({204: None}, 404, 409, 412),
    )
    def delete(self, request: Request, pk: int) -> Response:
        _require_role(request.user, "article.archive")
        services.article_archive(
            actor=request.user,
            article_id=pk,
            expected_version=_expected_version(request, "article"),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class ArticleWithdrawView(ApiView):
    @extend_schema(
        operation_id="articles_withdraw",
        parameters=[ID],
        request=s.ArticleArchiveSerializer,
        description="A chief withdraws a published fact-check (status `withdrawn`) with an "
        "optional reason; its report stays public and says so. Any other article is "
        "archived. Recorded; `POST …/restore/` undoes it.",
        responses=_responses({200: s.ArticleDetailSerializer}, 404, 409, *WRITE_ERRORS),
    )
    def post(self, request: Request, pk: int) -> Response:
        data = self.validated(s.ArticleArchiveSerializer)
        services.article_archive(actor=request.user, article_id=pk, reason=data.get("reason", ""))
        return _article_response(pk)


class ArticleRestoreView(ApiView):
    @extend_schema(
        operation_id="articles_restore",
        parameters=[ID],
        request=s.EmptySerializer,
        description="Undoes an archive (editors and chiefs) or a withdrawal (chiefs): the "
        "article returns to the status it had; a withdrawn fact-check is published again.",
        responses=_responses({200: s.ArticleDetailSerializer}, 404, 409, *WRITE_ERRORS),
    )
    def post(self, request: Request, pk: int) -> Response:
        self.validated(s.EmptySerializer)
        services.article_restore(actor=request.user, article_id=pk)
        return _article_response(pk)


class ArticlePublishGateView(ApiView):
    @extend_schema(
        operation_id="articles_publish_gate",
        parameters=[ID],
        description="What stands between the article and publishing: `blockers` (claims "
        "without an approved verdict, a state that cannot be published) and `warnings` "
        "(failed, blocked or changed evidence checks behind approved verdicts; vague or "
        "anonymous sources), which a chief must acknowledge by `key`. `ready` is true when "
        "there are neither.",
        responses=_responses({200: s.PublishGateSerializer}, 404),
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(selectors.publish_gate(selectors.article_plain(pk)).as_dict())


class ArticlePublishView(ApiView):
    @extend_schema(
        operation_id="articles_publish",
        parameters=[ID],
        request=s.ArticlePublishSerializer,
        description="Publishes through the publish gate (`GET …/publish-gate/`). 409 lists "
        "the `blockers` and the unacknowledged `warnings`. Publishing a published article "
        "changes nothing and says so in `detail`.",
        responses=_responses({200: s.ArticleDetailSerializer}, 404, 409, *WRITE_ERRORS),
    )
    def post(self, request: Request, pk: int) -> Response:
        _require_role(request.user, "article.publish")
        data = self.validated(s.ArticlePublishSerializer)
        _article, published_now = services.article_publish(
            actor=request.user,
            article_id=pk,
            with_open_claims=data["with_open_claims"],
            acknowledge=data["acknowledge"],
        )
        response = _article_response(pk)
        if not published_now:
            response.data["detail"] = _("the article is already published; nothing changed")
        return response


class ArticleImportView(ApiView):
    """A file is imported at once (201); a URL is fetched by a worker (202, `importing`)."""

    parser_classes = [MultiPartParser, JSONParser]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "import"

    @extend_schema(
        operation_id="articles_import",
        request={
            "multipart/form-data": inline_serializer(
                "ArticleImportFile",
                {
                    "file": serializers.FileField(help_text=".txt, .md or .html, UTF-8"),
                    "title": serializers.CharField(required=False),
                    "language": serializers.CharField(required=False),
                },
            ),
            "application/json": inline_serializer(
                "ArticleImportUrl",
                {"url": serializers.CharField(help_text="http(s) URL of the article")},
            ),
        },
        responses=_responses(
            {201: s.ArticleDetailSerializer, 202: s.ArticleDetailSerializer},
            *WRITE_ERRORS,
            429,
        ),
    )
    def post(self, request: Request) -> Response:
        _require_role(request.user, "article.import")
        data = self.validated(s.ArticleImportSerializer)
        if "url" in data:
            article = services.article_create_from_url(actor=request.user, url=data["url"])
            return _article_response(article.pk, status.HTTP_202_ACCEPTED)
        upload = data["file"]
        title, body = services.decode_upload(filename=upload.name or "", payload=upload.read())
        article = services.article_create(
            actor=request.user,
            title=data.get("title") or title,
            body=body,
            language=data.get("language") or None,
        )
        return _article_response(article.pk, status.HTTP_201_CREATED)


# --- suggestions ----------------------------------------------------------------------------


class ArticleSuggestionsView(ApiView):
    @extend_schema(
        operation_id="articles_suggestions_list",
        parameters=[ID, *_filter_parameters(filters.SuggestionFilter)],
        responses=_responses({200: s.SuggestionSerializer(many=True)}, 400, 404),
    )
    def get(self, request: Request, pk: int) -> Response:
        given = filters.SuggestionFilter(request.query_params).cleaned()
        selectors.article_must_exist(pk)
        suggestions = selectors.article_suggestions(
            pk, status=given.get("status", Suggestion.Status.PENDING)
        )
        return self.paginated(suggestions, s.SuggestionSerializer)


_suggestion_of = selectors.suggestion_must_belong


SID = OpenApiParameter("sid", OpenApiTypes.INT, OpenApiParameter.PATH)


class SuggestionAcceptView(ApiView):
    @extend_schema(
        operation_id="articles_suggestions_accept",
        parameters=[ID, SID],
        request=s.EmptySerializer,
        description="The suggestion becomes an annotation of the caller's; answers with it.",
        responses=_responses({200: s.AnnotationSerializer}, 404, 409, *WRITE_ERRORS),
    )
    def post(self, request: Request, pk: int, sid: int) -> Response:
        _require_role(request.user, "suggestion.accept")
        self.validated(s.EmptySerializer)
        _suggestion_of(pk, sid)
        annotation = services.suggestion_accept(actor=request.user, suggestion_id=sid)
        return _annotation_response(annotation.pk)


class SuggestionDismissView(ApiView):
    @extend_schema(
        operation_id="articles_suggestions_dismiss",
        parameters=[ID, SID],
        request=s.EmptySerializer,
        responses=_responses({200: s.SuggestionSerializer}, 404, 409, *WRITE_ERRORS),
    )
    def post(self, request: Request, pk: int, sid: int) -> Response:
        _require_role(request.user, "suggestion.dismiss")
        self.validated(s.EmptySerializer)
        _suggestion_of(pk, sid)
        suggestion = services.suggestion_dismiss(actor=request.user, suggestion_id=sid)
        suggestion = selectors.suggestion_detail(suggestion.pk)
        return Response(s.SuggestionSerializer(suggestion).data)


# --- exports --------------------------------------------------------------------------------


class IgnoreAccept(BaseContentNegotiation):
    """The export's `format` parameter decides the media type, whatever Accept says."""

    def select_parser(self, request: Any, parsers: list) -> Any:
        return parsers[0] if parsers else None

    def select_renderer(self, request: Any, renderers: list, format_suffix: Any = None) -> Any:
        return renderers[0], renderers[0].media_type


ARTICLE_EXPORT_FORMATS = ("json", "csv", "w3c", "claimreview")


def _json_body(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=1).encode("utf-8")


class ArticleExportView(ApiView):
    content_negotiation_class = IgnoreAccept

    @extend_schema(
        operation_id="articles_export",
        parameters=[
            ID,
            OpenApiParameter(
                "format",
                OpenApiTypes.STR,
                OpenApiParameter.QUERY,
                enum=list(ARTICLE_EXPORT_FORMATS),
                description="json (default), csv, w3c (Web Annotation collection) or "
                "claimreview (schema.org JSON-LD of approved claim verdicts).",
            ),
        ],
        responses=_responses(
            {
                (200, "application/json"): OpenApiTypes.OBJECT,
                (200, "text/csv"): OpenApiTypes.STR,
                # W3C (an object, with the anno.jsonld profile) and ClaimReview (an array).
                (200, exports.W3C_MEDIA_TYPE): OpenApiTypes.ANY,
                (200, exports.CLAIMREVIEW_MEDIA_TYPE): OpenApiTypes.ANY,
            },
            400,
            404,
        ),
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        export_format = request.query_params.get("format", "json")
        if export_format not in ARTICLE_EXPORT_FORMATS:
            raise serializers.ValidationError(
                {
                    "format": [
                        _("use one of %(formats)s") % {"formats": ", ".join(ARTICLE_EXPORT_FORMATS)}
                    ]
                }
            )
        article = selectors.article_detail(pk)
        base_url = request.build_absolute_uri("/").rstrip("/")
        filename = f"article-{article.pk}"
        if export_format == "claimreview":
            reviews = exports.claimreviews(
                article,
                selectors.approved_claim_verdicts(article),
                report_url=base_url + exports.report_path(article),
                org_name=settings.FACTCHECK_ORG_NAME,
                org_url=settings.FACTCHECK_ORG_URL,
            )
            return HttpResponse(_json_body(reviews), content_type=exports.CLAIMREVIEW_MEDIA_TYPE)
        if export_format == "csv":
            rows = exports.csv_export(selectors.article_annotations(article))
            response = HttpResponse(b"".join(rows), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
            return response
        if export_format == "w3c":
            annotations = exports.article_annotations(article, include_withdrawn=False)
            collection = exports.w3c_collection(
                article,
                annotations,
                base_url=base_url,
                source_date=exports.revision_date(article),
            )
            return HttpResponse(_json_body(collection), content_type=exports.W3C_MEDIA_TYPE)
        annotations = exports.article_annotations(article, include_withdrawn=True)
        return HttpResponse(
            _json_body(exports.article_json(article, annotations)),
            content_type="application/json",
        )


class BulkExportView(ApiView):
    """Streamed: rows are read in chunks while the response is written (WSGI)."""

    content_negotiation_class = IgnoreAccept

    @extend_schema(
        operation_id="export_annotations",
        parameters=_filter_parameters(filters.BulkExportFilter),
        responses=_responses(
            {
                (200, "application/x-ndjson"): OpenApiTypes.STR,
                (200, "text/csv"): OpenApiTypes.STR,
            },
            400,
        ),
    )
    def get(self, request: Request) -> StreamingHttpResponse:
        given = filters.BulkExportFilter(request.query_params).cleaned()
        export_format = given.pop("format", "jsonl")
        annotations = selectors.annotation_list(**given)
        if export_format == "csv":
            response = StreamingHttpResponse(
                exports.csv_export(annotations), content_type="text/csv; charset=utf-8"
            )
            response["Content-Disposition"] = 'attachment; filename="annotations.csv"'
        else:
            response = StreamingHttpResponse(
                exports.jsonl_export(annotations),
                content_type="application/x-ndjson; charset=utf-8",
            )
            response["Content-Disposition"] = 'attachment; filename="annotations.jsonl"'
        return response


# --- annotations ----------------------------------------------------------------------------


class AnnotationListView(ApiView):
    @extend_schema(
        operation_id="annotations_list",
        parameters=_filter_parameters(filters.AnnotationFilter),
        responses=_responses({200: s.AnnotationSerializer(many=True)}, 400),
    )
    def get(self, request: Request) -> Response:
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
        responses=_responses({201: s.AnnotationSerializer}, 409, *WRITE_ERRORS),
    )
    def post(self, request: Request) -> Response:
        _require_role(request.user, "annotation.create")
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
            )
        except Article.DoesNotExist:
            raise services.Invalid(
                _("unknown article %(id)s") % {"id": data["article"]}, field="article"
            ) from None
        # A new annotation has no assignments or verdicts yet: answer from the object the
        # service returned rather than reload it (3 queries).
        response = Response(s.new_annotation_object(annotation), status=status.HTTP_201_CREATED)
        response["ETag"] = f'"{annotation.version}"'
        return response


IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description='The ETag from the last GET, e.g. "3". A stale one answers 412.',
)


class AnnotationDetailView(ApiView):
    @extend_schema(
        operation_id="annotations_retrieve",
        parameters=[ID],
        responses=_responses(
            {200: OpenApiResponse(s.AnnotationDetailSerializer, description="ETag: the version")},
            404,
        ),
    )
    def get(self, request: Request, pk: int) -> Response:
        annotation = _annotation(pk)
        response = Response(s.AnnotationDetailSerializer(annotation).data)
        response["ETag"] = f'"{annotation.version}"'
        return response

    @extend_schema(
        operation_id="annotations_partial_update",
        parameters=[ID, IF_MATCH],
        request=s.AnnotationUpdateSerializer,
        responses=_responses({200: s.AnnotationSerializer}, 404, 409, 412, *WRITE_ERRORS),
    )
    def patch(self, request: Request, pk: int) -> Response:
        _require_role(request.user, "annotation.edit")
        expected = _expected_version(request)
        data = self.validated(s.AnnotationUpdateSerializer)
        services.annotation_update(
            actor=request.user, annotation_id=pk, changes=data, expected_version=expected
        )
        return _annotation_response(pk)

    @extend_schema(
        operation_id="annotations_destroy",
        parameters=[ID, IF_MATCH],
        description="Withdraws the annotation; it and its history stay.",
        responses=_responses({204: None}, 404, 409, 412),
    )
    def delete(self, request: Request, pk: int) -> Response:
        _require_role(request.user, "annotation.withdraw")
        services.annotation_withdraw(
            actor=request.user, annotation_id=pk, expected_version=_expected_version(request)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class AnnotationAssignView(ApiView):
    @extend_schema(
        operation_id="annotations_assign",
        parameters=[ID],
        request=s.AssignSerializer,
        responses=_responses({200: s.AnnotationSerializer}, 404, 409, *WRITE_ERRORS),
    )
    def post(self, request: Request, pk: int) -> Response:
        _require_role(request.user, "annotation.assign")
        data = self.validated(s.AssignSerializer)
        _annotation_exists(pk)
        reviewer = services.reviewer_by_name_or_id(data["reviewer"])
        services.annotation_assign(
            actor=request.user, annotation_id=pk, reviewer=reviewer, due_at=data.get("due_at")
        )
        return _annotation_response(pk)


class AnnotationDeclineView(ApiView):
    @extend_schema(
        operation_id="annotations_decline",
        parameters=[ID],
        request=s.DeclineSerializer,
        description="The assigned reviewer hands the item back with a reason.",
        responses=_responses({200: s.AnnotationSerializer}, 404, *WRITE_ERRORS),
    )
    def post(self, request: Request, pk: int) -> Response:
        data = self.validated(s.DeclineSerializer)
        services.assignment_decline(actor=request.user, annotation_id=pk, reason=data["reason"])
        return _annotation_response(pk)


_verdict = selectors.verdict_detail


class AnnotationVerdictsView(ApiView):
    @extend_schema(
        operation_id="annotations_verdicts_list",
        parameters=[ID],
        responses=_responses({200: s.VerdictSerializer(many=True)}, 404),
    )
    def get(self, request: Request, pk: int) -> Response:
        _annotation_exists(pk)
        return self.paginated(selectors.annotation_verdicts(pk), s.VerdictSerializer)

    @extend_schema(
        operation_id="annotations_verdicts_create",
        parameters=[ID],
        request=s.VerdictCreateSerializer,
        responses=_responses({201: s.VerdictSerializer}, 404, 409, *WRITE_ERRORS),
    )
    def post(self, request: Request, pk: int) -> Response:
        data = self.validated(s.VerdictCreateSerializer)
        verdict = services.verdict_propose(
            actor=request.user,
            annotation_id=pk,
            rating=data["rating"],
            rationale=data["rationale"],
            evidence=[
                services.EvidenceInput(
                    url=item["url"], title=item.get("title", ""), note=item.get("note", "")
                )
                for item in data.get("evidence", [])
            ],
        )
        return Response(s.VerdictSerializer(_verdict(verdict.pk)).data, status=201)


class VerdictApproveView(ApiView):
    @extend_schema(
        operation_id="verdicts_approve",
        parameters=[ID],
        request=s.VerdictApproveSerializer,
        responses=_responses({200: s.VerdictSerializer}, 404, 409, *WRITE_ERRORS),
    )
    def post(self, request: Request, pk: int) -> Response:
        _require_role(request.user, "verdict.approve")
        data = self.validated(s.VerdictApproveSerializer)
        services.verdict_approve(actor=request.user, verdict_id=pk, note=data.get("note", ""))
        return Response(s.VerdictSerializer(_verdict(pk)).data)


class VerdictRejectView(ApiView):
    @extend_schema(
        operation_id="verdicts_reject",
        parameters=[ID],
        request=s.VerdictRejectSerializer,
        responses=_responses({200: s.VerdictSerializer}, 404, 409, *WRITE_ERRORS),
    )
    def post(self, request: Request, pk: int) -> Response:
        _require_role(request.user, "verdict.reject")
        data = self.validated(s.VerdictRejectSerializer)
        services.verdict_reject(actor=request.user, verdict_id=pk, note=data["note"])
        return Response(s.VerdictSerializer(_verdict(pk)).data)


class AnnotationEvidenceView(ApiView):
    @extend_schema(
        operation_id="annotations_evidence_list",
        parameters=[ID],
        responses=_responses({200: s.EvidenceSerializer(many=True)}, 404),
    )
    def get(self, request: Request, pk: int) -> Response:
        _annotation_exists(pk)
        return self.paginated(selectors.annotation_evidence(pk), s.EvidenceSerializer)

    @extend_schema(
        operation_id="annotations_evidence_create",
        parameters=[ID],
        request=s.EvidenceInputSerializer,
        description="201 with the new evidence and its source check; 200 with the existing "
        "evidence when the annotation already has this URL (nothing is added).",
        responses=_responses(
            {201: s.EvidenceSerializer, 200: s.EvidenceSerializer}, 404, 409, *WRITE_ERRORS
        ),
    )
    def post(self, request: Request, pk: int) -> Response:
        data = self.validated(s.EvidenceInputSerializer)
        evidence = services.evidence_add(
            actor=request.user,
            annotation_id=pk,
            url=data["url"],
            title=data.get("title", ""),
            note=data.get("note", ""),
        )
        existing = getattr(evidence, "is_existing", False)
        evidence = selectors.annotation_evidence(pk).get(pk=evidence.pk)
        # The same URL again (a double click, a retry) answers with the evidence it made.
        code = status.HTTP_200_OK if existing else status.HTTP_201_CREATED
        return Response(s.EvidenceSerializer(evidence).data, status=code)


class EvidenceReuseSerializer(serializers.Serializer):
    verdict = serializers.IntegerField(
        min_value=1,
        max_value=2**63 - 1,
        help_text="An approved verdict, e.g. one of the annotation's `similar` items.",
    )


REUSED = inline_serializer("EvidenceReused", {"added": s.EvidenceSerializer(many=True)})


class AnnotationEvidenceReuseView(ApiView):
    @extend_schema(
        operation_id="annotations_evidence_reuse",
        parameters=[ID],
        request=EvidenceReuseSerializer,
        description="Copies the evidence of an approved verdict (URL, title, note) onto this "
        "annotation as new evidence of the caller; URLs it already has are skipped. Each new "
        "URL gets a source check. 404 when the annotation or the verdict does not exist.",
        responses=_responses(
            {
                201: OpenApiResponse(REUSED, description="Evidence was added."),
                200: OpenApiResponse(REUSED, description="Every URL was already here."),
            },
            404,
            409,
            *WRITE_ERRORS,
        ),
    )
    def post(self, request: Request, pk: int) -> Response:
        _annotation_exists(pk)
        data = self.validated(EvidenceReuseSerializer)
        added = services.evidence_reuse(
            actor=request.user, annotation_id=pk, verdict_id=data["verdict"]
        )
        evidence = selectors.annotation_evidence(pk, ids=[e.pk for e in added])
        return Response(
            {"added": s.EvidenceSerializer(evidence, many=True).data},
            status=status.HTTP_201_CREATED if added else status.HTTP_200_OK,
        )


class EvidenceDetailView(ApiView):
    @extend_schema(
        operation_id="evidence_destroy",
        parameters=[ID],
        description="Removes the evidence from view; the row and its checks stay.",
        responses=_responses({204: None}, 404, 409),
    )
    def delete(self, request: Request, pk: int) -> Response:
        services.evidence_remove(actor=request.user, evidence_id=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class AnnotationCommentsView(ApiView):
    @extend_schema(
        operation_id="annotations_comments_list",
        parameters=[ID],
        responses=_responses({200: s.CommentSerializer(many=True)}, 404),
    )
    def get(self, request: Request, pk: int) -> Response:
        _annotation_exists(pk)
        return self.paginated(selectors.annotation_comments(pk), s.CommentSerializer)

    @extend_schema(
        operation_id="annotations_comments_create",
        parameters=[ID],
        request=s.CommentCreateSerializer,
        responses=_responses({201: s.CommentSerializer}, 404, *WRITE_ERRORS),
    )
    def post(self, request: Request, pk: int) -> Response:
        data = self.validated(s.CommentCreateSerializer)
        comment = services.comment_add(actor=request.user, annotation_id=pk, body=data["body"])
        return Response(s.CommentSerializer(comment).data, status=status.HTTP_201_CREATED)


class AnnotationSourceChecksView(ApiView):
    @extend_schema(
        operation_id="annotations_source_checks_list",
        parameters=[ID],
        responses=_responses({200: s.SourceCheckSerializer(many=True)}, 404),
    )
    def get(self, request: Request, pk: int) -> Response:
        _annotation_exists(pk)
        return self.paginated(selectors.annotation_checks(pk), s.SourceCheckSerializer)

    @extend_schema(
        operation_id="annotations_source_checks_request",
        parameters=[ID],
        request=s.EmptySerializer,
        description="Re-runs the checks; workers fill in the results.",
        responses=_responses(
            {
                202: inline_serializer(
                    "SourceChecksRequested", {"checks": s.SourceCheckSerializer(many=True)}
                )
            },
            404,
            *WRITE_ERRORS,
        ),
    )
    def post(self, request: Request, pk: int) -> Response:
        self.validated(s.EmptySerializer)
        checks = services.source_checks_request(actor=request.user, annotation_id=pk)
        return Response(
            {"checks": s.SourceCheckSerializer(checks, many=True).data},
            status=status.HTTP_202_ACCEPTED,
        )


class AnnotationHistoryView(ApiView):
    @extend_schema(
        operation_id="annotations_history",
        parameters=[ID],
        responses=_responses({200: s.HistoryItemSerializer(many=True)}, 404),
    )
    def get(self, request: Request, pk: int) -> Response:
        _annotation_exists(pk)
        return self.paginated(selectors.annotation_history(pk), s.HistoryItemSerializer)


# --- queue and vocabularies -----------------------------------------------------------------


class QueueView(ApiView):
    @extend_schema(
        operation_id="queue_list",
        description="The caller's pending assignments: overdue first, then priority, then "
        "due date, then check-worthiness; or most check-worthy first.",
        parameters=_filter_parameters(filters.QueueFilter),
        responses=_responses({200: s.QueueItemSerializer(many=True)}, 400),
    )
    def get(self, request: Request) -> Response:
        ordering = "queue"
        if "ordering" in request.query_params:  # the form costs a millisecond (queue bench)
            given = filters.QueueFilter(request.query_params).cleaned()
            ordering = given.get("ordering", "queue")
        rows = self.paginate_queryset(selectors.queue_values(request.user, ordering=ordering))
        return self.get_paginated_response(s.queue_objects(rows))


class LabelListView(ApiView):
    @extend_schema(
        operation_id="labels_list", responses=_responses({200: s.LabelSerializer(many=True)})
    )
    def get(self, request: Request) -> Response:
        return self.paginated(selectors.labels(), s.LabelSerializer)


class RatingListView(ApiView):
    @extend_schema(
        operation_id="ratings_list", responses=_responses({200: s.RatingSerializer(many=True)})
    )
    def get(self, request: Request) -> Response:
        return self.paginated(selectors.ratings(), s.RatingSerializer)


class UserListView(ApiView):
    @extend_schema(
        operation_id="users_list",
        parameters=_filter_parameters(filters.UserFilter),
        responses=_responses({200: s.UserSerializer(many=True)}, 400),
    )
    def get(self, request: Request) -> Response:
        given = filters.UserFilter(request.query_params).cleaned()
        return self.paginated(selectors.newsroom_users(given.get("role")), s.UserSerializer)


# --- schema ---------------------------------------------------------------------------------


class JsonErrorsMixin:
    """Errors as JSON, although these views render YAML or HTML when all is well."""

    def handle_exception(self, exc: Exception) -> Response:
        response = super().handle_exception(exc)
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return response


class SchemaView(JsonErrorsMixin, SpectacularAPIView):
    pass


class DocsView(JsonErrorsMixin, SpectacularSwaggerSplitView):
    pass


# --- errors ---------------------------------------------------------------------------------


@csrf_exempt
def not_found(request: Any, *args: Any, **kwargs: Any) -> JsonResponse:
    """Any path under /api/v1/ that no route matches: 404 as JSON, never an HTML page."""
    return JsonResponse({"detail": _("Not found.")}, status=404)
