"""Exports: JSON, CSV / JSON Lines rows, W3C Web Annotation and schema.org ClaimReview.

Builders return plain dicts, lists and generators of encoded lines; the API wraps them in
responses. URLs are made absolute from a `base_url` string (scheme and host, no slash at
the end), so nothing here needs a request.

Bulk rows are read with keyset pagination by id, CHUNK_SIZE rows per query, inside the
generator: a streamed export holds no transaction or server-side cursor open while the
client reads, and its memory does not grow with the number of rows (one chunk at a time).
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from django.db import connection
from django.db.models import Func, Prefetch, QuerySet, TextField
from django.urls import NoReverseMatch, reverse

from . import selectors
from .models import Annotation, Article, ArticleRevision, Assignment, Evidence, Verdict

CHUNK_SIZE = 2000
# Bytes of CSV/JSONL gathered before a chunk goes to the WSGI server: big enough to avoid
# one write per row, small enough that memory stays flat.
FLUSH_BYTES = 64 * 1024

W3C_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
W3C_MEDIA_TYPE = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'
CLAIMREVIEW_MEDIA_TYPE = "application/ld+json"

EXPORT_COLUMNS = (
    "id",
    "article",
    "article_title",
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
    "assignees",
    "rating",
    "verdict_status",
    "created_by",
    "created_at",
    "updated_at",
)

# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection);
# tab and carriage return are on OWASP's list too.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def iso(value: datetime | None) -> str | None:
    """UTC ISO 8601 with `Z`, as W3C and schema.org readers expect."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


# --- rows: CSV and JSON Lines ---------------------------------------------------------------

ROW_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"  # fixed width: the same from either database
_PG_ROW_TIME_FORMAT = 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'


def row_time(value: datetime | str | None) -> str | None:
    """A row's timestamp as ROW_TIME_FORMAT; text that PostgreSQL formatted passes through."""
    if value is None or isinstance(value, str):
        return value
    return value.astimezone(UTC).strftime(ROW_TIME_FORMAT)


class _UtcText(Func):
    """A timestamp as ROW_TIME_FORMAT text, formatted by PostgreSQL: cheaper than turning
    it into a datetime and back for every row of a bulk export."""

    template = f"to_char(%(expressions)s AT TIME ZONE 'UTC', '{_PG_ROW_TIME_FORMAT}')"
    output_field = TextField()


def _row_fields() -> list[Any]:
    def moment(name: str) -> Any:
        return _UtcText(name) if connection.vendor == "postgresql" else name

    return [
        "id",
        "article_id",
        "article__title",
        "start",
        "end",
        "exact",
        "prefix",
        "suffix",
        "label__slug",
        "note",
        "priority",
        moment("due_at"),
        "status",
        "anchor_state",
        "version",
        "created_by__username",
        moment("created_at"),
        moment("updated_at"),
    ]


_Chunk = tuple[list[tuple[Any, ...]], dict[int, list[str]], dict[int, tuple[str, str]]]


def _chunks(annotations: QuerySet[Annotation], chunk_size: int) -> Iterator[_Chunk]:
    """Keyset pagination by id: (rows, assignees by id, latest verdict by id) per chunk.

    Three queries per chunk: the rows, their assignees and their current verdicts.
    """
    rows = annotations.order_by("id").values_list(*_row_fields())
    last_id = 0
    while True:
        chunk = list(rows.filter(id__gt=last_id)[:chunk_size])
        if not chunk:
            return
        first_id, last_id = chunk[0][0], chunk[-1][0]
        yield (
            chunk,
            _assignees_by_annotation(first_id, last_id),
            _current_verdicts(first_id, last_id),
        )
        if len(chunk) < chunk_size:
            return


def annotation_rows(
    annotations: QuerySet[Annotation], *, chunk_size: int = CHUNK_SIZE
) -> Iterator[dict[str, Any]]:
    """Flat rows (EXPORT_COLUMNS) of the given annotations in id order, read in chunks."""
    for chunk, assignees, verdicts in _chunks(annotations, chunk_size):
        for row in chunk:
            yield _row_dict(row, assignees, verdicts)


