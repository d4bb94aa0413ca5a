"""Articles: list, create, import, read, edit, archive, restore, publish."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle

from ... import selectors, services
from ...models import Change
from .. import filters
from .. import serializers as s
from ..parsers import JSONParser, MultiPartParser
from . import changes
from .base import (
    ID,
    WRITE_ERRORS,
    ApiView,
    article_response,
    expected_version,
    filter_parameters,
    if_match_parameter,
    object_write_schema,
    require_role,
    schema_responses,
)


class ArticleListView(ApiView):
    @changes.list_schema(
        "articles_list",
        "Article",
        s.ArticleSerializer(many=True),
        *filter_parameters(filters.ArticleFilter),
    )
    def get(self, request: Request) -> Response:
        if changes.wants_cursor(request):
            return changes.cursor_response(
                request,
                kinds=[Change.Kind.ARTICLE],
                filters=list(filters.ArticleFilter.base_filters),
            )
        given = filters.ArticleFilter(request.query_params).cleaned()
        return self.paginated(selectors.article_list(**given), s.ArticleSerializer)

    @extend_schema(
        operation_id="articles_create",
        request=s.ArticleCreateSerializer,
        responses=schema_responses({201: s.ArticleDetailSerializer}, *WRITE_ERRORS),
    )
    def post(self, request: Request) -> Response:
        require_role(request.user, "article.create")
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
        return article_response(article.pk, status.HTTP_201_CREATED)


ARTICLE_IF_MATCH = if_match_parameter(
    'The ETag from the last GET, e.g. "3": the article\'s version, which every write of '
    "any field moves. When anything was saved meanwhile the PATCH answers 412 and "
    "changes nothing."
)


class ArticleDetailView(ApiView):
    @extend_schema(
        operation_id="articles_retrieve",
        parameters=[ID],
        responses=schema_responses(
            {200: OpenApiResponse(s.ArticleDetailSerializer, description="ETag: the version")},
            404,
        ),
    )
    def get(self, request: Request, pk: int) -> Response:
        return article_response(pk)

    @object_write_schema(
        "articles_partial_update",
        s.ArticleUpdateSerializer,
        {200: s.ArticleUpdateResultSerializer},
        412,
        parameters=[ID, ARTICLE_IF_MATCH],
    )
    def patch(self, request: Request, pk: int) -> Response:
        require_role(request.user, "article.edit")
        expected = expected_version(request, "article")
        data = self.validated(s.ArticleUpdateSerializer)
        body = data.pop("text", None)
        article, counts = services.article_update(
            actor=request.user, article_id=pk, fields=data, body=body, expected_version=expected
        )
        return article_response(article.pk, updated=True, reanchored=counts)

    @extend_schema(
        operation_id="articles_destroy",
        parameters=[ID, ARTICLE_IF_MATCH],
        description="Archives the article (status `archived`); nothing is deleted. A "
        "published fact-check is withdrawn instead (status `withdrawn`, chiefs only): its "
        "report stays public and says so. `POST …/restore/` undoes either.",
        responses=schema_responses({204: None}, 404, 409, 412),
    )
    def delete(self, request: Request, pk: int) -> Response:
        require_role(request.user, "article.archive")
        services.article_archive(
            actor=request.user,
            article_id=pk,
            expected_version=expected_version(request, "article"),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class ArticleWithdrawView(ApiView):
    @object_write_schema(
        "articles_withdraw",
        s.ArticleArchiveSerializer,
        {200: s.ArticleDetailSerializer},
        description="A chief withdraws a published fact-check (status `withdrawn`) with an "
        "optional reason; its report stays public and says so. Any other article is "
        "archived. Recorded; `POST …/restore/` undoes it.",
    )
    def post(self, request: Request, pk: int) -> Response:
        data = self.validated(s.ArticleArchiveSerializer)
        services.article_archive(actor=request.user, article_id=pk, reason=data.get("reason", ""))
        return article_response(pk)


class ArticleRestoreView(ApiView):
    @object_write_schema(
        "articles_restore",
        s.EmptySerializer,
        {200: s.ArticleDetailSerializer},
        description="Undoes an archive (editors and chiefs) or a withdrawal (chiefs): the "
        "article returns to the status it had; a withdrawn fact-check is published again.",
    )
    def post(self, request: Request, pk: int) -> Response:
        self.validated(s.EmptySerializer)
        services.article_restore(actor=request.user, article_id=pk)
        return article_response(pk)


class ArticlePublishGateView(ApiView):
    @extend_schema(
        operation_id="articles_publish_gate",
        parameters=[ID],
        description="What stands between the article and publishing: `blockers` (claims "
        "without an approved verdict, a state that cannot be published) and `warnings` "
        "(failed, blocked or changed evidence checks behind approved verdicts; vague or "
        "anonymous sources), which a chief must acknowledge by `key`. `ready` is true when "
        "there are neither.",
        responses=schema_responses({200: s.PublishGateSerializer}, 404),
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(selectors.publish_gate(selectors.article_plain(pk)).as_dict())


class ArticlePublishView(ApiView):
    @object_write_schema(
        "articles_publish",
        s.ArticlePublishSerializer,
        {200: s.ArticleDetailSerializer},
        description="Publishes through the publish gate (`GET …/publish-gate/`). 409 lists "
        "the `blockers` and the unacknowledged `warnings`. Publishing a published article "
        "changes nothing and says so in `detail`.",
    )
    def post(self, request: Request, pk: int) -> Response:
        require_role(request.user, "article.publish")
        data = self.validated(s.ArticlePublishSerializer)
        _article, published_now = services.article_publish(
            actor=request.user,
            article_id=pk,
            with_open_claims=data["with_open_claims"],
            acknowledge=data["acknowledge"],
        )
        response = article_response(pk)
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
        responses=schema_responses(
            {201: s.ArticleDetailSerializer, 202: s.ArticleDetailSerializer},
            *WRITE_ERRORS,
            429,
        ),
    )
    def post(self, request: Request) -> Response:
        require_role(request.user, "article.import")
        data = self.validated(s.ArticleImportSerializer)
        if "url" in data:
            article = services.article_create_from_url(actor=request.user, url=data["url"])
            return article_response(article.pk, status.HTTP_202_ACCEPTED)
        upload = data["file"]
        title, body = services.decode_upload(filename=upload.name or "", payload=upload.read())
        article = services.article_create(
            actor=request.user,
            title=data.get("title") or title,
            body=body,
            language=data.get("language") or None,
        )
        return article_response(article.pk, status.HTTP_201_CREATED)
