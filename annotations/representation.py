"""The annotation record, built in one place from selected rows, and its named projections.

Pure Python over plain values, no queries: `selectors` reads the rows (named records of
`AnnotationRow` and `VerdictRow`), the assignees of each annotation (`assignee_names`)
and its live verdict (`latest_verdicts`, `live_verdict`); this module turns them into

- `api_object`: the annotation object of DESIGN.md, as the API gives it (the list, the
  detail, a create's answer, an article's embedded annotations);
- `queue_item`: the API's queue row, the annotation object plus where it comes from;
- `page_span`: what the annotate page hands annotate.js, the API object plus `verdicts`;
- `export_row`: the bulk export's flat row (EXPORT_COLUMNS), encoded for CSV or JSON Lines;
- `record` with `time=utc_time`: the JSON export's annotation, whose W3C and ClaimReview
  neighbours format their timestamps with `utc_time` too.

Timestamps are formatted here only, in three formats: the API's (`api_time`), UTC for
W3C, schema.org and the JSON export (`utc_time`), and the fixed width of export rows
(`row_time`). PostgreSQL may have written them already (selectors.IsoTimestamp,
selectors.RowTime): text passes through.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, tzinfo
from typing import Any

from django.utils import timezone

from .l10n import desk_day
from .models import Annotation

# The annotation object's own fields, in the API's order (a row has them in this order,
# so that positional readers such as tests still find them where they were).
ANNOTATION_FIELDS = (
    "id",
    "article",
    "start",
    "end",
    "exact",
    "prefix",
    "suffix",
    "label",
    "note",
    "priority",
    "due_at",
    "status",
    "anchor_state",
    "version",
    "created_by",
    "created_at",
    "updated_at",
)
# What a row has of the claim's claimant (null when it names none): the API object's
# `claimant` ({id, name, kind}) and the export's columns are made of these.
CLAIMANT_FIELDS = ("claimant_id", "claimant_name", "claimant_kind")
# One selected annotation: label and author as slug and username. `article_title` only
# where a projection shows it (queue items, export rows).
AnnotationRow = namedtuple(
    "AnnotationRow",
    (*ANNOTATION_FIELDS, *CLAIMANT_FIELDS, "article_title"),
    defaults=(None,) * (len(CLAIMANT_FIELDS) + 1),
)

# CurrentVerdictSerializer's fields, in its order.
VERDICT_FIELDS = (
    "id",
    "rating",
    "status",
    "rationale",
    "author",
    "decided_by",
    "decided_at",
    "decision_note",
    "quote",
    "article_revision",
    "created_at",
)
# One selected verdict, with the annotation it belongs to, and whether it was a blind
# double review's proposal (which live_verdict reads; no object shows it). A brief one (the
# bulk export's) has its id, rating and status only.
VerdictRow = namedtuple(
    "VerdictRow",
    ("annotation", *VERDICT_FIELDS, "is_blind"),
    defaults=(None,) * (len(VERDICT_FIELDS) - 2),
)

# The API object's keys in order: the annotation's own fields with its assignees and current
# verdict before the author and times (AnnotationSerializer describes the same).
API_FIELDS = (
    *ANNOTATION_FIELDS[:14],
    "assignees",
    "current_verdict",
    "claimant",
    *ANNOTATION_FIELDS[14:],
)
# A bulk export's columns (CSV header, JSONL keys): the same, flat, with the article's title.
EXPORT_COLUMNS = (
    *ANNOTATION_FIELDS[:2],
    "article_title",
    *ANNOTATION_FIELDS[2:14],
    "assignees",
    "rating",
    "verdict_status",
    *ANNOTATION_FIELDS[14:],
    "claimant_id",
    "claimant",
    "claimant_kind",
)

Time = Callable[[datetime | str | None], str | None]

# --- timestamps -----------------------------------------------------------------------------


def api_time(zone: tzinfo | None = None) -> Time:
    """The API's timestamps, as serializers.DateTimeField writes them: ISO 8601 in the
    current time zone (or `zone`), UTC written as Z."""
    zone = zone or timezone.get_current_timezone()

    def iso(value: datetime | str | None) -> str | None:
        if value is None or isinstance(value, str):  # None, or selectors.IsoTimestamp's
            return value
        text = value.astimezone(zone).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return iso


def utc_time(value: datetime | None) -> str | None:
    """UTC ISO 8601 with `Z`, as W3C and schema.org readers expect (and the JSON export)."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


ROW_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"  # fixed width: the same from either database


def row_time(value: datetime | str | None) -> str | None:
    """An export row's timestamp as ROW_TIME_FORMAT; text that PostgreSQL formatted
    (selectors.RowTime) passes through."""
    if value is None or isinstance(value, str):
        return value
    return value.astimezone(UTC).strftime(ROW_TIME_FORMAT)


