"""The archive of fetched sources: each fetch's WARC file in the `archive` storage, and its
Capture row. Identical content is stored once, by the body's hash: the same bytes at the same
URL reuse the capture; at another URL they get a small file whose response is a revisit
record of the capture that holds them."""

from __future__ import annotations

import hashlib
import logging
import unicodedata

from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import IntegrityError, transaction

from .. import fetch, textdiff, warc
from ..models import Capture, CaptureDiff
from ..selectors.archive import (
    REVISIT_MARK,
    archive_storage_errors,
    capture_warc,
    revisit_original,
)

logger = logging.getLogger(__name__)

ARCHIVE_STORAGE = "archive"
SOFTWARE = "factcheck-desk/1.0 (warcio)"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def warc_name(*, url_sha256: str, payload_sha256: str, is_revisit: bool = False) -> str:
    """Where a capture's file lives in the storage: named by its content, so a second fetch
    of the same bytes finds it; a file whose response is a revisit record says so."""
    kind = REVISIT_MARK if is_revisit else ""
    return f"{payload_sha256[:2]}/{payload_sha256}-{url_sha256[:16]}{kind}.warc.gz"


def _revisit_of(payload_sha256: str, body: bytes) -> warc.Revisit | None:
    """The earliest capture (of another URL) holding this body in full, as a revisit
    record names it; None when there is none or its file cannot be read (the body is then
    stored again, in full)."""
    if not body:
        return None
    original = revisit_original(payload_sha256)
    if original is None:
        return None
    try:
        archived = warc.read_response(capture_warc(original))
    except (OSError, ValueError):
        logger.warning("capture %s cannot be read: its body is stored again", original.pk)
        return None
    if (
        archived.refers_to
        or archived.body != body
        or _sha256(archived.url.encode()) != original.url_sha256
    ):
        return None
    return warc.Revisit(url=archived.url, date=archived.date)


def capture_store(*, result: fetch.FetchResult) -> Capture:
    """Archive one successful fetch: its exchanges as a WARC file and its text.

    The body was cut at FETCH_MAX_BYTES by the fetcher, so that cap bounds each file. When
    a capture of the same final URL holds the same body, that capture is returned and
    nothing is written: a daily re-check of an unchanged page stores nothing new. When a
    capture of another URL holds it, the new file's last response is a revisit record of
    that capture's (warc.py): headers and text, not the body again.

    Takes no lock: two workers storing the same content at once both write, the unique
    constraint (capture_content_once) keeps one row, and the other removes its file.
    Raises OSError when the storage cannot be written.
    """
    final = result.exchanges[-1]
    payload_sha256 = _sha256(final.body)
    url_sha256 = _sha256(result.final_url.encode("utf-8"))
    existing = Capture.objects.filter(url_sha256=url_sha256, payload_sha256=payload_sha256).first()
    if existing is not None:
        return existing
    text = unicodedata.normalize("NFC", result.text)
    revisit = _revisit_of(payload_sha256, final.body)
    data = warc.warc_bytes(result.exchanges, text=text, software=SOFTWARE, revisit=revisit)
    storage = storages[ARCHIVE_STORAGE]
    name = warc_name(
        url_sha256=url_sha256, payload_sha256=payload_sha256, is_revisit=revisit is not None
    )
    # A name taken (by a worker that stored it and died before its row) gets a suffix: a
    # file is never overwritten, so a row's hash always describes its file.
    with archive_storage_errors():
        stored = storage.save(name, ContentFile(data))
    try:
        with transaction.atomic():
            return Capture.objects.create(
                url=result.final_url[:2000],
                requested_url=result.url[:2000],
                url_sha256=url_sha256,
                http_status=result.status,
                content_type=result.content_type[:200],
                title=result.title[:500],
                payload_sha256=payload_sha256,
                text=text,
                text_sha256=_sha256(text.encode("utf-8")),
                warc_name=stored,
                warc_sha256=_sha256(data),
                warc_size=len(data),
                is_truncated=result.truncated,
            )
    except IntegrityError:
        # Another worker archived the same content a moment ago: keep its file and row.
        with archive_storage_errors():
            storage.delete(stored)
        return Capture.objects.get(url_sha256=url_sha256, payload_sha256=payload_sha256)


def capture_or_none(*, result: fetch.FetchResult) -> Capture | None:
    """capture_store, or None (logged) when the storage fails: the check's result stands
    without its archived copy rather than failing with it."""
    if not result.exchanges:
        return None
    try:
        return capture_store(result=result)
    except OSError:
        logger.exception("could not archive %s", result.final_url)
        return None


def gone_capture_or_none(*, exc: fetch.FetchError, requested_url: str) -> Capture | None:
    """Archive a source's answer that it is gone (HTTP 404 or 410: its request and
    response records, no text) as the record that it vanished; None for any other
    failure, or (logged) when the storage fails. The page's own text is the copy before."""
    if exc.status not in fetch.GONE_STATUSES or not exc.exchanges:
        return None
    final = exc.exchanges[-1]
    content_type = next(
        (value for name, value in final.response_headers if name.lower() == "content-type"), ""
    )
    result = fetch.FetchResult(
        url=requested_url,
        final_url=final.url,
        status=final.status,
        content_type=content_type.split(";")[0].strip().lower(),
        charset=None,
        title="",
        text="",
        sha256="",
        truncated=final.truncated,
        redirects=tuple(exchange.url for exchange in exc.exchanges[1:]),
        exchanges=exc.exchanges,
    )
    return capture_or_none(result=result)


def capture_diff(old: Capture, new: Capture) -> textdiff.Diff:
    """What changed from the archived copy `old` to `new`: the diff stored, else computed
    (textdiff: fast and bounded) and stored. Two workers computing the same pair both
    write the same; the unique constraint keeps one row. Raises nothing of its own."""
    stored = CaptureDiff.objects.filter(old=old, new=new).values_list("diff", flat=True).first()
    diff = textdiff.Diff.from_json(stored) if stored is not None else None
    if diff is None:
        diff = textdiff.diff(old.text, new.text)
        CaptureDiff.objects.update_or_create(old=old, new=new, defaults={"diff": diff.as_json()})
    return diff
