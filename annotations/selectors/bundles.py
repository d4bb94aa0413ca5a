"""What a verdict's evidence bundle holds, gathered as plain values: the verdict, its claim
and article, the evidence with its archived captures (and their WARC files), and the
verdict's history events in order."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from .. import bundle
from ..models import Capture, Event, Evidence, SourceCheck, Verdict
from .archive import capture_referent, capture_warc
from .verdicts import approved_claim_verdicts


class ArchiveDamaged(Exception):
    """A stored WARC file is not the file its capture recorded (its SHA-256 differs)."""


def _when(value: datetime | None) -> str | None:
    """UTC with microseconds and a Z: one width, so the strings sort as the times do."""
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _username(user: Any) -> str | None:
    return user.get_username() if user is not None else None


def verdict_for_bundle(pk: int) -> Verdict:
    """One verdict with its rating, people, claim and article. Raises Verdict.DoesNotExist."""
    return Verdict.objects.select_related(
        "rating",
        "author",
        "decided_by",
        "annotation__label",
        "annotation__article",
        "annotation__claimant",
    ).get(pk=pk)


def public_verdict_ids(verdict: Verdict) -> set[int]:
    """The verdicts the public report of the verdict's article shows, whatever the article's
    state: the caller asks policy."""
    return {shown.pk for shown in approved_claim_verdicts(verdict.annotation.article)}


# Who a bundle is for (the manifest's `audience`). The desk's bundle is whole. The
# public's shows what the public report shows and no more: no evidence notes, nobody's
# login, no chief's decision note, nothing of a double review's other verdict; people are
# named as the report names them, by the desk's name ("Checked by …").
AUDIENCE_DESK = "desk"
AUDIENCE_PUBLIC = "public"

# The keys of a verdict's events that the public bundle keeps: the verdict's own words,
# rating and text pins, as the report shows them (a decision's note, a double review's
# other verdict and the evidence its reviewers added are left out).
_PUBLIC_EVENT_KEYS = {
    "verdict",
    "rating",
    "rationale",
    "quote",
    "revision",
    "corrects",
    "old_quote",
    "new_quote",
    "old_rating",
    "new_rating",
    "approved",
    "final",
    "was",
    "old",
    "new",
}


class _People:
    """Names people in a bundle: by login for the desk, by the desk's name for the public."""

    def __init__(self, audience: str, desk: dict[str, Any]) -> None:
        self.is_public = audience == AUDIENCE_PUBLIC
        self.desk_name = desk.get("name") or None

    def __call__(self, user: Any) -> str | None:
        if user is None:
            return None
        return self.desk_name if self.is_public else _username(user)


def _public_event_data(data: Any, verdict_id: int) -> Any:
    """An event's data as the public bundle holds it (_PUBLIC_EVENT_KEYS); a double
    review's reveal names this verdict alone, without its author."""
    if not isinstance(data, dict):
        return data
    kept = {key: value for key, value in data.items() if key in _PUBLIC_EVENT_KEYS}
    if isinstance(data.get("evidence"), int):
        kept["evidence"] = data["evidence"]  # how many came with the proposal
    if isinstance(data.get("verdicts"), list):
        kept["verdicts"] = [
            {"verdict": item.get("verdict"), "rating": item.get("rating")}
            for item in data["verdicts"]
            if isinstance(item, dict) and item.get("verdict") == verdict_id
        ]
    # This verdict once not chosen, then back for a decision when the chief's final verdict
    # was rejected (services.double_review): said without naming the other verdicts.
    mine = [pk for pk in data.get("not_chosen") or [] if pk == verdict_id]
    if mine:
        kept["not_chosen"] = mine
    if data.get("final_rejected"):
        kept["final_rejected"] = True
    return kept


