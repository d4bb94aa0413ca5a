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
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from . import representation, selectors
from .models import Annotation, Article, ArticleRevision, Claimant, Evidence, PageNote, Verdict
from .representation import EXPORT_COLUMNS, VerdictRow, row_id

CHUNK_SIZE = 2000
# Bytes of CSV/JSONL gathered before a chunk goes to the WSGI server: big enough to avoid
# one write per row, small enough that memory stays flat.
FLUSH_BYTES = 64 * 1024

W3C_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
W3C_MEDIA_TYPE = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'
CLAIMREVIEW_MEDIA_TYPE = "application/ld+json"

# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection);
# tab and carriage return are on OWASP's list too.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


# Every timestamp is formatted by representation.py; these names stay for the callers.
iso = representation.utc_time
row_time = representation.row_time
ROW_TIME_FORMAT = representation.ROW_TIME_FORMAT
_UtcText = selectors.RowTime


# --- rows: CSV and JSON Lines ---------------------------------------------------------------

_Chunk = tuple[list[tuple[Any, ...]], dict[int, list[str]], dict[int, VerdictRow]]


def _chunks(annotations: QuerySet[Annotation], chunk_size: int) -> Iterator[_Chunk]:
    """Keyset pagination by id: (rows, assignees by id, latest verdict by id) per chunk.

    Three queries per chunk: the rows, their assignees and their latest verdicts, the
    last two by the chunk's id range.
    """
    rows = selectors.annotation_values(
        annotations.order_by("id"), article_title=True, times="row", named=False
    )
    last_id = 0
    while True:
        chunk = list(rows.filter(id__gt=last_id)[:chunk_size])
        if not chunk:
            return
        id_range = (row_id(chunk[0]), row_id(chunk[-1]))
        last_id = id_range[1]
        yield (
            chunk,
            selectors.assignee_names(id_range=id_range),
            selectors.latest_verdicts(id_range=id_range, brief=True),
        )
        if len(chunk) < chunk_size:
            return


def annotation_rows(
    annotations: QuerySet[Annotation], *, chunk_size: int = CHUNK_SIZE
) -> Iterator[dict[str, Any]]:
    """Flat rows (EXPORT_COLUMNS) of the given annotations in id order, read in chunks."""
    make = representation.export_row()
    for chunk, assignees, verdicts in _chunks(annotations, chunk_size):
        for row in chunk:
            yield dict(zip(EXPORT_COLUMNS, make(row, assignees, verdicts), strict=True))


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
    make = representation.export_row(text=csv_cell, optional=csv_cell, plain=str, names=csv_cell)
    for chunk, assignees, verdicts in _chunks(annotations, chunk_size):
        yield "".join(writer.writerow(make(row, assignees, verdicts)) for row in chunk).encode(
            "utf-8"
        )


def csv_changes(
    annotations: QuerySet[Annotation], gone: Iterable[int], *, chunk_size: int = CHUNK_SIZE
) -> Iterator[bytes]:
    """A cursor export as CSV: the header with a last column `deleted`, the changed
    annotations (`deleted` false), then a row per withdrawn or deleted one with only its
    `id` and `deleted` true."""
    writer = csv.writer(_Line(), lineterminator="\r\n")
    yield writer.writerow([*EXPORT_COLUMNS, "deleted"]).encode("utf-8")
    make = representation.export_row(text=csv_cell, optional=csv_cell, plain=str, names=csv_cell)
    for chunk, assignees, verdicts in _chunks(annotations, chunk_size):
        yield "".join(
            writer.writerow([*make(row, assignees, verdicts), "false"]) for row in chunk
        ).encode("utf-8")
    at = EXPORT_COLUMNS.index("id")
    blank = [""] * len(EXPORT_COLUMNS)
    rows = [writer.writerow([*blank[:at], str(pk), *blank[at + 1 :], "true"]) for pk in gone]
    if rows:
        yield "".join(rows).encode("utf-8")


# JSON Lines are written by hand: json.dumps of a dict per row was most of the export's
# time. export_row encodes the strings with the json module's own (C) string encoder; the
# other values are ints. tests/api/test_exports.py checks that each line parses to the row
# annotation_rows gives.
_string = json.encoder.encode_basestring
_JSON_LINE = "{" + ",".join(f'"{column}":%s' for column in EXPORT_COLUMNS) + "}\n"


def _text(value: str | None) -> str:
    return "null" if value is None else _string(value)


def _names(names: list[str]) -> str:
    return "[" + ",".join(map(_string, names)) + "]" if names else "[]"


def _number(value: int | None) -> Any:
    return "null" if value is None else value


