"""Exports: one article in four formats, and every annotation streamed."""

from __future__ import annotations

import itertools
import json
from typing import Any

from django.conf import settings
from django.http import HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.request import Request

from ... import exports, selectors
from ...models import Change
from .. import filters
from . import changes
from .base import ID, ApiView, filter_parameters, schema_responses


class IgnoreAccept(BaseContentNegotiation):
    """The export's `format` parameter decides the media type, whatever Accept says."""

    def select_parser(self, request: Any, parsers: list) -> Any:
        return parsers[0] if parsers else None

    def select_renderer(self, request: Any, renderers: list, format_suffix: Any = None) -> Any:
        return renderers[0], renderers[0].media_type


ARTICLE_EXPORT_FORMATS = ("json", "csv", "w3c", "claimreview")
# Changes a cursor export reads (`page_size`): by default, and at most.
EXPORT_CURSOR_PAGE = 10_000
EXPORT_CURSOR_MOST = 100_000


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
        responses=schema_responses(
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
                org_url=settings.FACTCHECK_ORG_URL,
            )
            return HttpResponse(_json_body(reviews), content_type=exports.CLAIMREVIEW_MEDIA_TYPE)
        if export_format == "csv":
            rows = exports.csv_export(selectors.article_annotations(article))
            response = HttpResponse(b"".join(rows), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
            return response
        if export_format == "w3c":
            collection = exports.w3c_collection(article, base_url=base_url)
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
        description="With `cursor` (format jsonl or csv): the annotations changed after the "
        "cursor, one line each as it is now, then a tombstone line `{id, kind, deleted: true}` "
        "per withdrawn one (in CSV: a last column `deleted`, and tombstone rows with only the "
        "`id`); the `Next-Cursor` header reads on from there and `Has-More: true` "
        f"says to read on at once. `page_size` counts changes (default {EXPORT_CURSOR_PAGE}, "
        f"at most {EXPORT_CURSOR_MOST}).",
        parameters=[
            *filter_parameters(filters.BulkExportFilter),
            changes.CURSOR,
            OpenApiParameter(
                "page_size",
                OpenApiTypes.INT,
                OpenApiParameter.QUERY,
                required=False,
                description="With a cursor: changes read.",
            ),
        ],
        responses=schema_responses(
            {
                (200, "application/x-ndjson"): OpenApiTypes.STR,
                (200, "text/csv"): OpenApiTypes.STR,
            },
            400,
        ),
    )
    def get(self, request: Request) -> StreamingHttpResponse:
        if changes.wants_cursor(request):
            return self.changed(request)
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

    def changed(self, request: Request) -> StreamingHttpResponse:
        """The cursor's export: rows of the annotations changed after it, then tombstones."""
        export_format = request.query_params.get("format", "jsonl")
        if export_format not in ("jsonl", "csv"):
            raise serializers.ValidationError(
                {"format": [_("a cursor works with format=jsonl or format=csv")]}
            )
        after = changes.cursor_position(request)
        page = changes.cursor_read(
            request,
            kinds=[Change.Kind.ANNOTATION],
            filters=list(filters.AnnotationFilter.base_filters),
            default=EXPORT_CURSOR_PAGE,
            most=EXPORT_CURSOR_MOST,
        )
        last_ops: dict[int, str] = {change.object_id: change.op for change in page.changes}
        rows = selectors.annotations_changed_between(
            after=(after.txid, after.change_id),
            upto=(page.position.txid, page.position.change_id),
        )
        gone = [pk for pk, op in last_ops.items() if op == Change.Op.TOMBSTONE]
        if export_format == "csv":
            response = StreamingHttpResponse(
                exports.csv_changes(rows, gone), content_type="text/csv; charset=utf-8"
            )
            response["Content-Disposition"] = 'attachment; filename="annotations.csv"'
        else:
            response = StreamingHttpResponse(
                itertools.chain(exports.jsonl_export(rows), exports.jsonl_tombstones(gone)),
                content_type="application/x-ndjson; charset=utf-8",
            )
            response["Content-Disposition"] = 'attachment; filename="annotations.jsonl"'
        response["Next-Cursor"] = page.next_cursor
        response["Has-More"] = "true" if page.has_more else "false"
        return response