def _verdict_record(verdict: Verdict, people: _People) -> dict[str, Any]:
    approved = verdict.decided_at is not None and verdict.status in (
        Verdict.Status.APPROVED,
        Verdict.Status.SET_ASIDE,
    )
    rejected = verdict.status == Verdict.Status.REJECTED
    record = {
        "id": verdict.pk,
        "status": verdict.status,
        "rating": verdict.rating.slug,
        "rating_name": verdict.rating.name,
        "rating_value": verdict.rating.claimreview_value,
        "rationale": verdict.rationale,
        "decision_note": verdict.decision_note,
        "proposed_by": people(verdict.author),
        "proposed_at": _when(verdict.created_at),
        "approved_by": people(verdict.decided_by) if approved else None,
        "approved_at": _when(verdict.decided_at) if approved else None,
        "rejected_by": people(verdict.decided_by) if rejected else None,
        "rejected_at": _when(verdict.decided_at) if rejected else None,
        "quote": verdict.quote,
        "article_revision": verdict.article_revision,
        "approved_quote": verdict.approved_quote,
        "approved_revision": verdict.approved_revision,
        "set_aside_at": _when(verdict.set_aside_at),
        "supersedes": verdict.supersedes_id,
    }
    if people.is_public:
        del record["decision_note"]
    return record


def _claim_record(verdict: Verdict, report_url: str) -> dict[str, Any]:
    annotation = verdict.annotation
    article = annotation.article
    claimant = annotation.claimant
    return {
        "annotation": annotation.pk,
        "label": annotation.label.slug,
        "start": annotation.start,
        "end": annotation.end,
        "text": annotation.exact,
        # Who made the claim, as the report names them.
        "claimant": {"name": claimant.name, "kind": claimant.kind} if claimant else None,
        "article": {
            "id": article.pk,
            "title": article.title,
            "source_url": article.source_url,
            "outlet": article.outlet,
            "language": article.language,
            "revision": article.revision,
            "status": article.status,
            "report_url": report_url,
        },
    }


def event_record(
    event: Event, *, people: _People | None = None, verdict_id: int | None = None
) -> dict[str, Any]:
    """An audit event as the bundle hashes it: whole for the desk; for the public, named
    and cut as the public bundle is (_public_event_data)."""
    if people is None or not people.is_public:
        return {
            "id": event.pk,
            "verb": event.verb,
            "actor": _username(event.actor),
            "created_at": _when(event.created_at),
            "article": event.article_id,
            "annotation": event.annotation_id,
            "data": event.data,
        }
    return {
        "id": event.pk,
        "verb": event.verb,
        "actor": people(event.actor),
        "created_at": _when(event.created_at),
        "article": event.article_id,
        "annotation": event.annotation_id,
        "data": _public_event_data(event.data, verdict_id),
    }


def verdict_events(verdict: Verdict) -> list[Event]:
    """The verdict's history, oldest first: the events of its claim that name it
    (bundle.names_verdict: proposed, approved, rejected, set aside, the correction it made,
    a double review's reveal and decision). A claim has tens of events, read in one query
    and picked here: the keys that name a verdict differ by verb, and lists among them
    would need JSON containment, which SQLite lacks."""
    events = (
        Event.objects.filter(annotation_id=verdict.annotation_id)
        .select_related("actor")
        .order_by("created_at", "id")
    )
    return [event for event in events if bundle.names_verdict(event.data, verdict.pk)]


def verdict_evidence(verdict: Verdict) -> list[Evidence]:
    """The evidence the verdict rests on, as its report shows it: the claim's live evidence,
    added before the decision where there was one."""
    evidence = Evidence.objects.filter(
        annotation_id=verdict.annotation_id, removed_at__isnull=True, is_sealed=False
    ).select_related("added_by")
    if verdict.decided_at is not None:
        evidence = evidence.filter(created_at__lte=verdict.decided_at)
    return list(evidence.order_by("id"))


def _file_name(capture: Capture) -> str:
    suffix = ".warc.gz" if capture.warc_name.endswith(".gz") else ".warc"
    return f"{bundle.WARC_FOLDER}capture-{capture.pk}{suffix}"


def _capture_record(
    capture: Capture, check: SourceCheck, *, is_at_approval: bool, is_newest: bool
) -> dict[str, Any]:
    return {
        "capture": capture.pk,
        "file": _file_name(capture),
        "url": capture.url,
        "requested_url": capture.requested_url,
        "captured_at": _when(capture.captured_at),
        "http_status": capture.http_status,
        "content_type": capture.content_type,
        "title": capture.title,
        "payload_sha256": capture.payload_sha256,
        "text_sha256": capture.text_sha256,
        "warc_sha256": capture.warc_sha256,
        "is_truncated": capture.is_truncated,
        "first_checked_at": _when(check.finished_at),
        "quote_found": check.quote_found,
        "quote_score": check.quote_score,
        "is_at_approval": is_at_approval,
        "is_newest": is_newest,
    }


