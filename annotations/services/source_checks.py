"""Source checks of evidence URLs and source spans: requested, then run once by a worker."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from .. import cues, fetch, machine_text, policy, selectors, tasks, text
from ..models import (
    Annotation,
    Article,
    Event,
    Evidence,
    SourceCheck,
)
from . import archive
from .base import (
    User,
    annotation_lock,
    article_allows,
    event_record,
    require_allowed,
    url_fetch,
)
from .evidence import _evidence_check, _flag_evidence_health, evidence_diff_prepare
from .jobs import enqueue

URL_IN_TEXT = re.compile(r"https?://[^\s<>\"')\]]+", re.IGNORECASE)


# A source check is tried at most this often: the first delivery and three retries after a
# transport error. Counted on the row (`attempts`), so a message re-sent by the sweep cannot
# restart the count the way Celery's per-message `retries` would.
CHECK_MAX_ATTEMPTS = tasks.FETCH_MAX_ATTEMPTS


def _span_targets(exact: str) -> list[tuple[str, str]]:
    """What a `source` span's checks look at, as (url, attribution): the attribution
    itself, then each distinct URL it holds."""
    urls = dict.fromkeys(URL_IN_TEXT.findall(exact))
    return [("", exact)] + [(url[:2000], "") for url in urls]


def _source_span_checks(*, actor: User, annotation: Annotation) -> list[SourceCheck]:
    """A `source` span gets an attribution check, and a URL check for each URL it holds.

    A check of the same attribution or URL still pending or running is returned instead
    of a new one: re-runs never queue a second fetch of one URL. The caller holds the
    annotation's (or its article's) lock."""
    unsettled = {
        (check.url, check.attribution): check for check in _unsettled(annotation, of_evidence=False)
    }
    return [
        unsettled.get(target)
        or _span_check(annotation, *target, revision=annotation.article.revision, actor=actor)
        for target in _span_targets(annotation.exact)
    ]


def _unsettled(annotation: Annotation, *, of_evidence: bool) -> QuerySet[SourceCheck]:
    """The annotation's checks still pending or running, of its evidence or of the span
    itself, oldest first."""
    return SourceCheck.objects.filter(
        annotation=annotation,
        evidence__isnull=not of_evidence,
        status__in=[SourceCheck.Status.PENDING, SourceCheck.Status.RUNNING],
    ).order_by("id")


def _span_check(
    annotation: Annotation, url: str, attribution: str, *, revision: int, actor: User | None
) -> SourceCheck:
    """A new check of a `source` span's attribution or of a URL in it, its job in the
    outbox (`actor` None when the analysis of a text change asks for it)."""
    check = SourceCheck.objects.create(
        annotation=annotation,
        url=url,
        attribution=attribution,
        article_revision=revision,
        requested_by=actor,
    )
    enqueue(tasks.source_check_run, check.pk)
    return check


def source_checks_request(*, actor: User, annotation_id: int) -> list[SourceCheck]:
    """Re-run: a new pending check for every live evidence URL and the source span itself.

    Evidence whose check is still pending or running keeps that check (it is returned, not
    repeated): pressing "re-run" again and again never sends more than one fetch per URL
    at a time, to the cited site or through the queue. A check stuck that way is the
    sweep's to re-enqueue.

    Locks the annotation. Raises Forbidden, Conflict (the article's state).
    """
    with transaction.atomic():
        annotation = annotation_lock(annotation_id)
        require_allowed(actor, "check.request", annotation)
        article_allows(actor, annotation.article, policy.Act.REVIEW)
        unsettled = {check.evidence_id: check for check in _unsettled(annotation, of_evidence=True)}
        checks = [
            unsettled.get(evidence.pk)
            or _evidence_check(annotation=annotation, evidence=evidence, actor=actor)
            # Another blind reviewer's sealed evidence is not the actor's to see or re-run.
            for evidence in Evidence.objects.filter(
                selectors.evidence_visible(actor), annotation=annotation, removed_at__isnull=True
            )
        ]
        if annotation.label.slug == "source":
            checks.extend(_source_span_checks(actor=actor, annotation=annotation))
        event_record(
            actor=actor,
            verb=Event.Verb.SOURCE_CHECK_REQUESTED,
            annotation=annotation,
            data={"checks": [c.pk for c in checks]},
        )
    return checks


def _source_checks_refresh(*, article_id: int) -> list[SourceCheck]:
    """Add the checks a `source` span lacks for the article's current revision.

    A check that exists for the same span, URL (or attribution) and revision is not made
    again, so the same URL is fetched once per revision.
    """
    with transaction.atomic():
        article = Article.objects.select_for_update().get(pk=article_id)
        spans = (
            Annotation.objects.filter(article=article, label__slug="source")
            .exclude(status=Annotation.Status.WITHDRAWN)
            .exclude(anchor_state=Annotation.AnchorState.ORPHANED)
        )
        existing = set(
            SourceCheck.objects.filter(
                annotation__in=spans, article_revision=article.revision, evidence__isnull=True
            ).values_list("annotation_id", "url", "attribution")
        )
        created = [
            _span_check(span, url, attribution, revision=article.revision, actor=None)
            for span in spans
            for url, attribution in _span_targets(span.exact)
            if (span.pk, url, attribution) not in existing
        ]
        if created:
            event_record(
                actor=None,
                verb=Event.Verb.SOURCE_CHECK_REQUESTED,
                article=article,
                data={"checks": [c.pk for c in created], "revision": article.revision},
            )
    return created


def flag_dicts(flags: Iterable[cues.Flag]) -> list[dict[str, Any]]:
    """Flags as stored: `{code, cue, message, params}`, worded only when read
    (machine_text.flag_text)."""
    return [
        {"code": f.code, "cue": f.cue, "message": f.message, "params": dict(f.params)}
        for f in flags
    ]


def _error_fields(exc: fetch.FetchError) -> dict[str, Any]:
    """A fetch error as a check stores it: its code and parameters, and its English text."""
    return {"error": exc.message, "error_code": exc.code, "error_params": exc.params}


def _no_error() -> dict[str, Any]:
    return {"error": "", "error_code": "", "error_params": {}}


def _claim_check(check_id: int, stale_after: int) -> SourceCheck | None:
    """Mark a check `running` unless it is finished or another delivery is working on it.

    A conditional UPDATE, so of two duplicate deliveries only one claims the row. A check
    `running` for longer than `stale_after` seconds lost its worker and may be claimed again.
    The new `started_at` is the claim's token: only its holder writes the result.
    """
    now = timezone.now()
    stale_before = now - timezone.timedelta(seconds=stale_after)
    claimed = (
        SourceCheck.objects.filter(pk=check_id)
        .filter(
            Q(status=SourceCheck.Status.PENDING)
            | Q(status=SourceCheck.Status.RUNNING, started_at__lt=stale_before)
        )
        .update(status=SourceCheck.Status.RUNNING, started_at=now, attempts=F("attempts") + 1)
    )
    if not claimed:
        return None
    check = SourceCheck.objects.select_related("annotation__label", "annotation__article").get(
        pk=check_id
    )
    check.started_at = now
    return check


def _held(check: SourceCheck) -> Q:
    return Q(pk=check.pk, status=SourceCheck.Status.RUNNING, started_at=check.started_at)


def _finish_check(check: SourceCheck, **fields: Any) -> bool:
    """Store the result, if this delivery still holds the claim; False when it lost it
    (it ran past the stale timeout and another delivery claimed the check)."""
    fields.setdefault("finished_at", timezone.now())
    with transaction.atomic():
        if not SourceCheck.objects.filter(_held(check)).update(**fields):
            return False
        for name, value in fields.items():
            setattr(check, name, value)
        if check.evidence_id:
            _flag_evidence_health(check)
        is_sealed = bool(check.evidence_id) and check.evidence.is_sealed
        event_record(
            actor=None,
            verb=Event.Verb.SOURCE_CHECK_FINISHED,
            annotation=check.annotation,
            # The check of a blind reviewer's sealed evidence says nothing of the source
            # until the reveal, as the evidence's own event (services.evidence).
            data=(
                {"check": check.pk, "sealed": True}
                if is_sealed
                else {
                    "check": check.pk,
                    "status": check.status,
                    "url": check.url,
                    "error": check.error,
                    "error_code": check.error_code,
                    "error_params": check.error_params,
                    "flags": [f["code"] for f in check.flags or []],
                    "capture": check.capture_id,
                }
            ),
        )
    return True


def _quote_result(
    check: SourceCheck, source_text: str, language: str
) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """Whether the annotation's quote (for a claim, else its key phrase) is in the source,
    and where (`passage_start`, `passage_end`: code points of the NFC text)."""
    annotation = check.annotation
    if check.evidence_id is None:
        # A URL inside a `source` span: the span names the source; nothing of it is quoted.
        return {
            "quote_found": None,
            "quote_score": None,
            "excerpt": "",
            "passage_start": None,
            "passage_end": None,
        }, []
    match = text.find_quote(source_text, annotation.exact)
    flags: list[dict[str, Any]] = []
    if not match.found and annotation.label.needs_verdict:
        # A claim is our article's sentence; the source states the fact in its own words.
        phrase = cues.key_phrase(annotation.exact, language)
        if phrase and phrase != " ".join(annotation.exact.split()):
            by_phrase = text.find_quote(source_text, phrase)
            if by_phrase.score > match.score:
                match = by_phrase
                if match.found:
                    flags.append(
                        {
                            "code": "key_phrase",
                            "cue": phrase,
                            "message": "key_phrase",
                            "params": {"phrase": phrase},
                        }
                    )
    fields = {
        "quote_found": match.found,
        "quote_score": round(match.score, 1),
        "excerpt": match.excerpt,
        "passage_start": match.start if match.end > match.start else None,
        "passage_end": match.end if match.end > match.start else None,
    }
    return fields, flags


def source_check_run(*, check_id: int) -> SourceCheck | None:
    """Run one source check; None when this delivery had nothing to do.

    Takes no row lock: the row is claimed with a conditional UPDATE, so a check that is finished,
    or running in another worker, is neither fetched nor written again. Outcomes: `done`
    (with the page's status, final URL, type, title, text hash, and the quote match, or the
    vague-source flags of an attribution), `failed` with a message, `blocked` with the reason.

    Raises fetch.TransientFetchError while attempts remain, after handing the row back as
    `pending` for the task's retry (or the sweep) to claim.
    """

    check = _claim_check(check_id, stale_after=settings.FACTCHECK_STALE_CHECK_SECONDS)
    if check is None:
        return None
    if check.attempts > CHECK_MAX_ATTEMPTS:
        # The earlier attempts died mid-check (a killed worker, the hard time limit).
        last = f": {check.error}" if check.error else ""
        params: dict[str, Any] = {"attempts": CHECK_MAX_ATTEMPTS}
        if check.error or check.error_code:
            params["last"] = machine_text.stored(check.error_code, check.error_params, check.error)
        _finish_check(
            check,
            status=SourceCheck.Status.FAILED,
            error=f"gave up after {CHECK_MAX_ATTEMPTS} attempts{last}",
            error_code="gave_up_after" if "last" in params else "gave_up",
            error_params=params,
        )
        return check
    language = check.annotation.article.language or ""
    if not check.url:
        flags = cues.vague_source_flags(check.attribution, language)
        _finish_check(check, status=SourceCheck.Status.DONE, flags=flag_dicts(flags), **_no_error())
        return check
    try:
        result = url_fetch(check.url)
    except fetch.BlockedURL as exc:
        # final_url is the hop that was refused, which may be a redirect's target.
        _finish_check(
            check,
            status=SourceCheck.Status.BLOCKED,
            final_url=(exc.url or "")[:2000],
            **_error_fields(exc),
        )
        return check
    except fetch.TransientFetchError as exc:
        if check.attempts < CHECK_MAX_ATTEMPTS:
            SourceCheck.objects.filter(_held(check)).update(
                status=SourceCheck.Status.PENDING, http_status=exc.status, **_error_fields(exc)
            )
            raise
        _finish_failed(check, exc)
        return check
    except fetch.FetchError as exc:
        # A 404 or 410 is archived: the record that the source vanished.
        gone = archive.gone_capture_or_none(exc=exc, requested_url=check.url)
        _finish_failed(check, exc, capture=gone)
        return check
    # Archived first, so the quote's passage is found in the very text the archive keeps.
    capture = archive.capture_or_none(result=result)
    quote, flags = _quote_result(check, capture.text if capture else result.text, language)
    # What changed is diffed here, outside the transaction that saves the result.
    evidence_diff_prepare(check, capture)
    if result.truncated:
        flags.append(
            {
                "code": "truncated",
                "cue": f"{settings.FETCH_MAX_BYTES} bytes",
                "message": "truncated",
                "params": {"megabytes": settings.FETCH_MAX_BYTES // (1024 * 1024)},
            }
        )
    _finish_check(
        check,
        status=SourceCheck.Status.DONE,
        **_no_error(),
        http_status=result.status,
        final_url=result.final_url[:2000],
        content_type=result.content_type[:200],
        title=result.title[:500],
        sha256=result.sha256,
        flags=flags,
        capture=capture,
        **quote,
    )
    return check


def _finish_failed(check: SourceCheck, exc: Any, *, capture: Any = None) -> None:
    """Store a fetch.FetchError as the check's failure (`capture`: the archived answer
    of a source that is gone)."""
    _finish_check(
        check,
        status=SourceCheck.Status.FAILED,
        http_status=exc.status,
        final_url=(exc.url or "")[:2000],
        capture=capture,
        **_error_fields(exc),
    )


def source_check_give_up(
    *, check_id: int, error: str, error_code: str = "", error_params: dict[str, Any] | None = None
) -> bool:
    """Finish a `running` check as `failed` (its task ran out of time): `error` in English,
    `error_code` and `error_params` what readers see (machine_text); False if it is not
    running any more. No lock: the claim's conditional UPDATE decides. Raises nothing."""
    check = (
        SourceCheck.objects.select_related("annotation__label", "annotation__article")
        .filter(pk=check_id, status=SourceCheck.Status.RUNNING)
        .first()
    )
    return check is not None and _finish_check(
        check,
        status=SourceCheck.Status.FAILED,
        error=error,
        error_code=error_code,
        error_params=error_params or {},
    )