def _row_dict(
    row: tuple[Any, ...],
    assignees: dict[int, list[str]],
    verdicts: dict[int, tuple[str, str]],
) -> dict[str, Any]:
    (
        pk,
        article_id,
        article_title,
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
    ) = row
    rating, verdict_status = verdicts.get(pk, (None, None))
    return {
        "id": pk,
        "article": article_id,
        "article_title": article_title,
        "start": start,
        "end": end,
        "exact": exact,
        "prefix": prefix,
        "suffix": suffix,
        "label": label,
        "note": note,
        "priority": priority,
        "due_at": row_time(due_at),
        "status": status,
        "anchor_state": anchor_state,
        "version": version,
        "assignees": assignees.get(pk, []),
        "rating": rating,
        "verdict_status": verdict_status,
        "created_by": created_by,
        "created_at": row_time(created_at),
        "updated_at": row_time(updated_at),
    }


# A chunk is a contiguous id range, so its assignees and verdicts are read by range (an
# index range scan) rather than by a list of 2,000 ids; rows of annotations that the
# filters left out are read but never looked up.


def _assignees_by_annotation(first_id: int, last_id: int) -> dict[int, list[str]]:
    found: dict[int, list[str]] = defaultdict(list)
    for annotation_id, username in (
        Assignment.objects.filter(annotation_id__gte=first_id, annotation_id__lte=last_id)
        .exclude(state=Assignment.State.DECLINED)
        .order_by("annotation_id", "id")
        .values_list("annotation_id", "reviewer__username")
    ):
        if username not in found[annotation_id]:
            found[annotation_id].append(username)
    return found


def _current_verdicts(first_id: int, last_id: int) -> dict[int, tuple[str, str]]:
    """The latest verdict of each annotation: (rating slug, status)."""
    result: dict[int, tuple[str, str]] = {}
    for annotation_id, rating, status in (
        Verdict.objects.filter(annotation_id__gte=first_id, annotation_id__lte=last_id)
        .order_by("annotation_id", "id")
        .values_list("annotation_id", "rating__slug", "status")
    ):
        result[annotation_id] = (rating, status)
    return result


def csv_cell(value: Any) -> Any:
    """A CSV cell that no spreadsheet runs: a leading `'` before a formula character."""
    if value is None:
        return ""
    if isinstance(value, list):
        value = ";".join(value)
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


class _Line:
    """A file for csv.writer that hands back the line it was given."""

    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[dict[str, Any]]) -> Iterator[bytes]:
    """RFC 4180 CSV in UTF-8: a header row, CRLF line ends, fields quoted when needed."""
    writer = csv.writer(_Line(), lineterminator="\r\n")
    buffer = [writer.writerow(EXPORT_COLUMNS)]
    size = 0
    for row in rows:
        line = writer.writerow([csv_cell(row[column]) for column in EXPORT_COLUMNS])
        buffer.append(line)
        size += len(line)
        if size >= FLUSH_BYTES:
            yield "".join(buffer).encode("utf-8")
            buffer, size = [], 0
    if buffer:
        yield "".join(buffer).encode("utf-8")


def csv_export(
    annotations: QuerySet[Annotation], *, chunk_size: int = CHUNK_SIZE
) -> Iterator[bytes]:
    """The annotations as RFC 4180 CSV (see csv_lines), one piece per chunk."""
    writer = csv.writer(_Line(), lineterminator="\r\n")
    yield writer.writerow(EXPORT_COLUMNS).encode("utf-8")
    for chunk, assignees, verdicts in _chunks(annotations, chunk_size):
        yield "".join(
            writer.writerow(_csv_values(row, assignees, verdicts)) for row in chunk
        ).encode("utf-8")


def _csv_values(
    row: tuple[Any, ...],
    assignees: dict[int, list[str]],
    verdicts: dict[int, tuple[str, str]],
) -> list[Any]:
    """The CSV cells of one row (the same as csv_cell over the row's dict, without it)."""
    (
        pk,
        article_id,
        article_title,
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
    ) = row
    rating, verdict_status = verdicts.get(pk, ("", ""))
    return [
        pk,
        article_id,
        csv_cell(article_title),
        start,
        end,
        csv_cell(exact),
        csv_cell(prefix),
        csv_cell(suffix),
        csv_cell(label),
        csv_cell(note),
        priority,
        row_time(due_at) or "",
        status,
        anchor_state,
        version,
        csv_cell(assignees.get(pk, [])),
        csv_cell(rating),
        verdict_status,
        csv_cell(created_by),
        row_time(created_at),
        row_time(updated_at),
    ]


