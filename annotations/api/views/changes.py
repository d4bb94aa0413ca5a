"""The sync cursor: `?cursor=` on the lists, and the feed of every kind's changes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    PolymorphicProxySerializer,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from ... import changes, selectors
from ...models import Change
from .. import serializers as s
from .base import ID, ApiView, schema_responses

CURSOR = OpenApiParameter(
    "cursor",
    OpenApiTypes.STR,
    OpenApiParameter.QUERY,
    required=False,
    description="Sync: the objects changed after this cursor, in the order of the changes, "
    "each once per page, with tombstones (`deleted: true`) for deleted and withdrawn ones, "
    "and `next_cursor` to read on from. Empty (`cursor=`) starts from the beginning. With a "
    "cursor the answer is a change page, not a numbered page: `page` and the filters do "
    "not apply.",
)
CURSOR_PAGE_SIZE = 100
CURSOR_MAX_PAGE_SIZE = 1000
PAGE_PARAMETERS = [
    OpenApiParameter(
        "page",
        OpenApiTypes.INT,
        OpenApiParameter.QUERY,
        required=False,
        description="A page number within the paginated result set.",
    ),
    OpenApiParameter(
        "page_size",
        OpenApiTypes.INT,
        OpenApiParameter.QUERY,
        required=False,
        description="Number of results to return per page (with a cursor: changes read, "
        f"default {CURSOR_PAGE_SIZE}, at most {CURSOR_MAX_PAGE_SIZE}).",
    ),
]


def list_or_changes(name: str, item: serializers.Serializer) -> PolymorphicProxySerializer:
    """A list's answer in the schema: a numbered page of `item`, or with `cursor` a change
    page."""
    numbered = inline_serializer(
        f"Paginated{name}List",
        {
            "count": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": item,
        },
    )
    return PolymorphicProxySerializer(
        component_name=f"{name}ListOrChanges",
        serializers=[numbered, s.ChangePageSerializer],
        resource_type_field_name=None,
    )


def list_schema(
    operation_id: str,
    name: str,
    item: serializers.Serializer,
    *parameters: OpenApiParameter,
    description: str | None = None,
) -> Any:
    """The schema of a list that also answers a cursor read (400 for a bad cursor, 404 for
    a numbered page past the end)."""
    return extend_schema(
        operation_id=operation_id,
        description=description,
        parameters=[*parameters, CURSOR, *PAGE_PARAMETERS],
        responses=schema_responses({200: list_or_changes(name, item)}, 400, 404),
    )


def wants_cursor(request: Request) -> bool:
    return "cursor" in request.query_params


def cursor_page_size(request: Request, *, default: int, most: int) -> int:
    """`page_size` of a cursor read; raises ValidationError (400) when it is not 1…most."""
    value = request.query_params.get("page_size", "")
    if value == "":
        return default
    if not value.isdecimal() or not 1 <= int(value) <= most:
        raise serializers.ValidationError(
            {"page_size": [_("use a whole number from 1 to %(most)s") % {"most": most}]}
        )
    return int(value)


def cursor_read(
    request: Request,
    *,
    kinds: Sequence[str] | None,
    annotation_id: int | None = None,
    filters: Sequence[str] = (),
    default: int = CURSOR_PAGE_SIZE,
    most: int = CURSOR_MAX_PAGE_SIZE,
) -> changes.Page:
    """The page of changes the request's cursor asks for; 400 for a bad cursor, a bad
    page size, or `filters` given along with it."""
    given = [name for name in filters if request.query_params.get(name, "") != ""]
    if given:
        raise serializers.ValidationError(
            {
                "cursor": [
                    _("a cursor reads every change; leave out %(names)s")
                    % {"names": ", ".join(given)}
                ]
            }
        )
    position = cursor_position(request)
    limit = cursor_page_size(request, default=default, most=most)
    return changes.read(position, kinds=kinds, annotation_id=annotation_id, limit=limit)


def cursor_position(request: Request) -> changes.Position:
    """The place the request's `cursor` names (absent or empty: the start); 400 when it
    is not one of ours."""
    try:
        return changes.decode(request.query_params.get("cursor", ""))
    except changes.BadCursor as exc:
        raise serializers.ValidationError({"cursor": [str(exc)]}) from None


def cursor_response(
    request: Request,
    *,
    kinds: Sequence[str] | None,
    annotation_id: int | None = None,
    filters: Sequence[str] = (),
) -> Response:
    page = cursor_read(request, kinds=kinds, annotation_id=annotation_id, filters=filters)
    return Response(s.change_page(page))


KIND = OpenApiParameter(
    "kind",
    OpenApiTypes.STR,
    OpenApiParameter.QUERY,
    required=False,
    description="Only these kinds, comma-separated (default: all).",
)


class ChangesView(ApiView):
    @extend_schema(
        operation_id="changes_list",
        description="Every change to articles, annotations, verdicts, evidence, source "
        "checks and events, in commit-safe order: a change committed late by a concurrent "
        "writer is never passed over. Send `cursor=` to start and each `next_cursor` to read "
        "on; a tombstone (`deleted: true`) tells you to drop your copy.",
        parameters=[
            OpenApiParameter(
                "cursor",
                OpenApiTypes.STR,
                OpenApiParameter.QUERY,
                required=False,
                description="The `next_cursor` of the last answer; empty or absent: from "
                "the beginning.",
            ),
            KIND,
            OpenApiParameter(
                "page_size",
                OpenApiTypes.INT,
                OpenApiParameter.QUERY,
                required=False,
                description=f"Changes read, default {CURSOR_PAGE_SIZE}, at most "
                f"{CURSOR_MAX_PAGE_SIZE}.",
            ),
        ],
        responses=schema_responses({200: s.ChangePageSerializer}, 400),
    )
    def get(self, request: Request) -> Response:
        kinds = [name for name in request.query_params.get("kind", "").split(",") if name]
        unknown = [name for name in kinds if name not in Change.Kind.values]
        if unknown:
            raise serializers.ValidationError(
                {
                    "kind": [
                        _("unknown kind %(kind)s; use %(kinds)s")
                        % {"kind": repr(unknown[0]), "kinds": ", ".join(Change.Kind.values)}
                    ]
                }
            )
        # Without a cursor the feed starts from the beginning, as with an empty one.
        return Response(s.change_page(cursor_read(request, kinds=kinds or None)))


def annotation_rows_get(
    operation_id: str,
    rows: Callable[[int], QuerySet],
    serializer_class: type[serializers.Serializer],
    kind: str,
    *,
    is_per_viewer: bool = False,
) -> Callable[..., Response]:
    """A view's GET: a page of one annotation's rows of one kind (`rows(pk)`, e.g. its
    evidence; `rows(pk, viewer=…)` when what the caller may see depends on who asks), or
    with `cursor` the changes to them; 404 when there is no such annotation."""

    @list_schema(
        operation_id,
        serializer_class.__name__.removesuffix("Serializer"),
        serializer_class(many=True),
        ID,
    )
    def get(self: ApiView, request: Request, pk: int) -> Response:
        selectors.annotation_must_exist(pk)
        if wants_cursor(request):
            return cursor_response(request, kinds=[kind], annotation_id=pk)
        if is_per_viewer:
            return self.paginated(rows(pk, viewer=request.user), serializer_class)
        return self.paginated(rows(pk), serializer_class)

    return get