def _add_file(files: dict[int, bundle.BundleFile], capture: Capture) -> None:
    """Read the capture's file into `files` once, checked against its recorded SHA-256."""
    if capture.pk in files:
        return
    data = capture_warc(capture)
    if hashlib.sha256(data).hexdigest() != capture.warc_sha256:
        raise ArchiveDamaged(capture.pk)
    files[capture.pk] = bundle.BundleFile(name=_file_name(capture), data=data)


def verdict_bundle_source(
    verdict: Verdict, *, report_url: str, desk: dict[str, Any], audience: str = AUDIENCE_DESK
) -> bundle.BundleSource:
    """Everything the verdict's bundle holds, the WARC files read from the archive storage;
    for the public `audience` only what the public report shows (AUDIENCE_PUBLIC).

    Each evidence lists two of the captures its checks archived, oldest first: the one the
    approving chief could see (`is_at_approval`: the newest taken by then, else the first
    taken after) and the newest (`is_newest`), one capture when they are the same;
    `captures_archived` counts them all. A capture whose response is a revisit record
    (the same body as a capture of another URL) names that capture in `refers_to`, and
    the bundle holds its file too. Raises OSError when a file cannot be read, and
    ArchiveDamaged when a file is not the one its capture recorded (or a revisit refers to
    a capture that is not archived). Four queries plus one read per file and one query per
    revisit."""
    people = _People(audience, desk)
    evidence = verdict_evidence(verdict)
    checks = (
        SourceCheck.objects.filter(
            evidence_id__in=[item.pk for item in evidence], capture__isnull=False
        )
        .select_related("capture")
        .order_by("finished_at", "id")
    )
    by_evidence: dict[int, list[SourceCheck]] = {}
    for check in checks:
        by_evidence.setdefault(check.evidence_id, []).append(check)
    files: dict[int, bundle.BundleFile] = {}
    referents: dict[int, Capture | None] = {}
    evidence_records = []
    for item in evidence:
        first_checks: dict[int, SourceCheck] = {}
        for check in by_evidence.get(item.pk, []):
            first_checks.setdefault(check.capture_id, check)
        taken = list(first_checks.values())
        before = [
            check
            for check in taken
            if verdict.decided_at is None or check.finished_at <= verdict.decided_at
        ]
        at_approval = before[-1] if before else (taken[0] if taken else None)
        newest = taken[-1] if taken else None
        # The copy the chief judged and the newest one: a page that changes on every fetch
        # has a capture per daily re-check, and a year of them would not fit in one answer.
        included = [check for check in taken if check is at_approval or check is newest]
        captures = []
        for check in included:
            capture = check.capture
            _add_file(files, capture)
            record = _capture_record(
                capture, check, is_at_approval=check is at_approval, is_newest=check is newest
            )
            # A revisit record's body is in the file it refers to: the bundle holds both.
            if capture.pk not in referents:
                try:
                    referents[capture.pk] = capture_referent(capture, files[capture.pk].data)
                except ValueError:
                    raise ArchiveDamaged(capture.pk) from None
            if (referent := referents[capture.pk]) is not None:
                _add_file(files, referent)
                record["refers_to"] = {
                    "capture": referent.pk,
                    "file": _file_name(referent),
                    "url": referent.url,
                }
            captures.append(record)
        record = {
            "id": item.pk,
            "url": item.url,
            "title": item.title,
            "note": item.note,
            "added_by": _username(item.added_by),
            "added_at": _when(item.created_at),
            "captures": captures,
            "captures_archived": len(taken),
        }
        if people.is_public:
            del record["note"], record["added_by"]
        evidence_records.append(record)
    return bundle.BundleSource(
        verdict_id=verdict.pk,
        claim=_claim_record(verdict, report_url),
        span_text=verdict.approved_quote or verdict.quote,
        verdict=_verdict_record(verdict, people),
        evidence=evidence_records,
        events=[
            event_record(event, people=people, verdict_id=verdict.pk)
            for event in verdict_events(verdict)
        ],
        files=list(files.values()),
        desk=desk,
        audience=audience,
    )