# JSON Lines are written by hand from the row tuple: json.dumps of a dict per row was most
# of the export's time. Strings go through the json module's own (C) string encoder; the
# other values are ints, None or fixed-format times. tests/test_exports.py checks that
# each line parses to the row annotation_rows gives.
_string = json.encoder.encode_basestring


def _text(value: str | None) -> str:
    return "null" if value is None else _string(value)


def _json_line(
    row: tuple[Any, ...],
    assignees: dict[int, list[str]],
    verdicts: dict[int, tuple[str, str]],
) -> str:
    (
        pk,
        article_id,
        article_title,
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
    ) = row
    rating, verdict_status = verdicts.get(pk, (None, None))
    names = ",".join(_string(name) for name in assignees.get(pk, ()))
    return (
        f'{{"id":{pk},"article":{article_id},"article_title":{_text(article_title)},'
        f'"start":{start},"end":{end},"exact":{_text(exact)},"prefix":{_text(prefix)},'
        f'"suffix":{_text(suffix)},"label":{_text(label)},"note":{_text(note)},'
        f'"priority":{priority},"due_at":{_text(row_time(due_at))},"status":{_text(status)},'
        f'"anchor_state":{_text(anchor_state)},"version":{version},"assignees":[{names}],'
        f'"rating":{_text(rating)},"verdict_status":{_text(verdict_status)},'
        f'"created_by":{_text(created_by)},"created_at":{_text(row_time(created_at))},'
        f'"updated_at":{_text(row_time(updated_at))}}}\n'
    )


def jsonl_export(
    annotations: QuerySet[Annotation], *, chunk_size: int = CHUNK_SIZE
) -> Iterator[bytes]:
    """The annotations as JSON Lines (UTF-8), one object of EXPORT_COLUMNS per line."""
    for chunk, assignees, verdicts in _chunks(annotations, chunk_size):
        yield "".join(_json_line(row, assignees, verdicts) for row in chunk).encode("utf-8")


# --- one article ----------------------------------------------------------------------------


def article_annotations(article: Article, *, include_withdrawn: bool) -> list[Annotation]:
    """The article's annotations in text order, with verdicts, assignees and live evidence."""
    annotations = Annotation.objects.filter(article=article)
    if not include_withdrawn:
        annotations = annotations.exclude(status=Annotation.Status.WITHDRAWN)
    return list(
        selectors.annotations_with_relations(annotations)
        .defer("article__text")
        .prefetch_related(
            Prefetch(
                "evidence",
                queryset=Evidence.objects.filter(removed_at__isnull=True)
                .select_related("added_by")
                .order_by("id"),
                to_attr="live_evidence",
            )
        )
        .order_by("start", "end", "id")
    )


def revision_date(article: Article) -> datetime:
    """When the article's current text was stored (the W3C TimeState's sourceDate)."""
    stored = (
        ArticleRevision.objects.filter(article=article, number=article.revision)
        .values_list("created_at", flat=True)
        .first()
    )
    return stored or article.updated_at


def article_record(article: Article) -> dict[str, Any]:
    return {
        "id": article.pk,
        "title": article.title,
        "language": article.language,
        "source_url": article.source_url,
        "outlet": article.outlet,
        "byline": article.byline,
        "published_at": iso(article.published_at),
        "revision": article.revision,
        "status": article.status,
        "created_by": article.created_by.username if article.created_by else None,
        "created_at": iso(article.created_at),
        "updated_at": iso(article.updated_at),
        "text": article.text,
    }


