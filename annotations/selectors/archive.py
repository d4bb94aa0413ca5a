"""The archived copies of evidence: which captures each piece of evidence has, and their files."""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from django.core.files.storage import storages

from .. import warc
from ..models import Capture, CaptureDiff, Evidence, SourceCheck, Verdict
from .verdicts import approved_claim_verdicts


def evidence_archive_checks(evidence_ids: list[int]) -> dict[int, list[SourceCheck]]:
    """Each evidence's checks, newest first, each with its `capture` (None when the fetch
    archived nothing). Two queries; a capture many checks share is loaded once."""
    checks = list(
        SourceCheck.objects.filter(evidence_id__in=evidence_ids)
        .exclude(status__in=[SourceCheck.Status.PENDING, SourceCheck.Status.RUNNING])
        .order_by("evidence_id", "-finished_at", "-id")
    )
    capture_ids = {check.capture_id for check in checks if check.capture_id}
    captures = {c.pk: c for c in Capture.objects.filter(pk__in=capture_ids)}
    by_evidence: dict[int, list[SourceCheck]] = {pk: [] for pk in evidence_ids}
    for check in checks:
        check.capture = captures.get(check.capture_id) if check.capture_id else None
        by_evidence[check.evidence_id].append(check)
    return by_evidence


def capture_diffs(pairs: set[tuple[int, int]]) -> dict[tuple[int, int], Any]:
    """The stored diffs (models.CaptureDiff, as JSON) of these (old, new) capture pairs.
    One query, none without pairs."""
    if not pairs:
        return {}
    rows = CaptureDiff.objects.filter(new_id__in={new for _, new in pairs}).values_list(
        "old_id", "new_id", "diff"
    )
    return {(old, new): diff for old, new, diff in rows if (old, new) in pairs}


def verdict_moment(annotation_id: int) -> tuple[str, datetime.datetime] | None:
    """When the annotation's verdict was settled, for the copy of its sources it stood on:
    ("approved", when) for its newest approved verdict, else ("proposed", when) for an
    open proposal (not a sealed blind one); None without either. One or two queries."""
    approved = (
        Verdict.objects.filter(annotation_id=annotation_id, status=Verdict.Status.APPROVED)
        .exclude(decided_at__isnull=True)
        .order_by("-decided_at", "-id")
        .values_list("decided_at", flat=True)
        .first()
    )
    if approved is not None:
        return ("approved", approved)
    proposed = (
        Verdict.objects.filter(
            annotation_id=annotation_id, status=Verdict.Status.PROPOSED, is_sealed=False
        )
        .order_by("-created_at", "-id")
        .values_list("created_at", flat=True)
        .first()
    )
    return ("proposed", proposed) if proposed is not None else None


def evidence_for_archive(pk: int) -> Evidence:
    """One piece of evidence with its annotation and article (for the archived copy)."""
    return Evidence.objects.select_related("annotation__article", "annotation__label").get(pk=pk)


def evidence_capture_check(evidence_id: int, capture_id: int | None) -> SourceCheck:
    """The newest check of the evidence that archived `capture_id` (or, without one, its
    newest check that archived anything), with its capture. Raises SourceCheck.DoesNotExist."""
    checks = SourceCheck.objects.filter(evidence_id=evidence_id, capture__isnull=False)
    if capture_id is not None:
        checks = checks.filter(capture_id=capture_id)
    else:
        # The newest copy of the page, not the archived answer that it is gone.
        checks = checks.filter(capture__http_status__lt=400)
    check = checks.select_related("capture").order_by("-finished_at", "-id").first()
    if check is None:
        raise SourceCheck.DoesNotExist
    return check


def public_evidence_ids(evidence: Evidence) -> set[int]:
    """The evidence the public report of the evidence's article shows (the sources of its
    verdicts as approved), whatever the article's state: the caller asks policy."""
    return {
        item.pk
        for verdict in approved_claim_verdicts(evidence.annotation.article)
        for item in verdict.shown_evidence
    }


def approval_captures(verdicts: list[Verdict]) -> None:
    """Set `archived_capture_id` on each of the verdicts' `shown_evidence`: the capture
    the chief could see when approving (the newest taken by then), else the first one
    taken after; None when nothing was archived. One query."""
    evidence = [item for verdict in verdicts for item in verdict.shown_evidence]
    rows = (
        SourceCheck.objects.filter(
            evidence_id__in=[item.pk for item in evidence],
            capture__isnull=False,
            capture__http_status__lt=400,  # a copy of the page, not the record it is gone
        )
        .order_by("finished_at", "id")
        .values_list("evidence_id", "capture_id", "finished_at")
    )
    by_evidence: dict[int, list[tuple[int, object]]] = {}
    for evidence_id, capture_id, finished_at in rows:
        by_evidence.setdefault(evidence_id, []).append((capture_id, finished_at))
    for verdict in verdicts:
        for item in verdict.shown_evidence:
            taken = by_evidence.get(item.pk, [])
            before = [
                c for c, at in taken if verdict.decided_at is None or at <= verdict.decided_at
            ]
            item.archived_capture_id = before[-1] if before else (taken[0][0] if taken else None)


@contextmanager
def archive_storage_errors() -> Iterator[None]:
    """The S3 storage's failures raised as OSError, as the filesystem's are, for callers
    that catch OSError alone: botocore's ClientError (AccessDenied, NoSuchBucket) and
    BotoCoreError (an endpoint that does not answer) are not OSErrors."""
    try:
        yield
    except (BotoCoreError, ClientError) as error:
        raise OSError(f"the archive storage failed: {error}") from error


def capture_warc(capture: Capture) -> bytes:
    """The capture's WARC file as stored. Raises OSError when the storage cannot be read."""
    with archive_storage_errors(), storages["archive"].open(capture.warc_name, "rb") as file:
        return file.read()


REVISIT_MARK = "-revisit"  # in the name of a file whose last response is a revisit record


def revisit_original(payload_sha256: str) -> Capture | None:
    """The capture a new revisit record of this body refers to: the earliest one holding
    it in full (its file not a revisit). One query."""
    return (
        Capture.objects.filter(payload_sha256=payload_sha256)
        .exclude(warc_name__contains=REVISIT_MARK)
        .order_by("captured_at", "id")
        .first()
    )


def capture_referent(capture: Capture, data: bytes) -> Capture | None:
    """The capture holding the body of `capture`'s file `data` when its last response is a
    revisit record (the one of the URL it names with the same payload hash: the unique
    key, so exactly one); None when the file holds its body. Raises ValueError when that
    capture is not in the database."""
    target = warc.revisit_target(data)
    if target is None:
        return None
    url_sha256 = hashlib.sha256(target.encode("utf-8")).hexdigest()
    referent = (
        Capture.objects.filter(url_sha256=url_sha256, payload_sha256=capture.payload_sha256)
        .exclude(pk=capture.pk)
        .first()
    )
    if referent is None:
        raise ValueError(f"capture {capture.pk} refers to a capture that is not archived")
    return referent


def capture_response(capture: Capture) -> warc.ArchivedResponse:
    """The capture's last response with its body, read from the file the revisit record
    refers to when its own holds none. Raises OSError when the storage cannot be read and
    ValueError when a file is not a readable WARC file."""
    data = capture_warc(capture)
    referent = capture_referent(capture, data)
    return warc.read_response(data, referred=capture_warc(referent) if referent else None)
