"""The sync cursor's answers: a page of changes, each the object's current representation
or a tombstone, and the objects of one page built from the change log."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from ... import selectors
from ...changes import Page
from ...models import Change
from ...selectors.changes import ChangeRow
from .fields import ObjectField
from .objects import ArticleSerializer, annotation_objects
from .outputs import (
    EvidenceSerializer,
    HistoryItemSerializer,
    SourceCheckSerializer,
    VerdictSerializer,
)


class ChangeItemSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Change.Kind.choices, read_only=True)
    id = serializers.IntegerField(read_only=True, help_text="The object's id.")
    version = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text="The object's version after this change (articles and annotations).",
    )
    deleted = serializers.BooleanField(
        read_only=True,
        help_text="A tombstone: the object was deleted, withdrawn, archived or removed; "
        "drop your copy.",
    )
    changed_at = serializers.DateTimeField(read_only=True)
    object = ObjectField(
        read_only=True,
        allow_null=True,
        help_text="The object as it is now, as the kind's own list shows it (an event as a "
        "history item with its id, article and annotation); null in a tombstone.",
    )


class ChangePageSerializer(serializers.Serializer):
    results = ChangeItemSerializer(many=True, read_only=True)
    next_cursor = serializers.CharField(
        read_only=True,
        help_text="Send it as `cursor` to read on; the same cursor again when nothing changed.",
    )
    has_more = serializers.BooleanField(
        read_only=True, help_text="The page is full: read on at once."
    )


def _annotations(rows: list[Any], context: dict[str, Any]) -> list[dict[str, Any]]:
    return annotation_objects(rows)


def _source_checks(rows: list[Any], context: dict[str, Any]) -> list[dict[str, Any]]:
    return [{**SourceCheckSerializer(row).data, "annotation": row.annotation_id} for row in rows]


def _events(rows: list[Any], context: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "id": row.pk,
            "article": row.article_id,
            "annotation": row.annotation_id,
            **HistoryItemSerializer(row, context=context).data,
        }
        for row in rows
    ]


def _plain(serializer_class: type[serializers.Serializer]) -> Any:
    def build(rows: list[Any], context: dict[str, Any]) -> list[dict[str, Any]]:
        return list(serializer_class(rows, many=True, context=context).data)

    return build


# Each kind's objects from selectors.changed_objects' rows, as the kind's list shows them.
_OBJECTS = {
    Change.Kind.ANNOTATION: _annotations,
    Change.Kind.ARTICLE: _plain(ArticleSerializer),
    Change.Kind.VERDICT: _plain(VerdictSerializer),
    Change.Kind.EVIDENCE: _plain(EvidenceSerializer),
    Change.Kind.SOURCE_CHECK: _source_checks,
    Change.Kind.EVENT: _events,
}


def change_page(page: Page) -> dict[str, Any]:
    """The answer to a cursor read: each object changed in the page once, at its last
    change, in change order; the current representation, or a tombstone when its last
    change deleted it (or it is gone)."""
    last: dict[tuple[str, int], ChangeRow] = {}
    for change in page.changes:
        key = (change.kind, change.object_id)
        last.pop(key, None)  # re-inserted: the dict keeps the order of last changes
        last[key] = change
    wanted: dict[str, list[int]] = {}
    for (kind, object_id), change in last.items():
        if change.op == Change.Op.UPSERT:
            wanted.setdefault(kind, []).append(object_id)
    context: dict[str, Any] = {}
    objects: dict[tuple[str, int], dict[str, Any]] = {}
    for kind, ids in wanted.items():
        rows = list(selectors.changed_objects(kind, ids).values())
        for row, built in zip(rows, _OBJECTS[kind](rows, context), strict=True):
            objects[(kind, row.id)] = built
    results = []
    for key, change in last.items():
        current = objects.get(key)
        results.append(
            {
                "kind": change.kind,
                "id": change.object_id,
                "version": change.version,
                "deleted": current is None,
                "changed_at": serializers.DateTimeField().to_representation(change.changed_at),
                "object": current,
            }
        )
    return {"results": results, "next_cursor": page.next_cursor, "has_more": page.has_more}