# --- rows from model instances ----------------------------------------------------------------


# The fields a row takes from the instance's attribute of the same name; the others are
# related rows, named by their slug or username.
_OWN_FIELDS = tuple(f for f in ANNOTATION_FIELDS if f not in {"article", "label", "created_by"})
_OWN_VERDICT_FIELDS = tuple(
    f for f in VERDICT_FIELDS if f not in {"rating", "author", "decided_by"}
)


def row_of(annotation: Annotation) -> AnnotationRow:
    """The row of an annotation instance (its label and author loaded), for the places
    that hold instances: a create's answer, the detail, the per-article exports."""
    claimant = annotation.claimant if annotation.claimant_id is not None else None
    return AnnotationRow(
        **{name: getattr(annotation, name) for name in _OWN_FIELDS},
        article=annotation.article_id,
        label=annotation.label.slug,
        created_by=annotation.created_by.username,
        claimant_id=annotation.claimant_id,
        claimant_name=claimant.name if claimant is not None else None,
        claimant_kind=claimant.kind if claimant is not None else None,
    )


def verdict_row_of(verdict: Any) -> VerdictRow | None:
    """The row of a Verdict instance (rating, author and decider loaded), or None."""
    if verdict is None:
        return None
    return VerdictRow(
        annotation=verdict.annotation_id,
        **{name: getattr(verdict, name) for name in _OWN_VERDICT_FIELDS},
        rating=verdict.rating.slug,
        author=verdict.author.username,
        decided_by=verdict.decided_by.username if verdict.decided_by_id else None,
        is_blind=verdict.is_blind,
    )


# The claim's live verdict, the `current_verdict` of the API, the exports and the pages:
# the latest approved one; else the newest open proposal; else the newest of the others
# (returned to its reviewer, or set aside by a text change). Never a blind proposal the
# chief closed as not chosen: the claim does not stand on it, even when it is the newest
# (the chosen one came first). selectors.rows.latest_verdicts ranks the same in SQL.
LIVE_RANKS = {"approved": 0, "proposed": 1}
OTHER_RANK = 2


def is_not_chosen(verdict: Any) -> bool:
    """A blind double review's proposal closed as not chosen (a blind verdict is rejected
    no other way)."""
    return bool(verdict.is_blind) and verdict.status == "rejected"


def live_verdict(verdicts: Iterable[Any]) -> Any | None:
    """The live verdict (LIVE_RANKS) among an annotation's `verdicts`, Verdict instances or
    VerdictRows, of those the reader may see (a sealed proposal only to its author: the
    caller's selection), or None."""
    return min(
        (v for v in verdicts if not is_not_chosen(v)),
        key=lambda v: (LIVE_RANKS.get(v.status, OTHER_RANK), -v.id),
        default=None,
    )


# --- projections ------------------------------------------------------------------------------


def verdict_object(verdict: VerdictRow, time: Time) -> dict[str, Any]:
    """CurrentVerdictSerializer's object."""
    return {
        "id": verdict.id,
        "rating": verdict.rating,
        "status": verdict.status,
        "rationale": verdict.rationale,
        "author": verdict.author,
        "decided_by": verdict.decided_by,
        "decided_at": time(verdict.decided_at),
        "decision_note": verdict.decision_note,
        "quote": verdict.quote,
        "article_revision": verdict.article_revision,
        "created_at": time(verdict.created_at),
    }


def claimant_object(row: AnnotationRow) -> dict[str, Any] | None:
    """The claim's claimant as the annotation object names it, or None."""
    if row.claimant_id is None:
        return None
    return {"id": row.claimant_id, "name": row.claimant_name, "kind": row.claimant_kind}


def record(
    row: AnnotationRow, assignees: list[str], verdict: VerdictRow | None, time: Time
) -> dict[str, Any]:
    """The annotation object of DESIGN.md: the one place that builds it. `assignees` in
    assignment order (declined left out), `verdict` the live one (live_verdict) or None."""
    return {
        "id": row.id,
        "article": row.article,
        "start": row.start,
        "end": row.end,
        "exact": row.exact,
        "prefix": row.prefix,
        "suffix": row.suffix,
        "label": row.label,
        "note": row.note,
        "priority": row.priority,
        "due_at": time(row.due_at),
        "status": row.status,
        "anchor_state": row.anchor_state,
        "version": row.version,
        "assignees": assignees,
        "current_verdict": None if verdict is None else verdict_object(verdict, time),
        "claimant": claimant_object(row),
        "created_by": row.created_by,
        "created_at": time(row.created_at),
        "updated_at": time(row.updated_at),
    }


def api_object(
    row: AnnotationRow, assignees: list[str], verdict: VerdictRow | None
) -> dict[str, Any]:
    """One annotation object as the API gives it (AnnotationSerializer's shape)."""
    return record(row, assignees, verdict, api_time())


