"""The change log behind the sync cursor (annotations.changes), and the objects it names."""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple

from django.db import connection
from django.db.models import Prefetch, Q, QuerySet

from ..models import Annotation, Article, Change, Event, Evidence, SourceCheck, Verdict
from .evidence import UNSEALED_CHECKS
from .rows import annotation_values

# The horizon: the oldest transaction id still in flight when the statement's snapshot was
# taken, or the snapshot's xmax when none is. Every transaction below it has ended, so its
# changes are all visible now and none can appear behind the cursor later. In-flight
# transactions that pg_stat_activity shows in another database are left out: they cannot
# write to this table, and another database's long transaction would otherwise hold the
# feed back. A transaction that ends between the snapshot and that look is not left out,
# which only holds the horizon lower for this one read. pg_stat_activity shows the 32-bit
# xid, so the comparison is on the low 32 bits of the 64-bit one.
_HORIZON = """
    SELECT LEAST(
        pg_snapshot_xmax(snap)::text::bigint,
        (SELECT min(x::text::bigint) FROM pg_snapshot_xip(snap) AS x
         WHERE (x::text::bigint %% 4294967296) NOT IN (
             SELECT backend_xid::text::bigint FROM pg_stat_activity
             WHERE backend_xid IS NOT NULL
               AND datname IS DISTINCT FROM current_database())))
    FROM pg_current_snapshot() AS snap
"""

_COLUMNS = "id, txid, kind, object_id, version, op, annotation_pk, changed_at"


class ChangeRow(NamedTuple):
    """One row of the change log as read: plain values, not a model instance, since a sync
    reads them by the hundred thousand (bench/cursor_bench.py)."""

    id: int
    txid: int | None
    kind: str
    object_id: int
    version: int | None
    op: str
    annotation_pk: int | None
    changed_at: datetime

    @property
    def pk(self) -> int:
        return self.id


def changes_after(
    *,
    txid: int,
    change_id: int,
    kinds: list[str] | None,
    annotation_id: int | None,
    limit: int,
) -> list[ChangeRow]:
    """The log after (txid, change_id) in cursor order, only what is below the horizon on
    PostgreSQL; of `kinds` and of one annotation's objects when given."""
    if connection.vendor != "postgresql":
        rows = Change.objects.filter(pk__gt=change_id)
        if kinds:
            rows = rows.filter(kind__in=kinds)
        if annotation_id is not None:
            rows = rows.filter(annotation_pk=annotation_id)
        return [
            ChangeRow(*row)
            for row in rows.order_by("id").values_list(*_COLUMNS.split(", "))[:limit]
        ]
    # The horizon as a scalar subquery (an InitPlan, computed once): the scan then walks
    # the (txid, id) index in order and stops at the limit; as a joined row it sorted
    # every row below the horizon first.
    where = [f"c.txid < ({_HORIZON})", "(c.txid, c.id) > (%s, %s)"]
    params: list[Any] = [txid, change_id]
    if kinds and len(kinds) == 1:  # equality: the (kind, txid, id) index reads in order
        where.append("c.kind = %s")
        params.append(kinds[0])
    elif kinds:
        where.append("c.kind = ANY(%s)")
        params.append(kinds)
    if annotation_id is not None:
        where.append("c.annotation_pk = %s")
        params.append(annotation_id)
    sql = (
        f"SELECT {', '.join('c.' + column for column in _COLUMNS.split(', '))} "  # noqa: S608
        "FROM annotations_change c "
        f"WHERE {' AND '.join(where)} ORDER BY c.txid, c.id LIMIT %s"
    )
    params.append(limit)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [ChangeRow(*row) for row in cursor.fetchall()]


def change_of_current_transaction() -> ChangeRow | None:
    """The newest change this transaction wrote (PostgreSQL), or the newest of all (SQLite:
    one writer at a time)."""
    if connection.vendor != "postgresql":
        row = Change.objects.order_by("-id").values_list(*_COLUMNS.split(", ")).first()
        return ChangeRow(*row) if row else None
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {_COLUMNS} FROM annotations_change "  # noqa: S608
            "WHERE txid = pg_current_xact_id_if_assigned()::text::bigint "
            "ORDER BY id DESC LIMIT 1"
        )
        row = cursor.fetchone()
    return ChangeRow(*row) if row else None


def changed_objects(kind: str, ids: list[int]) -> dict[int, Any]:
    """The current rows of one kind by id, with what their API objects show (annotations
    as selectors.annotation_values rows); ids that no longer exist are missing."""
    if not ids:
        return {}
    if kind == Change.Kind.ANNOTATION:
        rows: Any = annotation_values(Annotation.objects.filter(pk__in=ids))
    elif kind == Change.Kind.ARTICLE:
        rows = Article.objects.filter(pk__in=ids).select_related("created_by")
    elif kind == Change.Kind.VERDICT:
        rows = (
            # A sealed blind proposal is left out until it is revealed (policy.can_see_verdict).
            Verdict.objects.filter(pk__in=ids, is_sealed=False)
            .select_related("rating", "author", "decided_by", "annotation")
            .prefetch_related("evidence")
        )
    elif kind == Change.Kind.EVIDENCE:
        rows = (
            # Sealed evidence of a blind double review, and its checks, are left out until
            # the reveal unseals them (policy.can_see_evidence).
            Evidence.objects.filter(pk__in=ids, is_sealed=False)
            .select_related("added_by")
            .prefetch_related(
                Prefetch(
                    "checks",
                    queryset=SourceCheck.objects.order_by("-requested_at", "-id"),
                    to_attr="check_list",
                )
            )
        )
    elif kind == Change.Kind.SOURCE_CHECK:
        rows = SourceCheck.objects.filter(UNSEALED_CHECKS, pk__in=ids)
    elif kind == Change.Kind.EVENT:
        rows = Event.objects.filter(pk__in=ids).select_related("actor")
    else:
        raise ValueError(kind)
    return {row.id: row for row in rows}


def annotations_changed_between(
    *, after: tuple[int, int], upto: tuple[int, int], live_only: bool = True
) -> QuerySet[Annotation]:
    """The annotations with a change after the place `after` and up to `upto` (each a
    (txid, change id) pair), live ones only unless told: a streamed export's rows, read by
    a subquery rather than a list of ids however many there are."""
    changed = Change.objects.filter(kind=Change.Kind.ANNOTATION)
    if connection.vendor == "postgresql":
        changed = changed.filter(
            Q(txid__gt=after[0]) | Q(txid=after[0], pk__gt=after[1]),
            Q(txid__lt=upto[0]) | Q(txid=upto[0], pk__lte=upto[1]),
        )
    else:
        changed = changed.filter(pk__gt=after[1], pk__lte=upto[1])
    annotations = Annotation.objects.filter(pk__in=changed.values("object_id"))
    if live_only:
        annotations = annotations.exclude(status=Annotation.Status.WITHDRAWN)
    return annotations