def _verdict_record(verdict: Verdict) -> dict[str, Any]:
    return {
        "id": verdict.pk,
        "rating": verdict.rating.slug,
        "status": verdict.status,
        "rationale": verdict.rationale,
        "author": verdict.author.username,
        "decided_by": verdict.decided_by.username if verdict.decided_by else None,
        "decided_at": iso(verdict.decided_at),
        "decision_note": verdict.decision_note,
        "quote": verdict.quote,
        "article_revision": verdict.article_revision,
        "created_at": iso(verdict.created_at),
    }


def annotation_record(annotation: Annotation) -> dict[str, Any]:
    """The API's annotation object, plus every verdict and the live evidence."""
    current = selectors.current_verdict(annotation)
    return {
        "id": annotation.pk,
        "article": annotation.article_id,
        "start": annotation.start,
        "end": annotation.end,
        "exact": annotation.exact,
        "prefix": annotation.prefix,
        "suffix": annotation.suffix,
        "label": annotation.label.slug,
        "note": annotation.note,
        "priority": annotation.priority,
        "due_at": iso(annotation.due_at),
        "status": annotation.status,
        "anchor_state": annotation.anchor_state,
        "version": annotation.version,
        "assignees": selectors.assignees(annotation),
        "current_verdict": _verdict_record(current) if current else None,
        "created_by": annotation.created_by.username,
        "created_at": iso(annotation.created_at),
        "updated_at": iso(annotation.updated_at),
        "verdicts": [_verdict_record(v) for v in getattr(annotation, "verdict_list", [])],
        "evidence": [
            {
                "id": e.pk,
                "url": e.url,
                "title": e.title,
                "note": e.note,
                "added_by": e.added_by.username,
                "created_at": iso(e.created_at),
            }
            for e in getattr(annotation, "live_evidence", [])
        ],
    }


def article_json(article: Article, annotations: Iterable[Annotation]) -> dict[str, Any]:
    """Everything about one article: metadata, text, annotations, verdicts, evidence."""
    return {
        "article": article_record(article),
        "annotations": [annotation_record(a) for a in annotations],
    }


# --- W3C Web Annotation ---------------------------------------------------------------------


def _path(name: str, pk: int, fallback: str) -> str:
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return fallback


def w3c_annotation(
    annotation: Annotation, *, base_url: str, source: str, source_date: datetime
) -> dict[str, Any]:
    """One Web Annotation. Bodies: the label (tagging), the note (commenting) and the
    approved verdict (assessing). The target quotes the span, gives its code-point
    position, and pins the text revision with a TimeState."""
    bodies: list[dict[str, Any]] = [
        {"type": "TextualBody", "purpose": "tagging", "value": annotation.label.slug}
    ]
    if annotation.note:
        bodies.append(
            {
                "type": "TextualBody",
                "purpose": "commenting",
                "value": annotation.note,
                "format": "text/plain",
            }
        )
    # Only a verdict approved on the very text the target quotes (a text change sets it
    # aside, services._verdicts_set_aside; this guards every other road to a mismatch).
    approved = [
        v
        for v in getattr(annotation, "verdict_list", [])
        if v.status == Verdict.Status.APPROVED and v.approved_quote == annotation.exact
    ]
    if approved:
        verdict = approved[-1]
        bodies.append(
            {
                "type": "TextualBody",
                "purpose": "assessing",
                "value": f"{verdict.rating.name}: {verdict.rationale}",
                "format": "text/plain",
                "creator": {"type": "Person", "nickname": verdict.author.username},
                "created": iso(verdict.decided_at or verdict.created_at),
            }
        )
    quote: dict[str, Any] = {"type": "TextQuoteSelector", "exact": annotation.exact}
    if annotation.prefix:
        quote["prefix"] = annotation.prefix
    if annotation.suffix:
        quote["suffix"] = annotation.suffix
    selectors_: list[dict[str, Any]] = [quote]
    # An orphan's offsets point into an older revision: its quote is all that still holds.
    if annotation.anchor_state != Annotation.AnchorState.ORPHANED:
        selectors_.append(
            {"type": "TextPositionSelector", "start": annotation.start, "end": annotation.end}
        )
    path = _path("api:annotation-detail", annotation.pk, f"/api/v1/annotations/{annotation.pk}/")
    return {
        "@context": W3C_CONTEXT,
        "id": base_url + path,
        "type": "Annotation",
        "motivation": "assessing" if approved else "tagging",
        "creator": {"type": "Person", "nickname": annotation.created_by.username},
        "created": iso(annotation.created_at),
        "modified": iso(annotation.updated_at),
        "body": bodies,
        "target": {
            "type": "SpecificResource",
            "source": source,
            "selector": selectors_,
            "state": {"type": "TimeState", "sourceDate": iso(source_date)},
        },
    }


