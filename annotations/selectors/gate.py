"""The publish gate: what stands between an article and publishing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from .. import machine_text
from ..models import Annotation, Article, SourceCheck


@dataclass(frozen=True)
class PublishGate:
    """What stands between an article and publishing (`GET …/publish-gate/`).

    `blockers` stop publishing (claims without an approved verdict may be confirmed with
    `with_open_claims`); each of the `warnings` must be acknowledged by a chief, by `key`.
    `ready` is true when there is neither."""

    blockers: list[dict[str, Any]]
    warnings: list[dict[str, Any]]

    @property
    def ready(self) -> bool:
        return not self.blockers and not self.warnings

    @property
    def open_claims(self) -> int:
        return sum(1 for b in self.blockers if b["code"] == "claim_without_verdict")

    def as_dict(self) -> dict[str, Any]:
        return {"ready": self.ready, "blockers": self.blockers, "warnings": self.warnings}


# Source-span flags that a desk must see before it publishes.
GATE_SOURCE_FLAGS = ("vague", "anonymous")
_UNSETTLED_CHECK = (SourceCheck.Status.PENDING, SourceCheck.Status.RUNNING)


def publish_gate(article: Article) -> PublishGate:
    """The gate of one article in three queries: its live claims and source spans, the
    latest check of each evidence behind an approved verdict, and the latest attribution
    check of each source span."""
    blockers: list[dict[str, Any]] = []
    warnings: list[dict[str, Any]] = []
    if article.status not in (
        Article.Status.DRAFT,
        Article.Status.IN_REVIEW,
        Article.Status.PUBLISHED,
    ):
        blockers.append(
            {
                "code": "state",
                "message": _("the article is %(status)s and cannot be published")
                % {"status": Article.Status(article.status).label},
            }
        )
    spans = list(
        Annotation.objects.filter(article=article)
        .exclude(status=Annotation.Status.WITHDRAWN)
        .filter(Q(label__needs_verdict=True) | Q(label__slug="source"))
        .values("pk", "exact", "status", "label__needs_verdict", "label__slug")
        .order_by("start", "end", "pk")
    )
    approved = {s["pk"] for s in spans if s["status"] == Annotation.Status.APPROVED}
    for span in spans:
        if span["label__needs_verdict"] and span["status"] != Annotation.Status.APPROVED:
            blockers.append(
                {
                    "code": "claim_without_verdict",
                    "annotation": span["pk"],
                    "exact": span["exact"][:200],
                    "status": span["status"],
                    "message": _("the claim “%(exact)s” has no approved verdict")
                    % {"exact": _short(span["exact"])},
                }
            )
    exact_of = {s["pk"]: s["exact"] for s in spans}
    latest_per_evidence: dict[int, SourceCheck] = {}
    for check in (
        SourceCheck.objects.filter(
            annotation_id__in=approved, evidence__isnull=False, evidence__removed_at__isnull=True
        )
        .only(
            "pk",
            "annotation_id",
            "evidence_id",
            "url",
            "status",
            "flags",
            "error",
            "error_code",
            "error_params",
        )
        .order_by("evidence_id", "-id")
    ):
        latest_per_evidence.setdefault(check.evidence_id, check)
    for check in latest_per_evidence.values():
        codes = {flag.get("code") for flag in check.flags or []}
        if check.status in _UNSETTLED_CHECK:
            continue
        if check.status in (SourceCheck.Status.FAILED, SourceCheck.Status.BLOCKED):
            code = f"evidence_{check.status}"
        elif codes & {"changed", "unreachable"}:
            code = "evidence_changed" if "changed" in codes else "evidence_unreachable"
        else:
            continue
        warnings.append(
            _warning(
                f"check:{check.pk}",
                code,
                check,
                exact_of,
                url=check.url,
                error=machine_text.check_error(check),
            )
        )
    sources = [s["pk"] for s in spans if s["label__slug"] == "source"]
    latest_per_span: dict[int, SourceCheck] = {}
    for check in (
        SourceCheck.objects.filter(annotation_id__in=sources, evidence__isnull=True, url="")
        .only("pk", "annotation_id", "status", "flags", "attribution")
        .order_by("annotation_id", "-id")
    ):
        latest_per_span.setdefault(check.annotation_id, check)
    for check in latest_per_span.values():
        for flag in check.flags or []:
            if flag.get("code") not in GATE_SOURCE_FLAGS:
                continue
            warnings.append(
                _warning(
                    f"flag:{check.pk}:{flag['code']}",
                    f"source_{flag['code']}",
                    check,
                    exact_of,
                    explanation=machine_text.flag_text(flag),
                )
            )
    return PublishGate(blockers=blockers, warnings=warnings)


def _warning(
    key: str, code: str, check: SourceCheck, exact_of: dict[int, str], **extra: str
) -> dict[str, Any]:
    """One warning of the gate: what `acknowledge` names (`key`), its code, the span it is
    about, and its sentence in the active language (with `url` where there is one)."""
    exact = exact_of.get(check.annotation_id, "")
    return {
        "key": key,
        "code": code,
        "annotation": check.annotation_id,
        "exact": exact[:200],
        **extra,
        "message": gate_warning_message(code, url=extra.get("url", ""), exact=exact),
    }


# A warning's code → its sentence in machine_text.MESSAGES.
_WARNING_MESSAGES = {
    "evidence_failed": "gate_evidence_unchecked",
    "evidence_blocked": "gate_evidence_unchecked",
    "evidence_changed": "gate_evidence_changed",
    "evidence_unreachable": "gate_evidence_changed",
    "source_vague": "gate_source_vague",
    "source_anonymous": "gate_source_anonymous",
}


def gate_warning_message(code: str, *, url: str = "", exact: str = "", fallback: str = "") -> str:
    """A warning of the gate in the active language, from what its acknowledgement's event
    keeps too (code, URL, quote): the history words it again for each reader."""
    return machine_text.render(
        _WARNING_MESSAGES.get(code, ""), {"url": url, "exact": _short(exact)}, fallback=fallback
    )


def _short(value: str, limit: int = 80) -> str:
    value = " ".join(value.split())
    return value if len(value) <= limit else value[: limit - 1] + "…"
