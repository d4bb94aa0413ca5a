"""Annotations and verdicts read as named records of plain values (lists, pages, exports)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import Any

from django.db import connection
from django.db.models import Case, CharField, Func, Q, QuerySet, TextField, Value, When
from django.db.models.query import ValuesListIterable
from django.utils import timezone

from ..models import Annotation, Article, Assignment, Verdict
from ..representation import LIVE_RANKS, OTHER_RANK, AnnotationRow, VerdictRow, live_verdict

# The annotation record read as plain values, named by its fields (representation.py):
# building model instances (with label, author and article) and running DRF's per-field
# serializers cost most of a list's time.
ANNOTATION_VALUES = {
    "id": "id",
    "article": "article_id",
    "start": "start",
    "end": "end",
    "exact": "exact",
    "prefix": "prefix",
    "suffix": "suffix",
    "label": "label__slug",
    "note": "note",
    "priority": "priority",
    "due_at": "due_at",
    "status": "status",
    "anchor_state": "anchor_state",
    "version": "version",
    "created_by": "created_by__username",
    "created_at": "created_at",
    "updated_at": "updated_at",
    "claimant_id": "claimant_id",
    "claimant_name": "claimant__name",
    "claimant_kind": "claimant__kind",
    "article_title": "article__title",
}
VERDICT_VALUES = {
    "annotation": "annotation_id",
    "id": "id",
    "rating": "rating__slug",
    "status": "status",
    "rationale": "rationale",
    "author": "author__username",
    "decided_by": "decided_by__username",
    "decided_at": "decided_at",
    "decision_note": "decision_note",
    "quote": "quote",
    "article_revision": "article_revision",
    "created_at": "created_at",
    "is_blind": "is_blind",
}
assert tuple(ANNOTATION_VALUES) == AnnotationRow._fields
assert tuple(VERDICT_VALUES) == VerdictRow._fields
_TIMESTAMPS = ("due_at", "created_at", "updated_at")


def _named(row_type: Any) -> type[ValuesListIterable]:
    """An iterable class for values_list() that yields `row_type` records (what
    values_list(named=True) does, with the record's names rather than the lookups'):
    callers read rows by name, and the one place that maps positions to names is here.
    Rows with fewer columns than the record take its defaults for the rest."""

    class Rows(ValuesListIterable):
        def __iter__(self) -> Any:
            missing = len(row_type._fields) - len(self.queryset._fields)
            # tuple.__new__ from C, not a Python call per row: a thousand rows a list.
            make = partial(tuple.__new__, row_type)
            if not missing:
                return map(make, super().__iter__())
            rest = tuple(row_type._field_defaults[name] for name in row_type._fields[-missing:])
            return (make(row + rest) for row in super().__iter__())

    return Rows


# representation.live_verdict in SQL: a blind proposal closed as not chosen is left out
# (NOT_CHOSEN), and an annotation's other verdicts ordered live first (LIVE_ORDER).
NOT_CHOSEN = Q(is_blind=True, status=Verdict.Status.REJECTED)
LIVE_ORDER = (
    Case(
        *(When(status=status, then=Value(rank)) for status, rank in LIVE_RANKS.items()),
        default=Value(OTHER_RANK),
    ),
    "-id",
)

_ANNOTATION_ROWS = _named(AnnotationRow)
_VERDICT_ROWS = _named(VerdictRow)


class IsoTimestamp(Func):
    """A timestamp as the API writes it (DRF's DateTimeField: ISO 8601 in the current time
    zone, microseconds only when there are any, UTC as `Z`), written by PostgreSQL. Reading
    a thousand rows, parsing their timestamps and formatting them again in Python was a
    third of the list's time. PostgreSQL only: elsewhere `annotation_values` reads the
    column and Python formats it (representation.api_time)."""

    output_field = CharField()

    def as_postgresql(self, compiler, connection, **extra_context):
        column, params = compiler.compile(self.source_expressions[0])
        zone = timezone.get_current_timezone_name()
        value = (column, list(params))
        local = _sql("(", value, " AT TIME ZONE %s)", ("", [zone]))
        offset = _sql("(", local, " - (", value, " AT TIME ZONE 'UTC'))")
        return _sql(
            "CASE WHEN ", value, " IS NULL THEN NULL ELSE ",
            "to_char(", local, ", 'YYYY-MM-DD\"T\"HH24:MI:SS')",
            " || CASE WHEN to_char(", local, ", 'US') = '000000' THEN ''",
            " ELSE '.' || to_char(", local, ", 'US') END",
            " || CASE WHEN ", offset, " = interval '0' THEN 'Z'",
            " WHEN ", offset, " < interval '0' THEN '-' || to_char(-", offset, ", 'HH24:MI')",
            " ELSE '+' || to_char(", offset, ", 'HH24:MI') END END",
        )  # fmt: skip


def _sql(*parts: str | tuple[str, list]) -> tuple[str, list]:
    """Join SQL pieces, plain strings or (sql, params), keeping the params in order."""
    sql, params = [], []
    for part in parts:
        if isinstance(part, str):
            sql.append(part)
        else:
            sql.append(part[0])
            params.extend(part[1])
    return "".join(sql), params


class RowTime(Func):
    """A timestamp as representation.ROW_TIME_FORMAT text, formatted by PostgreSQL:
    cheaper than turning it into a datetime and back for every row of a bulk export."""

    template = "to_char(%(expressions)s AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
    output_field = TextField()


def annotation_values(
    annotations: QuerySet[Annotation],
    *,
    article_title: bool = False,
    times: str = "api",
    named: bool = True,
) -> QuerySet:
    """`annotations`, in their order, as `representation.AnnotationRow` records (with the
    article's title if asked; `named=False`: plain tuples of the same fields, for the bulk
    export, see representation.export_row). On PostgreSQL the three timestamps come as
    text: the API's (`times="api"`, IsoTimestamp) or an export row's (`times="row"`,
    RowTime)."""
    names = [name for name in ANNOTATION_VALUES if article_title or name != "article_title"]
    if connection.vendor != "postgresql":
        columns: list[Any] = [ANNOTATION_VALUES[name] for name in names]
    else:
        timestamp = IsoTimestamp if times == "api" else RowTime
        columns = [
            timestamp(name) if name in _TIMESTAMPS else ANNOTATION_VALUES[name] for name in names
        ]
    rows = annotations.values_list(*columns)
    if named:
        rows._iterable_class = _ANNOTATION_ROWS
    return rows


# The reads below answer for many annotations at once, named by a list of ids, by `among`
# (a query of the same ids, a page's: a thousand bound ids cost more to compile and plan
# than the subquery costs to run) or by `id_range` (first, last: a bulk export's chunk is
# a contiguous id range, read by an index range scan; ids the filters left out are read
# but never looked up).


def _of(
    queryset: QuerySet,
    annotation_ids: Iterable[int] | None,
    among: QuerySet | None,
    id_range: tuple[int, int] | None,
) -> QuerySet:
    if id_range is not None:
        return queryset.filter(annotation_id__gte=id_range[0], annotation_id__lte=id_range[1])
    return queryset.filter(annotation_id__in=among if among is not None else annotation_ids)


def assignee_names(
    annotation_ids: Iterable[int] | None = None,
    *,
    among: QuerySet | None = None,
    id_range: tuple[int, int] | None = None,
) -> dict[int, list[str]]:
    """Who each annotation is assigned to (declined ones left out, each name once), in
    assignment order: what `assignees` gives, for many annotations in one query.
    Annotations without assignees are missing from the answer."""
    names: dict[int, list[str]] = {}
    assignments = _of(Assignment.objects.all(), annotation_ids, among, id_range)
    for annotation_id, username in (
        assignments.exclude(state=Assignment.State.DECLINED)
        .order_by("id")
        .values_list("annotation_id", "reviewer__username")
    ):
        found = names.setdefault(annotation_id, [])
        if username not in found:
            found.append(username)
    return names


def assignment_dues(*, among: QuerySet) -> dict[int, list[tuple[str, Any, str]]]:
    """Each annotation's assignments that were not declined, as (reviewer, due_at, state)
    in assignment order, for the annotations `among` (a query of their ids): one query."""
    dues: dict[int, list[tuple[str, Any, str]]] = {}
    for annotation_id, username, due_at, state in (
        Assignment.objects.filter(annotation_id__in=among)
        .exclude(state=Assignment.State.DECLINED)
        .order_by("id")
        .values_list("annotation_id", "reviewer__username", "due_at", "state")
    ):
        dues.setdefault(annotation_id, []).append((username, due_at, state))
    return dues


def latest_verdicts(
    annotation_ids: Iterable[int] | None = None,
    *,
    among: QuerySet | None = None,
    id_range: tuple[int, int] | None = None,
    instances: bool = False,
    brief: bool = False,
) -> dict[int, Any]:
    """The live verdict of each annotation that has one (representation.live_verdict: the
    latest approved, else the newest proposal, else the newest other; never a blind one
    not chosen), in one query: a `representation.VerdictRow`, or with `instances` a
    Verdict with its rating, author and decider (for pages that show a rating's name). A
    `brief` row has only the id, rating and status, what a bulk export shows: the texts
    and the authors' names were three quarters of the export's verdict reads."""
    if annotation_ids is not None and among is None and id_range is None:
        annotation_ids = list(annotation_ids)
        if not annotation_ids:
            return {}
    # A sealed blind proposal (policy.can_see_verdict) is in no list, page or export.
    verdicts = _of(
        Verdict.objects.filter(is_sealed=False).exclude(NOT_CHOSEN),
        annotation_ids,
        among,
        id_range,
    )
    if instances:
        verdicts = verdicts.select_related("rating", "author", "decided_by")
    else:
        columns = list(VERDICT_VALUES.values())
        verdicts = verdicts.values_list(*(columns[:4] if brief else columns))
        verdicts._iterable_class = _VERDICT_ROWS
    key = (lambda v: v.annotation_id) if instances else (lambda v: v.annotation)
    if connection.vendor == "postgresql":
        live = verdicts.order_by("annotation_id", *LIVE_ORDER).distinct("annotation_id")
        return {key(verdict): verdict for verdict in live}
    by_annotation: dict[int, list[Any]] = {}
    for verdict in verdicts.order_by("annotation_id", "id"):
        by_annotation.setdefault(key(verdict), []).append(verdict)
    return {pk: live_verdict(rows) for pk, rows in by_annotation.items()}


def article_span_rows(
    article: Article,
) -> tuple[QuerySet, dict[int, list[str]], dict[int, list[VerdictRow]], dict[int, list[Any]]]:
    """What the annotate page draws: every annotation of the article (withdrawn ones too) as
    named rows in text order, the assignees of each, its verdicts and its assignments' due
    dates (assignment_dues): four queries."""
    annotations = Annotation.objects.filter(article=article)
    ids = annotations.values("id")
    rows = annotation_values(annotations.order_by("start", "end", "id"))
    return rows, assignee_names(among=ids), verdict_histories(among=ids), assignment_dues(among=ids)


def annotation_rows_by_id(ids: list[int], *, article_title: bool = False) -> dict[int, Any]:
    """The named rows of the annotations `ids`, by id: one query."""
    rows = annotation_values(
        Annotation.objects.filter(pk__in=ids).order_by(), article_title=article_title
    )
    return {row.id: row for row in rows}


def live_span_rows(article: Article) -> tuple[list[Any], QuerySet]:
    """The article's live (not withdrawn) annotations in text order as named rows, and a
    query of their ids (the `among` of assignee_names and latest_verdicts): one query."""
    live = (
        Annotation.objects.filter(article=article)
        .exclude(status=Annotation.Status.WITHDRAWN)
        .order_by("start", "end", "id")
    )
    return list(annotation_values(live)), live.values("id")


def verdict_histories(*, among: QuerySet) -> dict[int, list[VerdictRow]]:
    """Every verdict of each annotation (`among`, a query of their ids), oldest first."""
    histories: dict[int, list[VerdictRow]] = {}
    verdicts = Verdict.objects.filter(annotation_id__in=among, is_sealed=False).order_by("id")
    rows = verdicts.values_list(*VERDICT_VALUES.values())
    rows._iterable_class = _VERDICT_ROWS
    for verdict in rows:
        histories.setdefault(verdict.annotation, []).append(verdict)
    return histories
