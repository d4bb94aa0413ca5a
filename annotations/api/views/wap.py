"""Web Annotation Protocol server: each article's annotations are an LDP Basic Container at
/wap/articles/{id}/, each annotation a resource in it. Reads serve exactly the W3C export's
objects (exports.w3c_items); writes go through services.web_annotations."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.request import Request

from ... import exports, selectors, services, wap
from ...models import Annotation, PageNote
from ..parsers import JSONParser
from .base import ApiView


class LinkedDataParser(JSONParser):
    """JSON-LD bodies (any profile) are JSON."""

    media_type = "application/ld+json"


class JsonLdOnly(DefaultContentNegotiation):
    """Bodies by their Content-Type (anything but JSON-LD or JSON: 415); answers are JSON-LD
    whatever Accept asks, since Turtle is not served."""

    def select_renderer(self, request: Any, renderers: list, format_suffix: Any = None) -> Any:
        return renderers[0], renderers[0].media_type


class Gone(exceptions.APIException):
    status_code = status.HTTP_410_GONE
    default_detail = "gone"


class PreconditionRequired(exceptions.APIException):
    status_code = 428
    default_detail = "If-Match required"


def _base_url(request: Request) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _json_ld(document: Any, code: int = status.HTTP_200_OK) -> HttpResponse:
    data = wap.body_bytes(document)
    response = HttpResponse(data, status=code, content_type=wap.MEDIA_TYPE)
    response["ETag"] = wap.etag_of(data)
    return response


@extend_schema(exclude=True)  # the protocol is described by the W3C, not our OpenAPI schema
class WapView(ApiView):
    parser_classes = [LinkedDataParser, JSONParser]
    content_negotiation_class = JsonLdOnly
    allow = ""
    link = ""

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        # A CORS preflight carries no credentials: answered before authentication.
        if request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers:
            response = HttpResponse(status=status.HTTP_204_NO_CONTENT)
            cors = wap.cors_headers(
                request.headers.get("Origin"), settings.WAP_CORS_ORIGINS, preflight=True
            )
            for name, value in cors.items():
                response[name] = value
            response["Allow"] = self.allow
            patch_vary_headers(response, ["Origin"])
            return response
        return super().dispatch(request, *args, **kwargs)

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)
        cors = wap.cors_headers(
            request.headers.get("Origin"), settings.WAP_CORS_ORIGINS, preflight=False
        )
        for name, value in cors.items():
            response[name] = value
        if settings.WAP_CORS_ORIGINS:
            patch_vary_headers(response, ["Origin"])
        if (
            response.status_code < 400
            or response.status_code == status.HTTP_412_PRECONDITION_FAILED
        ):
            if response.get("Allow", "") != "GET, HEAD, OPTIONS":  # a page keeps its own
                response["Allow"] = self.allow
            response.setdefault("Link", self.link)
        return response

    def options(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:
        self.check_exists(**kwargs)
        return self.described(HttpResponse(status=status.HTTP_200_OK))

    def check_exists(self, **kwargs: Any) -> None:
        raise NotImplementedError

    def described(self, response: HttpResponse) -> HttpResponse:
        return response


class ContainerView(WapView):
    allow = wap.CONTAINER_ALLOW
    link = wap.CONTAINER_LINK

    def check_exists(self, pk: int) -> None:
        selectors.article_must_exist(pk)

    def described(self, response: HttpResponse) -> HttpResponse:
        response["Accept-Post"] = wap.MEDIA_TYPE
        patch_vary_headers(response, ["Accept", "Prefer"])
        return response

    def get(self, request: Request, pk: int) -> HttpResponse:
        article = selectors.article_detail(pk)
        base_url = _base_url(request)
        container = base_url + exports.wap_container_path(article.pk)
        items = exports.w3c_items(article, base_url=base_url)
        modified = exports.iso(selectors.container_modified(article))
        query = request.query_params
        prefs = wap.preferences(request.headers.get("Prefer", "").split("\n"))
        iris = query["iris"] == "1" if "iris" in query else wap.wants_iris(prefs)
        if "page" in query:
            try:
                number = int(query["page"])
            except ValueError:
                number = -1
            found = wap.page(
                items,
                container=container,
                iris=iris,
                number=number,
                page_size=settings.WAP_PAGE_SIZE,
                modified=modified,
                embedded=False,
            )
            if found is None:
                raise exceptions.NotFound(_("There is no such page."))
            response = _json_ld(found)
            response["Allow"] = "GET, HEAD, OPTIONS"
            patch_vary_headers(response, ["Accept"])
            return response
        description = wap.container(
            items,
            container=container,
            label=article.title,
            modified=modified,
            page_size=settings.WAP_PAGE_SIZE,
            iris=iris,
            minimal=wap.PREFER_MINIMAL in prefs,
        )
        response = _json_ld(description)
        response["Content-Location"] = description["id"]
        return self.described(response)

    def post(self, request: Request, pk: int) -> HttpResponse:
        selectors.article_must_exist(pk)
        document = services.document_read(request.data)
        created = services.web_annotation_create(
            actor=request.user, article_id=pk, document=document
        )
        item = exports.w3c_one(
            selectors.article_detail(pk), _reload(pk, created), base_url=_base_url(request)
        )
        response = _json_ld(item, status.HTTP_201_CREATED)
        response["Location"] = item["id"]
        response["Link"] = wap.ANNOTATION_LINK
        response["Allow"] = wap.ANNOTATION_ALLOW
        return response


def _reload(article_id: int, item: Annotation | PageNote) -> Annotation | PageNote:
    if isinstance(item, PageNote):
        return selectors.page_note_of(article_id, item.pk)
    return selectors.annotation_of(article_id, item.pk)


class AnnotationView(WapView):
    allow = wap.ANNOTATION_ALLOW
    link = wap.ANNOTATION_LINK

    def current(self, pk: int, name: str) -> Annotation | PageNote:
        """The span or note the IRI names: 404 when there is none, 410 once withdrawn."""
        if name.startswith("note-"):
            item: Annotation | PageNote = selectors.page_note_of(pk, int(name[5:]))
            withdrawn = item.is_withdrawn
        else:
            item = selectors.annotation_of(pk, int(name))
            withdrawn = item.status == Annotation.Status.WITHDRAWN
        if withdrawn:
            raise Gone(_("This annotation was withdrawn."))
        return item

    def check_exists(self, pk: int, name: str) -> None:
        self.current(pk, name)

    def described(self, response: HttpResponse) -> HttpResponse:
        patch_vary_headers(response, ["Accept"])
        return response

    def representation(self, request: Request, pk: int, item: Annotation | PageNote) -> bytes:
        return wap.body_bytes(
            exports.w3c_one(selectors.article_detail(pk), item, base_url=_base_url(request))
        )

    def get(self, request: Request, pk: int, name: str) -> HttpResponse:
        item = self.current(pk, name)
        return self.described(
            _json_ld(
                exports.w3c_one(selectors.article_detail(pk), item, base_url=_base_url(request))
            )
        )

    def matched_version(self, request: Request, pk: int, name: str) -> tuple[Any, int]:
        """The item and its version when If-Match names its current ETag: 428 without
        If-Match, 412 when it names another."""
        header = request.headers.get("If-Match")
        if header is None:
            raise PreconditionRequired(
                _("send If-Match with the ETag from your last GET of this annotation")
            )
        item = self.current(pk, name)
        tags = wap.if_match_tags(header)
        if "*" not in tags and wap.etag_of(self.representation(request, pk, item)) not in tags:
            raise services.Stale(
                _("the annotation was changed by someone else; GET it again for its ETag")
            )
        return item, item.version

    def put(self, request: Request, pk: int, name: str) -> HttpResponse:
        item, version = self.matched_version(request, pk, name)
        document = services.document_read(request.data)
        if isinstance(item, PageNote):
            services.page_note_update(
                actor=request.user,
                page_note_id=item.pk,
                document=document,
                expected_version=version,
            )
        else:
            services.web_annotation_update(
                actor=request.user,
                annotation_id=item.pk,
                document=document,
                expected_version=version,
            )
        return self.get(request, pk, name)

    def delete(self, request: Request, pk: int, name: str) -> HttpResponse:
        item, version = self.matched_version(request, pk, name)
        if isinstance(item, PageNote):
            services.page_note_withdraw(
                actor=request.user, page_note_id=item.pk, expected_version=version
            )
        else:
            services.web_annotation_withdraw(
                actor=request.user, annotation_id=item.pk, expected_version=version
            )
        return HttpResponse(status=status.HTTP_204_NO_CONTENT)