def jsonl_export(
    annotations: QuerySet[Annotation], *, chunk_size: int = CHUNK_SIZE
) -> Iterator[bytes]:
    """The annotations as JSON Lines (UTF-8), one object of EXPORT_COLUMNS per line."""
    make = representation.export_row(
        text=_string, optional=_text, plain=_string, names=_names, number=_number
    )
    for chunk, assignees, verdicts in _chunks(annotations, chunk_size):
        yield "".join(_JSON_LINE % make(row, assignees, verdicts) for row in chunk).encode("utf-8")


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
                queryset=Evidence.objects.filter(removed_at__isnull=True, is_sealed=False)
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


def annotation_record(annotation: Annotation) -> dict[str, Any]:
    """The API's annotation object (times in UTC), plus every verdict and the live
    evidence."""
    current = representation.verdict_row_of(selectors.current_verdict(annotation))
    record = representation.record(
        representation.row_of(annotation), selectors.assignees(annotation), current, iso
    )
    record["verdicts"] = [
        representation.verdict_object(representation.verdict_row_of(v), iso)
        for v in getattr(annotation, "verdict_list", [])
    ]
    record["evidence"] = [
        {
            "id": e.pk,
            "url": e.url,
            "title": e.title,
            "note": e.note,
            "added_by": e.added_by.username,
            "created_at": iso(e.created_at),
        }
        for e in getattr(annotation, "live_evidence", [])
    ]
    return record


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


# The software that makes machine suggestions: a span accepted from one names it as its
# generator instead of a human creator.
W3C_GENERATOR = {"type": "Software", "name": "Fact-check desk suggestions"}


def wap_container_path(article_id: int) -> str:
    """The article's Web Annotation Protocol container (ends in a slash)."""
    return _path("wap:container", article_id, f"/wap/articles/{article_id}/")