def w3c_collection(
    article: Article,
    annotations: Iterable[Annotation],
    *,
    base_url: str,
    source_date: datetime,
) -> dict[str, Any]:
    """An AnnotationCollection of one article with its first (and only) page embedded."""
    export_path = _path("api:article-export", article.pk, f"/api/v1/articles/{article.pk}/export/")
    collection_id = f"{base_url}{export_path}?format=w3c"
    source = base_url + _path("annotations:article-detail", article.pk, f"/articles/{article.pk}/")
    items = [
        w3c_annotation(a, base_url=base_url, source=source, source_date=source_date)
        for a in annotations
        if a.status != Annotation.Status.WITHDRAWN
    ]
    for item in items:
        del item["@context"]  # the collection's context covers its items
    return {
        "@context": W3C_CONTEXT,
        "id": collection_id,
        "type": "AnnotationCollection",
        "label": article.title,
        "total": len(items),
        "first": {
            "id": f"{collection_id}&page=1",
            "type": "AnnotationPage",
            "startIndex": 0,
            "items": items,
        },
    }


# --- schema.org ClaimReview -----------------------------------------------------------------


def report_path(article: Article) -> str:
    return _path("annotations:article-report", article.pk, f"/articles/{article.pk}/report/")


def claimreviews(
    article: Article,
    verdicts: Iterable[Verdict],
    *,
    report_url: str,
    org_name: str,
    org_url: str = "",
) -> list[dict[str, Any]]:
    """One ClaimReview per approved verdict on a claim (selectors.approved_claim_verdicts)."""
    organisation: dict[str, Any] = {"@type": "Organization", "name": org_name}
    if org_url:
        organisation["url"] = org_url
    claim_author: dict[str, Any] | None = None
    if article.outlet:
        claim_author = {"@type": "Organization", "name": article.outlet}
    elif article.byline:
        claim_author = {"@type": "Person", "name": article.byline}
    appearance: dict[str, Any] = {
        "@type": "CreativeWork",
        "url": article.source_url or report_url,
        "headline": article.title,
    }
    if article.published_at:
        appearance["datePublished"] = iso(article.published_at)
    if claim_author:
        appearance["author"] = claim_author
    reviews = []
    for verdict in verdicts:
        under_review = getattr(verdict, "under_review_since", None)
        if verdict.status != Verdict.Status.APPROVED and under_review is None:
            continue
        rating: dict[str, Any] = {"@type": "Rating", "alternateName": verdict.rating.name}
        if verdict.rating.claimreview_value is not None:
            rating.update(ratingValue=verdict.rating.claimreview_value, bestRating=5, worstRating=1)
        claim: dict[str, Any] = {"@type": "Claim", "appearance": appearance}
        if claim_author:
            claim["author"] = claim_author
        if article.published_at:
            claim["datePublished"] = iso(article.published_at)
        # The text the chief approved, never the span's text now (a text change since
        # sets the verdict aside: it stays here, marked under review, until a new one).
        review: dict[str, Any] = {
            "@context": "https://schema.org",
            "@type": "ClaimReview",
            "url": report_url,
            "claimReviewed": verdict.approved_quote or verdict.quote,
            "reviewRating": rating,
            "itemReviewed": claim,
            "author": organisation,
            "datePublished": iso(verdict.decided_at or verdict.created_at),
        }
        corrects = getattr(verdict, "corrects", None)
        if under_review is not None:
            review["creativeWorkStatus"] = "UnderReview"
            review["dateModified"] = iso(under_review)
        elif corrects is not None:
            review["datePublished"] = iso(corrects.decided_at)
            review["dateModified"] = iso(verdict.decided_at)
        reviews.append(review)
    return reviews