def api_objects(
    rows: Iterable[AnnotationRow],
    assignees: Mapping[int, list[str]],
    verdicts: Mapping[int, VerdictRow],
) -> list[dict[str, Any]]:
    """The API's annotation objects of a page of rows (selectors.annotation_values)."""
    time = api_time()
    names, latest = assignees.get, verdicts.get
    return [record(row, names(row.id, []), latest(row.id), time) for row in rows]


def queue_item(
    row: AnnotationRow,
    assignees: list[str],
    verdict: VerdictRow | None,
    *,
    due_at: datetime | None,
    assigned_by: str | None,
    latest_check: dict[str, Any] | None,
    time: Time,
) -> dict[str, Any]:
    """A queue row (QueueItemSerializer's shape): the annotation object with the
    assignment's due date, the article's title, who assigned it and the latest check."""
    item = record(row, assignees, verdict, time)
    item["due_at"] = time(due_at)
    item["article_title"] = row.article_title
    item["assigned_by"] = assigned_by
    item["latest_check"] = latest_check
    return item


def page_span(
    row: AnnotationRow,
    assignees: list[str],
    history: list[VerdictRow],
    time: Time,
    assignments: Iterable[tuple[str, datetime | None, str]] = (),
) -> dict[str, Any]:
    """What annotate.js reads of one span: the API's object plus its verdicts in order,
    so that an object the API sends back later replaces it field for field, and its
    assignments (reviewer, due_at, state; declined ones left out) with each due date's day
    at the desk (`due_day`, YYYY-MM-DD), the one due date the panel shows."""
    verdicts = [verdict_object(verdict, time) for verdict in history]
    live = live_verdict(history)
    data = record(row, assignees, live, time)
    data["verdicts"] = verdicts
    data["assignments"] = [
        {
            "reviewer": reviewer,
            "due_at": time(due_at),
            "due_day": desk_day(due_at).isoformat() if due_at else None,
            "state": state,
        }
        for reviewer, due_at, state in assignments
    ]
    return data


def _same(value: Any) -> Any:
    return value


ExportRow = Callable[
    [tuple[Any, ...], Mapping[int, list[str]], Mapping[int, VerdictRow]], tuple[Any, ...]
]


def export_row(
    *,
    text: Callable[[str], Any] = _same,
    optional: Callable[[str | None], Any] = _same,
    plain: Callable[[str], Any] = _same,
    names: Callable[[list[str]], Any] = _same,
    number: Callable[[int | None], Any] = _same,
) -> ExportRow:
    """The bulk export's flat row, in EXPORT_COLUMNS order: the annotation with its
    article's title, its assignees and its latest verdict's rating slug and status, times
    as ROW_TIME_FORMAT. Made for one writer, which says how it encodes text, text that may
    be null, `plain` text that no spreadsheet could take for a formula (a status, a
    timestamp), the assignees and a number that may be null (the claimant's id): a CSV
    cell guard, a JSON string. So no writer takes a
    row apart again; C functions where they fit, since this runs for every row of a bulk
    export. The function returned takes a row, the chunk's assignees by
    annotation id and its latest verdicts by annotation id.

    A row is a bulk row of `selectors.annotation_values(named=False, article_title=True)`:
    AnnotationRow's fields in order, left unnamed because a namedtuple per row cost a
    fifth of a 100,000-row export. This is the one place that reads it by position."""

    def row_of_export(
        row: tuple[Any, ...],
        assignees: Mapping[int, list[str]],
        verdicts: Mapping[int, VerdictRow],
    ) -> tuple[Any, ...]:
        (
            pk,
            article,
            start,
            end,
            exact,
            prefix,
            suffix,
            label,
            note,
            priority,
            due_at,
            status,
            anchor_state,
            version,
            created_by,
            created_at,
            updated_at,
            claimant_id,
            claimant_name,
            claimant_kind,
            article_title,
        ) = row
        verdict = verdicts.get(pk)
        return (
            pk,
            article,
            text(article_title),
            start,
            end,
            text(exact),
            text(prefix),
            text(suffix),
            text(label),
            text(note),
            priority,
            optional(row_time(due_at)),
            plain(status),
            plain(anchor_state),
            version,
            names(assignees.get(pk, [])),
            optional(None if verdict is None else verdict.rating),
            optional(None if verdict is None else verdict.status),
            text(created_by),
            plain(row_time(created_at)),
            plain(row_time(updated_at)),
            number(claimant_id),
            optional(claimant_name),
            optional(claimant_kind),
        )

    return row_of_export


def row_id(row: tuple[Any, ...]) -> int:
    """The id of a bulk row (see export_row): its first field."""
    return row[0]