def w3c_annotation(
    annotation: Annotation,
    *,
    base_url: str,
    source: str,
    source_date: datetime,
    suggested: bool = False,
) -> dict[str, Any]:
    """One Web Annotation, its id under the article's protocol container. Bodies: the label
    (classifying), the note (commenting) and the approved verdict (assessing). The target
    quotes the span, gives its code-point position, and pins the text revision with a
    TimeState. A span accepted from a machine suggestion carries a `generator`, not a human
    `creator`."""
    row = representation.row_of(annotation)  # the record's fields, by name
    bodies: list[dict[str, Any]] = [
        {"type": "TextualBody", "purpose": "classifying", "value": row.label}
    ]
    if row.note:
        bodies.append(
            {
                "type": "TextualBody",
                "purpose": "commenting",
                "value": row.note,
                "format": "text/plain",
            }
        )
    # Only a verdict approved on the very text the target quotes (a text change sets it
    # aside, services._verdicts_set_aside; this guards every other road to a mismatch).
    approved = [
        v
        for v in getattr(annotation, "verdict_list", [])
        if v.status == Verdict.Status.APPROVED and v.approved_quote == row.exact
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
    quote: dict[str, Any] = {"type": "TextQuoteSelector", "exact": row.exact}
    if row.prefix:
        quote["prefix"] = row.prefix
    if row.suffix:
        quote["suffix"] = row.suffix
    selectors_: list[dict[str, Any]] = [quote]
    # An orphan's offsets point into an older revision: its quote is all that still holds.
    if row.anchor_state != Annotation.AnchorState.ORPHANED:
        selectors_.append({"type": "TextPositionSelector", "start": row.start, "end": row.end})
    item: dict[str, Any] = {
        "@context": W3C_CONTEXT,
        "id": f"{base_url}{wap_container_path(annotation.article_id)}{row.id}",
        "type": "Annotation",
        "motivation": "assessing" if approved else "classifying",
    }
    if suggested:
        item["generator"] = W3C_GENERATOR
    else:
        item["creator"] = {"type": "Person", "nickname": row.created_by}
    item.update(
        {
            "created": iso(row.created_at),
            "modified": iso(row.updated_at),
            "body": bodies,
            "target": {
                "type": "SpecificResource",
                "source": source,
                "selector": selectors_,
                "state": {"type": "TimeState", "sourceDate": iso(source_date)},
            },
        }
    )
    if annotation.canonical:
        item["canonical"] = annotation.canonical
    if annotation.via:
        item["via"] = annotation.via
    return item


def w3c_page_note(note: PageNote, *, base_url: str) -> dict[str, Any]:
    """A note on the whole article received through the protocol: its bodies and target as
    the client sent them, under an id of ours."""
    item: dict[str, Any] = {
        "@context": W3C_CONTEXT,
        "id": f"{base_url}{wap_container_path(note.article_id)}note-{note.pk}",
        "type": "Annotation",
        "motivation": "commenting",
        "creator": {"type": "Person", "nickname": note.created_by.username},
        "created": iso(note.created_at),
        "modified": iso(note.updated_at),
    }
    if note.body:
        item["body"] = note.body
    item["target"] = note.target
    if note.canonical:
        item["canonical"] = note.canonical
    if note.via:
        item["via"] = note.via
    return item


def w3c_one(article: Article, item: Annotation | PageNote, *, base_url: str) -> dict[str, Any]:
    """One span or note of the article in its W3C form, exactly as w3c_items gives it."""
    if isinstance(item, PageNote):
        return w3c_page_note(item, base_url=base_url)
    source = _path("annotations:article-detail", article.pk, f"/articles/{article.pk}/")
    return w3c_annotation(
        item,
        base_url=base_url,
        source=base_url + source,
        source_date=revision_date(article),
        suggested=item.pk in selectors.suggested_annotation_ids(article),
    )


def w3c_items(article: Article, *, base_url: str) -> list[dict[str, Any]]:
    """Every live annotation of the article in its W3C form (each with its @context): the
    spans in text order, then the notes on the whole text. The export and the protocol
    container both serve exactly these."""
    source = base_url + _path("annotations:article-detail", article.pk, f"/articles/{article.pk}/")
    source_date = revision_date(article)
    suggested = selectors.suggested_annotation_ids(article)
    items = [
        w3c_annotation(
            a,
            base_url=base_url,
            source=source,
            source_date=source_date,
            suggested=a.pk in suggested,
        )
        for a in article_annotations(article, include_withdrawn=False)
    ]
    items.extend(w3c_page_note(n, base_url=base_url) for n in selectors.page_notes_of(article))
    return items


def w3c_collection(article: Article, *, base_url: str) -> dict[str, Any]:
    """An AnnotationCollection of one article with its first (and only) page embedded."""
    export_path = _path("api:article-export", article.pk, f"/api/v1/articles/{article.pk}/export/")
    collection_id = f"{base_url}{export_path}?format=w3c"
    items = w3c_items(article, base_url=base_url)
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


def article_language(article: Article) -> str:
    """The article's language (BCP 47), the site's when it has none."""
    return article.language or settings.LANGUAGE_CODE


def desk_name(language: str) -> str:
    """The desk's name for readers of `language`: FACTCHECK_ORG_NAME_DE for German where it
    is set, else FACTCHECK_ORG_NAME, translated when it is the default name (a name of the
    desk's own is in no catalogue and stays as it is)."""
    with translation.override(language):
        if translation.get_language().startswith("de") and settings.FACTCHECK_ORG_NAME_DE:
            return settings.FACTCHECK_ORG_NAME_DE
        return translation.gettext(settings.FACTCHECK_ORG_NAME)


CLAIMANT_TYPES = {Claimant.Kind.PERSON: "Person", Claimant.Kind.ORGANISATION: "Organization"}


def claimant_author(claimant: Claimant | None) -> dict[str, Any] | None:
    """A claimant as schema.org names a claim's author: a Person or an Organization, with
    its URL and other names where the desk has them."""
    if claimant is None:
        return None
    author: dict[str, Any] = {"@type": CLAIMANT_TYPES[claimant.kind], "name": claimant.name}
    if claimant.url:
        author["url"] = claimant.url
    if claimant.aliases:
        author["alternateName"] = list(claimant.aliases)
    return author


def claimreviews(
    article: Article,
    verdicts: Iterable[Verdict],
    *,
    report_url: str,
    org_name: str | None = None,
    org_url: str = "",
) -> list[dict[str, Any]]:
    """One ClaimReview per approved verdict on a claim (selectors.approved_claim_verdicts),
    in the article's language: `inLanguage`, the rating's name and the desk's name
    (`org_name`, by default desk_name of the article's language)."""
    language = article_language(article)
    if org_name is None:
        org_name = desk_name(language)
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
        with translation.override(language):
            rating_name = verdict.rating.display_name
        rating: dict[str, Any] = {"@type": "Rating", "alternateName": rating_name}
        if verdict.rating.claimreview_value is not None:
            rating.update(ratingValue=verdict.rating.claimreview_value, bestRating=5, worstRating=1)
        claim: dict[str, Any] = {"@type": "Claim", "appearance": appearance}
        # Who made the claim: its claimant where the desk named one, else whoever
        # published the text it appears in.
        said_by = claimant_author(verdict.annotation.claimant) or claim_author
        if said_by:
            claim["author"] = said_by
        if article.published_at:
            claim["datePublished"] = iso(article.published_at)
        # The text the chief approved, never the span's text now (a text change since
        # sets the verdict aside: it stays here, marked under review, until a new one).
        review: dict[str, Any] = {
            "@context": "https://schema.org",
            "@type": "ClaimReview",
            "url": report_url,
            "claimReviewed": verdict.approved_quote or verdict.quote,
            "inLanguage": language,
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


def jsonl_tombstones(annotation_ids: Iterable[int]) -> Iterator[bytes]:
    """JSON Lines of a cursor export's deletions: `{"id": …, "kind": "annotation",
    "deleted": true}` for each withdrawn (or deleted) annotation."""
    lines = [
        '{"id":%d,"kind":"annotation","deleted":true}\n' % pk  # noqa: UP031
        for pk in annotation_ids
    ]
    if lines:
        yield "".join(lines).encode("utf-8")
