"""Evidence behind a verdict: add, reuse, remove, and rechecks that flag changed sources."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import machine_text, policy, selectors, tasks
from ..models import (
    Annotation,
    Assignment,
    Capture,
    Change,
    Event,
    Evidence,
    SourceCheck,
    Verdict,
)
from . import archive
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


def _is_sealed_round_reviewer(annotation: Annotation, actor: User) -> bool:
    """Whether `actor` is a reviewer of the claim's blind double review while its round is
    sealed (the claim `assigned`): a pending assignment, or their sealed proposal in. The
    caller holds the annotation's lock."""
    if not annotation.double_review or annotation.status != Annotation.Status.ASSIGNED:
        return False
    return (
        Assignment.objects.filter(
            annotation=annotation, reviewer_id=actor.pk, state=Assignment.State.PENDING
        ).exists()
        or Verdict.objects.filter(
            annotation=annotation,
            author_id=actor.pk,
            is_sealed=True,
            status=Verdict.Status.PROPOSED,
        ).exists()
    )


def _evidence_create(
    *, actor: User, annotation: Annotation, item: EvidenceInput, verdict: Verdict | None = None
) -> Evidence:
    """One new evidence with its source check and event. A blind double review's reviewer
    adds it sealed while the round is: its event, like their sealed proposal's, names no URL
    (the reveal does, services.double_review.blind_proposal_record)."""
    is_sealed = _is_sealed_round_reviewer(annotation, actor)
    evidence = Evidence.objects.create(
        annotation=annotation,
        verdict=verdict,
        url=item.url,
        title=item.title[:500],
        note=item.note,
        added_by=actor,
        is_sealed=is_sealed,
    )
    _evidence_check(annotation=annotation, evidence=evidence, actor=actor)
    event_record(
        actor=actor,
        verb=Event.Verb.EVIDENCE_ADDED,
        annotation=annotation,
        data=(
            {"evidence": evidence.pk, "sealed": True}
            if is_sealed
            else {"evidence": evidence.pk, "url": evidence.url, "title": evidence.title}
        ),
    )
    return evidence


def _live_evidence(annotation: Annotation, actor: User) -> QuerySet[Evidence]:
    """The annotation's live evidence that `actor` sees: another reviewer's sealed evidence
    is neither found nor answered with, so it tells nothing of itself."""
    return Evidence.objects.filter(
        selectors.evidence_visible(actor), annotation=annotation, removed_at__isnull=True
    )


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
    per URL among what `actor` sees: the earlier one stands), each with its source check.
    Returns the new ones."""
    present = set(_live_evidence(annotation, actor).values_list("url", flat=True))
    added = []
    for item in items:
        if item.url in present:
            continue
        present.add(item.url)
        added.append(
            _evidence_create(actor=actor, annotation=annotation, item=item, verdict=verdict)
        )
    return added


def _evidence_unseal(annotation: Annotation) -> list[dict[str, Any]]:
    """At a blind double review's reveal: the evidence its reviewers added unseen shows to
    everybody. One evidence per URL: a URL already live keeps that evidence, a URL both
    cited keeps the earlier; the other is removed (`same_as` in the event), its row kept.
    Their checks are logged anew so the change feed, which left them out while sealed,
    sends them now. Returns what the reveal's event names. Locks the sealed rows; the
    caller holds the annotation's lock."""
    sealed = list(
        Evidence.objects.select_for_update(of=("self",))
        .filter(annotation=annotation, is_sealed=True, removed_at__isnull=True)
        .select_related("added_by")
        .order_by("id")
    )
    if not sealed:
        return []
    present = dict(
        Evidence.objects.filter(
            annotation=annotation, is_sealed=False, removed_at__isnull=True
        ).values_list("url", "pk")
    )
    now = timezone.now()
    named = []
    for item in sealed:
        entry = {"evidence": item.pk, "author": item.added_by.username, "url": item.url}
        if item.url in present:
            item.removed_at = now
            entry["same_as"] = present[item.url]
        else:
            present[item.url] = item.pk
            entry["title"] = item.title
        item.is_sealed = False
        named.append(entry)
    Evidence.objects.bulk_update(sealed, ["is_sealed", "removed_at"])
    # The check rows themselves do not change, so no trigger logs them (change_triggers).
    Change.objects.bulk_create(
        Change(kind=Change.Kind.SOURCE_CHECK, object_id=pk, annotation_pk=annotation.pk)
        for pk in SourceCheck.objects.filter(evidence__in=sealed).values_list("pk", flat=True)
    )
    return named


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
        existing = _live_evidence(annotation, actor).filter(url=item.url).first()
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
            # A blind reviewer's reuse names no source while the round is sealed.
            data=(
                {"added": len(added), "sealed": True}
                if _is_sealed_round_reviewer(annotation, actor)
                else {
                    "verdict": verdict.pk,
                    "from_annotation": verdict.annotation_id,
                    "added": len(added),
                }
            ),
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
        if not policy.can_see_evidence(actor, evidence):
            # Another blind reviewer's sealed evidence does not exist for the actor.
            raise Evidence.DoesNotExist
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
            data=(
                {"evidence": evidence.pk, "sealed": True}
                if evidence.is_sealed
                else {"evidence": evidence.pk, "url": evidence.url}
            ),
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


def _previous_check(check: SourceCheck) -> SourceCheck | None:
    """The evidence's newest successful check before `check`, with its capture."""
    return (
        SourceCheck.objects.filter(
            evidence_id=check.evidence_id, status=SourceCheck.Status.DONE, finished_at__isnull=False
        )
        .select_related("capture")
        .exclude(pk=check.pk)
        .order_by("-finished_at", "-pk")
        .first()
    )


def evidence_diff_prepare(check: SourceCheck, capture: Capture | None) -> None:
    """Store what changed from the evidence's previous archived copy to `capture`, before
    the check's result is saved: the diff is then read, not computed, inside the
    transaction that saves it (_flag_evidence_health), and by the review page."""
    if capture is None or not check.evidence_id:
        return
    previous = _previous_check(check)
    if (
        previous is not None
        and previous.capture_id
        and previous.capture_id != capture.pk
        and previous.capture.text_sha256 != capture.text_sha256
    ):
        archive.capture_diff(previous.capture, capture)


def _flag_evidence_health(check: SourceCheck) -> None:
    """Compare with the evidence's previous successful check: flag `changed` (the text's
    hash differs) or `unreachable` (it answered before and does not now). Flags write an
    Event and, behind an approved verdict, email the chiefs."""
    previous = _previous_check(check)
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
            # Stored before the transaction (evidence_diff_prepare), so read here.
            changes = archive.capture_diff(previous.capture, check.capture).summary
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
