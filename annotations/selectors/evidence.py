"""Evidence and source checks."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models import Prefetch, Q, QuerySet

from ..models import Annotation, Evidence, SourceCheck, Verdict

# Evidence sealed in a blind double review (policy.can_see_evidence), and the checks of
# its URL: shown to its author alone, left out of every shared list, feed and export.
UNSEALED = Q(is_sealed=False)
UNSEALED_CHECKS = Q(evidence__isnull=True) | Q(evidence__is_sealed=False)


def evidence_visible(viewer: Any = None) -> Q:
    """The evidence `viewer` may see: all but another reviewer's sealed evidence."""
    if viewer is not None and viewer.pk is not None:
        return UNSEALED | Q(added_by_id=viewer.pk)
    return UNSEALED


def checks_visible(viewer: Any = None) -> Q:
    """The source checks `viewer` may see: all but those of another's sealed evidence."""
    if viewer is not None and viewer.pk is not None:
        return UNSEALED_CHECKS | Q(evidence__added_by_id=viewer.pk)
    return UNSEALED_CHECKS


def latest_checks(annotation_ids: list[int]) -> dict[int, SourceCheck]:
    """The newest source check of each annotation, in one query (a sealed evidence's
    checks left out)."""
    if not annotation_ids:
        return {}
    if connection.vendor == "postgresql":
        rows = (
            SourceCheck.objects.filter(UNSEALED_CHECKS, annotation_id__in=annotation_ids)
            .order_by("annotation_id", "-requested_at", "-id")
            .distinct("annotation_id")
        )
        return {row.annotation_id: row for row in rows}
    result: dict[int, SourceCheck] = {}
    for row in SourceCheck.objects.filter(
        UNSEALED_CHECKS, annotation_id__in=annotation_ids
    ).order_by("annotation_id", "-requested_at", "-id"):
        result.setdefault(row.annotation_id, row)
    return result


def annotation_evidence(
    annotation_id: int,
    *,
    include_removed: bool = False,
    ids: list[int] | None = None,
    viewer: Any = None,
) -> QuerySet[Evidence]:
    """An annotation's evidence (live only, unless `include_removed`; only `ids` if given;
    another reviewer's sealed evidence never, `evidence_visible`), each with its checks
    newest first as `check_list`."""
    evidence = Evidence.objects.filter(
        evidence_visible(viewer), annotation_id=annotation_id
    ).select_related("added_by")
    if not include_removed:
        evidence = evidence.filter(removed_at__isnull=True)
    if ids is not None:
        evidence = evidence.filter(pk__in=ids)
    return evidence.prefetch_related(
        Prefetch(
            "checks",
            queryset=SourceCheck.objects.order_by("-requested_at", "-id"),
            to_attr="check_list",
        )
    ).order_by("created_at", "id")


def evidence_item(annotation_id: int, pk: int, *, viewer: Any = None) -> Evidence:
    """One piece of the annotation's evidence, with its checks (as annotation_evidence)."""
    return annotation_evidence(annotation_id, ids=[pk], viewer=viewer).get()


def latest_evidence_check(evidence: Evidence) -> SourceCheck | None:
    """The newest check of one piece of evidence: from its prefetched `check_list`
    (annotation_evidence) where loaded, else one query."""
    checks = getattr(evidence, "check_list", None)
    if checks is None:
        checks = list(evidence.checks.order_by("-requested_at", "-id")[:1])
    return checks[0] if checks else None


def annotation_checks(annotation_id: int, *, viewer: Any = None) -> QuerySet[SourceCheck]:
    return SourceCheck.objects.filter(checks_visible(viewer), annotation_id=annotation_id).order_by(
        "-requested_at", "-id"
    )


def evidence_behind(verdicts: list[Verdict]) -> dict[int, list[Evidence]]:
    """The evidence each verdict rests on, in one query: the live evidence of its
    annotation, whether it came with the verdict or was added before it (the approving
    chief saw all of it), oldest first."""
    by_annotation: dict[int, list[Evidence]] = {v.annotation_id: [] for v in verdicts}
    for item in Evidence.objects.filter(
        UNSEALED, annotation_id__in=list(by_annotation), removed_at__isnull=True
    ).order_by("id"):
        by_annotation[item.annotation_id].append(item)
    return {verdict.pk: by_annotation[verdict.annotation_id] for verdict in verdicts}


def evidence_with_annotation(pk: int) -> Evidence:
    return Evidence.objects.select_related("annotation").get(pk=pk)


def span_checks(
    annotation: Annotation, *, limit: int
) -> tuple[list[SourceCheck], list[SourceCheck]]:
    """The checks of the span itself (its attribution and URLs), not of evidence, as
    (current, earlier): the newest check of each attribution or URL, and up to `limit`
    older ones. Every text edit and re-run checks them again, so without this each would
    be listed once per revision. One query."""
    current: dict[tuple[str, str], SourceCheck] = {}
    earlier: list[SourceCheck] = []
    for check in annotation_checks(annotation.pk).filter(evidence__isnull=True)[: limit * 20]:
        target = (check.url, check.attribution)
        if target not in current:
            current[target] = check
        elif len(earlier) < limit:
            earlier.append(check)
    return list(current.values())[:limit], earlier


def source_check_detail(pk: int) -> SourceCheck:
    """One source check, as its API object shows it."""
    return SourceCheck.objects.get(pk=pk)
