"""Evidence behind a verdict: add, reuse, remove, and rechecks that flag changed sources."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import machine_text, policy, selectors, tasks, textdiff
from ..models import (
    Annotation,
    Event,
    Evidence,
    SourceCheck,
    Verdict,
)
from .base import (
    Conflict,
    Invalid,
    User,
    annotation_lock,
    article_allows,
    event_record,
    require_allowed,
    status_name,
    url_checked,
)
from .jobs import enqueue


@dataclass(frozen=True)
class EvidenceInput:
    url: str
    title: str = ""
    note: str = ""


def _evidence_create(
    *, actor: User, annotation: Annotation, item: EvidenceInput, verdict: Verdict | None = None
) -> Evidence:
    evidence = Evidence.objects.create(
        annotation=annotation,
        verdict=verdict,
        url=item.url,
        title=item.title[:500],
        note=item.note,
        added_by=actor,
    )
    _evidence_check(annotation=annotation, evidence=evidence, actor=actor)
    event_record(
        actor=actor,
        verb=Event.Verb.EVIDENCE_ADDED,
        annotation=annotation,
        data={"evidence": evidence.pk, "url": evidence.url, "title": evidence.title},
    )
    return evidence


def _evidence_check(
    *, annotation: Annotation, evidence: Evidence, actor: User | None
) -> SourceCheck:
    """A new check of the evidence's URL against the article's current revision, its job
    in the outbox (`actor` None for the scheduled recheck)."""
    check = SourceCheck.objects.create(
        annotation=annotation,
        evidence=evidence,
        url=evidence.url,
        article_revision=annotation.article.revision,
        requested_by=actor,
    )
    enqueue(tasks.source_check_run, check.pk)
    return check


def _evidence_add_new(
    *,
    actor: User,
    annotation: Annotation,
    items: Iterable[EvidenceInput],
    verdict: Verdict | None = None,
) -> list[Evidence]:
    """Add each item whose URL the annotation has no live evidence for yet (one evidence
    per URL: the earlier one stands), each with its source check. Returns the new ones."""
    present = set(
        Evidence.objects.filter(annotation=annotation, removed_at__isnull=True).values_list(
            "url", flat=True
        )
    )
    added = []
    for item in items:
        if item.url in present:
            continue
        present.add(item.url)
        added.append(
            _evidence_create(actor=actor, annotation=annotation, item=item, verdict=verdict)
        )
    return added


def evidence_add(
    *, actor: User, annotation_id: int, url: str, title: str = "", note: str = ""
) -> Evidence:
    """Add evidence; its URL gets a source check in the same transaction. A URL the
    annotation already has returns that evidence (`is_existing` set) and adds nothing.

    Locks the annotation. Raises Forbidden, Invalid (not an http(s) URL), Conflict
    (withdrawn, approved, or the article's state).
    """
    item = EvidenceInput(url=url_checked(url), title=title or "", note=note or "")
    with transaction.atomic():
        annotation = _annotation_for_evidence(actor, annotation_id)
        existing = Evidence.objects.filter(
            annotation=annotation, url=item.url, removed_at__isnull=True
        ).first()
        if existing is not None:
            # A double click, or the same source twice: one evidence, one check.
            existing.is_existing = True
            return existing
        return _evidence_create(actor=actor, annotation=annotation, item=item)


def _annotation_for_evidence(actor: User, annotation_id: int) -> Annotation:
    """The annotation, locked, once the actor may add evidence to it in its state."""
    annotation = annotation_lock(annotation_id)
    require_allowed(actor, "evidence.add", annotation)
    _evidence_may_change(annotation, actor)
    return annotation


def _evidence_may_change(annotation: Annotation, actor: User = None) -> None:
    """Evidence is frozen once the verdict it supports is approved: the published report
    shows what the chief approved, and nobody changes it afterwards."""
    article_allows(actor, annotation.article, policy.Act.REVIEW)
    if annotation.status == Annotation.Status.WITHDRAWN:
        raise Conflict(_("the annotation is withdrawn"))
    if annotation.status == Annotation.Status.APPROVED:
        raise Conflict(_("the verdict is approved; its evidence can no longer change"))


def evidence_reuse(*, actor: User, annotation_id: int, verdict_id: int) -> list[Evidence]:
    """Copy the evidence an approved verdict rests on (`selectors.evidence_behind`) onto
    this annotation, as new evidence added by `actor`, each with its source check. URLs the
    annotation already has are skipped. Returns the new items (possibly none).

    Locks the annotation, so two reuses at once cannot add a URL twice. Raises Forbidden
    (may not add evidence here), Conflict (withdrawn), Invalid (the verdict is not
    approved, or belongs to this annotation), Verdict.DoesNotExist.
    """
    with transaction.atomic():
        annotation = _annotation_for_evidence(actor, annotation_id)
        verdict = Verdict.objects.get(pk=verdict_id)
        if verdict.status != Verdict.Status.APPROVED:
            raise Invalid(
                _("the verdict is %(status)s; only approved verdicts lend their evidence")
                % {"status": status_name(verdict.status, Verdict.Status)},
                field="verdict",
            )
        if verdict.annotation_id == annotation.pk:
            raise Invalid(_("the verdict is this annotation's own"), field="verdict")
        sources = selectors.evidence_behind([verdict])[verdict.pk]
        added = _evidence_add_new(
            actor=actor,
            annotation=annotation,
            items=[EvidenceInput(url=s.url, title=s.title, note=s.note) for s in sources],
        )
        event_record(
            actor=actor,
            verb=Event.Verb.EVIDENCE_REUSED,
            annotation=annotation,
            data={
                "verdict": verdict.pk,
                "from_annotation": verdict.annotation_id,
                "added": len(added),
            },
        )
    return added


def evidence_remove(*, actor: User, evidence_id: int) -> Evidence:
    """Hide evidence (removed_at); the row and its checks stay for the audit trail.

    Locks the evidence row. Raises Forbidden, Conflict (already removed, the verdict
    approved, or the article's state).
    """
    with transaction.atomic():
        evidence = (
            Evidence.objects.select_for_update(of=("self",))
            .select_related("annotation__article")
            .get(pk=evidence_id)
        )
        require_allowed(actor, "evidence.remove", evidence.annotation)
        _evidence_may_change(evidence.annotation, actor)
        if evidence.removed_at is not None:
            raise Conflict(_("the evidence is already removed"))
        evidence.removed_at = timezone.now()
        evidence.removed_by = actor
        evidence.save(update_fields=["removed_at", "removed_by"])
        event_record(
            actor=actor,
            verb=Event.Verb.EVIDENCE_REMOVED,
            annotation=evidence.annotation,
            data={"evidence": evidence.pk, "url": evidence.url},
        )
    return evidence


def evidence_recheck() -> int:
    """Queue a fresh check of each live evidence URL behind an approved verdict; each check
    is compared with the one before and flags `changed` or `unreachable`.

    Evidence that still has an unfinished check is skipped, so a stopped worker does not
    pile up checks day after day. Takes no lock (it only adds check rows) and raises
    nothing of its own. Returns the number of checks queued.
    """
    evidence = (
        Evidence.objects.filter(
            removed_at__isnull=True, annotation__status=Annotation.Status.APPROVED
        )
        .exclude(checks__status__in=[SourceCheck.Status.PENDING, SourceCheck.Status.RUNNING])
        .select_related("annotation__article")
        .distinct()
    )
    created = []
    with transaction.atomic():
        for item in evidence.iterator(chunk_size=500):
            check = _evidence_check(annotation=item.annotation, evidence=item, actor=None)
            created.append(check.pk)
        event_record(
            actor=None, verb=Event.Verb.EVIDENCE_RECHECK_REQUESTED, data={"checks": created}
        )
    return len(created)


def _text_changed(previous: SourceCheck, check: SourceCheck) -> bool:
    """Whether the source's text differs from the previous check's: by the archived texts
    where both were archived, else by the hashes the checks kept."""
    if previous.capture_id and check.capture_id:
        return previous.capture.text_sha256 != check.capture.text_sha256
    return bool(previous.sha256 and check.sha256 and previous.sha256 != check.sha256)


def _flag_evidence_health(check: SourceCheck) -> None:
    """Compare with the evidence's previous successful check: flag `changed` (the text's
    hash differs) or `unreachable` (it answered before and does not now). Flags write an
    Event and, behind an approved verdict, email the chiefs."""
    previous = (
        SourceCheck.objects.filter(
            evidence_id=check.evidence_id, status=SourceCheck.Status.DONE, finished_at__isnull=False
        )
        .select_related("capture")
        .exclude(pk=check.pk)
        .order_by("-finished_at", "-pk")
        .first()
    )
    if previous is None:
        return
    checked_on = f"{timezone.localtime(previous.finished_at):%Y-%m-%d}"
    flags = list(check.flags or [])
    if check.status in (SourceCheck.Status.FAILED, SourceCheck.Status.BLOCKED):
        flags.append(
            {
                "code": "unreachable",
                "cue": check.error,
                "message": "unreachable",
                "params": {
                    "date": checked_on,
                    "error": machine_text.stored(check.error_code, check.error_params, check.error),
                },
            }
        )
    elif _text_changed(previous, check):
        params: dict[str, Any] = {"date": checked_on}
        if previous.capture_id and check.capture_id:
            # Compared with the archived text, so the flag says how much moved.
            changes = textdiff.summary(
                textdiff.line_diff(previous.capture.text, check.capture.text)
            )
            params |= {
                "added": changes.added,
                "removed": changes.removed,
                "edited": changes.changed,
                "previous_capture": previous.capture_id,
            }
        flags.append({"code": "changed", "cue": "sha256", "message": "changed", "params": params})
    else:
        return
    SourceCheck.objects.filter(pk=check.pk).update(flags=flags)
    check.flags = flags
    event_record(
        actor=None,
        verb=Event.Verb.EVIDENCE_HEALTH,
        annotation=check.annotation,
        data={
            "evidence": check.evidence_id,
            "check": check.pk,
            "previous_check": previous.pk,
            "flags": [f["code"] for f in flags],
        },
    )
    if check.annotation.status == Annotation.Status.APPROVED:
        enqueue(tasks.notify, "evidence_health", check.pk)
