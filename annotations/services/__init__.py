"""Every write of the fact-check desk.

Each service checks permission and validates before it writes, runs in one transaction,
records an Event, and records its background work in the outbox (`jobs.enqueue`): a job row
in the same transaction, sent after commit, so that a broker that is down never undoes or
fails a saved write (the sweep sends again what did not finish).

Errors: `Forbidden` (403), `Invalid` (400), `Conflict` (409, names the current state),
`Stale` (412), `TooLarge` (413). Model lookups raise `DoesNotExist` (404).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .. import cues, policy, selectors, tasks, text
from ..models import (
    ROLE_CHIEF,
    Annotation,
    Article,
    ArticleRevision,
    Assignment,
    Comment,
    Evidence,
    Label,
    Rating,
    SourceCheck,
    Suggestion,
    Verdict,
)
from .base import (  # noqa: F401 (re-exported: services.Forbidden, services.ServiceError)
    Conflict,
    Forbidden,
    Invalid,
    ServiceError,
    Stale,
    TooLarge,
    event_record,
)
from .base import (
    require as _require,
)
from .base import (
    status_name as _status_name,
)
from .jobs import enqueue as _enqueue

logger = logging.getLogger(__name__)
User = get_user_model()

MIN_RATIONALE_CHARS = 20
URL_IN_TEXT = re.compile(r"https?://[^\s<>\"')\]]+", re.IGNORECASE)


def _bump(annotation: Annotation, **changes: Any) -> None:
    """Apply changes and a version bump in one UPDATE on a row the caller has locked."""
    now = timezone.now()
    Annotation.objects.filter(pk=annotation.pk).update(
        version=F("version") + 1, updated_at=now, **changes
    )
    for name, value in changes.items():
        setattr(annotation, name, value)
    annotation.version += 1
    annotation.updated_at = now


def _article_allows(actor: Any, article: Article, act: policy.Act) -> None:
    """Raise Conflict when the article's state does not allow `act` (policy.ARTICLE_STATES)."""
    reason = policy.article_refusal(actor, article.status, act)
    if reason is not None:
        raise Conflict(reason)


def _article_bump(article: Article, *fields: str) -> None:
    """Save `fields` of a locked article with its version moved on (the API's ETag)."""
    article.version += 1
    article.save(update_fields=[*fields, "version", "updated_at"])


def _lock_annotation(annotation_id: int) -> Annotation:
    return (
        Annotation.objects.select_for_update(of=("self",))
        .select_related("label", "article")
        .get(pk=annotation_id)
    )


def _assignments_sort_keys_sync(annotation: Annotation) -> None:
    """Copy the annotation's priority and check-worthiness onto its assignments, which the
    queue sorts by (selectors.queue_for)."""
    Assignment.objects.filter(annotation=annotation).update(
        priority=annotation.priority, checkworthiness=annotation.checkworthiness
    )


def check_url(url: str, *, field: str = "url") -> str:
    """Input check only: http(s) with a host. Addresses are judged at fetch time."""
    from .. import fetch

    try:
        return fetch.check_url_shape((url or "").strip())
    except fetch.FetchError as exc:
        raise Invalid(str(exc), field=field) from exc


def detect_language(body: str) -> str:
    import py3langid

    if not body.strip():
        return "und"
    language, _score = py3langid.classify(body[:5000])
    return language


def _check_article_size(body: str) -> None:
    limit = settings.FACTCHECK_MAX_ARTICLE_CHARS
    if len(body) > limit:
        raise TooLarge(
            _("the article has %(count)s characters; the limit is %(limit)s")
            % {"count": f"{len(body):,}", "limit": f"{limit:,}"},
            field="text",
        )


# --- articles -------------------------------------------------------------------------------


def article_create(
    *,
    actor: Any,
    title: str,
    body: str,
    language: str | None = None,
    source_url: str = "",
    outlet: str = "",
    byline: str = "",
    published_at: datetime | None = None,
) -> Article:
    """Create an article with revision 1 and queue its analysis.

    Raises Forbidden, Invalid (empty title or text), TooLarge.
    """
    _require(policy.can_edit_article(actor), _("only editors and chiefs can create articles"))
    body = text.normalise(body or "")
    title = (title or "").strip()
    if not title:
        raise Invalid(_("a title is required"), field="title")
    if not body.strip():
        raise Invalid(_("the article text is empty"), field="text")
    _check_article_size(body)
    if source_url:
        source_url = check_url(source_url, field="source_url")
    with transaction.atomic():
        article = Article.objects.create(
            title=title[:500],
            text=body,
            language=(language or "").strip() or detect_language(body),
            source_url=source_url,
            outlet=outlet.strip(),
            byline=byline.strip(),
            published_at=published_at,
            created_by=actor if actor.is_authenticated else None,
        )
        ArticleRevision.objects.create(
            article=article, number=1, text=body, created_by=article.created_by
        )
        event_record(
            actor=actor,
            verb="article.created",
            article=article,
            data={"title": article.title, "language": article.language, "chars": len(body)},
        )
        _enqueue("analyse_article", article.pk)
    return article


def article_create_from_url(*, actor: Any, url: str) -> Article:
    """Create an `importing` article whose text a worker fetches (task import_url)."""
    _require(policy.can_edit_article(actor), _("only editors and chiefs can import articles"))
    url = check_url(url)
    with transaction.atomic():
        article = Article.objects.create(
            title=url[:500],
            text="",
            source_url=url,
            status=Article.Status.IMPORTING,
            created_by=actor,
            revision=0,
        )
        event_record(
            actor=actor, verb="article.import_requested", article=article, data={"url": url}
        )
        _enqueue("import_url", article.pk)
    return article


IMPORT_EXTENSIONS = {
    ".txt": "text/plain",
    ".md": "text/markdown",
    ".html": "text/html",
    ".htm": "text/html",
}


def decode_upload(*, filename: str, payload: bytes) -> tuple[str, str]:
    """Turn an uploaded .txt/.md/.html file into (title, text). Raises Invalid/TooLarge."""
    from .. import fetch
    from ..storable import text_problem

    # PostgreSQL cannot store a NUL, in the title made of the name or in the text.
    problem = text_problem(filename, _("the file name"))
    if problem is not None:
        raise Invalid(problem, field="file")
    suffix = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if suffix not in IMPORT_EXTENSIONS:
        raise Invalid(
            _("unsupported file type '%(type)s': use .txt, .md or .html")
            % {"type": suffix or filename},
            field="file",
        )
    if not payload.strip():
        raise Invalid(_("the file is empty"), field="file")
    try:
        decoded = payload.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Invalid(
            _(
                "the file is not UTF-8 (invalid byte at position %(position)s); "
                "save it as UTF-8 and try again"
            )
            % {"position": exc.start},
            field="file",
        ) from exc
    if "\x00" in decoded:
        raise Invalid(
            _(
                "the file contains a NUL character (U+0000) at position %(position)s, so it "
                "is not a text file; save it as UTF-8 text and try again"
            )
            % {"position": decoded.index("\x00")},
            field="file",
        )
    if len(decoded) > settings.FACTCHECK_MAX_ARTICLE_CHARS:
        _check_article_size(decoded)
    stem = filename.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    if IMPORT_EXTENSIONS[suffix] == "text/html":
        title, body = fetch.extract(payload, "text/html", "utf-8")
        title = title or stem
    else:
        body = decoded
        first = next((line for line in decoded.splitlines() if line.strip()), stem)
        title = first.lstrip("# ").strip()[:200] if suffix == ".md" else stem
    body = text.normalise(body)
    if not body.strip():
        raise Invalid(_("no article text was found in the file"), field="file")
    _check_article_size(body)
    return title, body


def article_update(
    *,
    actor: Any,
    article_id: int,
    fields: dict[str, Any],
    body: str | None = None,
    expected_revision: int | None = None,
    expected_version: int | None = None,
) -> tuple[Article, dict[str, int] | None]:
    """Update metadata and, when `body` differs, store a new revision and re-anchor.

    Locks the article row (select_for_update) so two edits cannot interleave. With
    `expected_version` (the ETag: any write moves it) or `expected_revision` (the text
    the editor's change was based on) the edit is a compare-and-set: when someone saved
    meanwhile it raises Stale and changes nothing, so neither change is silently lost.
    A text change sets aside the verdicts whose text it alters (`_verdicts_set_aside`).
    Returns the article and the re-anchoring counts (None when the text did not change).
    Raises Forbidden, Invalid, Conflict (the state does not allow edits), Stale.
    """
    _require(policy.can_edit_article(actor), _("only editors and chiefs can edit articles"))
    allowed = {"title", "language", "source_url", "outlet", "byline", "published_at"}
    unknown = set(fields) - allowed
    if unknown:
        raise Invalid(_("unknown field(s): %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    if "title" in fields and not (fields["title"] or "").strip():
        raise Invalid(_("a title is required"), field="title")
    if fields.get("source_url"):
        fields["source_url"] = check_url(fields["source_url"], field="source_url")
    new_text = None
    if body is not None:
        new_text = text.normalise(body)
        if not new_text.strip():
            raise Invalid(_("the article text is empty"), field="text")
        _check_article_size(new_text)
    with transaction.atomic():
        article = Article.objects.select_for_update().get(pk=article_id)
        _article_allows(actor, article, policy.Act.EDIT)
        if expected_version is not None and expected_version != article.version:
            raise Stale(
                _(
                    "the article was changed by someone else (now version %(current)s, "
                    "you edited version %(expected)s); reload to see their change"
                )
                % {"current": article.version, "expected": expected_version}
            )
        if expected_revision is not None and expected_revision != article.revision:
            raise Stale(
                _(
                    "someone saved a newer text meanwhile (now revision %(current)s, "
                    "you edited revision %(expected)s); reload to see it, then apply "
                    "your change again"
                )
                % {"current": article.revision, "expected": expected_revision}
            )
        changed = {k: v for k, v in fields.items() if getattr(article, k) != v}
        for name, value in changed.items():
            setattr(article, name, value)
        counts = None
        if new_text is not None and new_text != article.text:
            counts = _reanchor_article(actor=actor, article=article, new_text=new_text)
        if changed or counts is not None:
            article.version += 1
            article.save()
            event_record(
                actor=actor,
                verb="article.updated",
                article=article,
                data={
                    "fields": sorted(changed),
                    "revision": article.revision,
                    **({"reanchored": counts} if counts else {}),
                },
            )
        if counts is not None:
            _enqueue("analyse_article", article.pk)
    return article, counts


def _reanchor_article(*, actor: Any, article: Article, new_text: str) -> dict[str, int]:
    old_text = article.text
    live = list(
        Annotation.objects.select_for_update()
        .filter(article=article)
        .exclude(status=Annotation.Status.WITHDRAWN)
    )
    anchors = text.reanchor_many(
        old_text,
        new_text,
        [(a.pk, a.start, a.end, a.exact, a.prefix, a.suffix) for a in live],
    )
    counts = {text.ANCHORED: 0, text.FUZZY: 0, text.ORPHANED: 0}
    now = timezone.now()
    moved: list[Annotation] = []
    for annotation in live:
        anchor = anchors[annotation.pk]
        counts[anchor.state] += 1
        if anchor.state == text.ORPHANED:
            new = {"anchor_state": text.ORPHANED}
        else:
            quote = text.quote_at(new_text, anchor.start, anchor.end)
            new = {
                "start": anchor.start,
                "end": anchor.end,
                "exact": quote.exact,
                "prefix": quote.prefix,
                "suffix": quote.suffix,
                "anchor_state": anchor.state,
            }
        if any(getattr(annotation, k) != v for k, v in new.items()):
            before = {"start": annotation.start, "end": annotation.end, "exact": annotation.exact}
            for name, value in new.items():
                setattr(annotation, name, value)
            annotation.version += 1
            annotation.updated_at = now
            moved.append(annotation)
            if anchor.state != text.ANCHORED:
                event_record(
                    actor=actor,
                    verb=f"annotation.{anchor.state}",
                    annotation=annotation,
                    data={"before": before, "score": round(anchor.score, 3)},
                )
    Annotation.objects.bulk_update(
        moved,
        ["start", "end", "exact", "prefix", "suffix", "anchor_state", "version", "updated_at"],
        batch_size=500,
    )
    article.revision += 1
    article.text = new_text
    ArticleRevision.objects.create(
        article=article, number=article.revision, text=new_text, created_by=actor
    )
    _verdicts_set_aside(actor=actor, article=article, annotations=live)
    return counts


def _verdicts_set_aside(*, actor: Any, article: Article, annotations: list[Annotation]) -> int:
    """After a text change: a proposed or approved verdict whose span no longer reads
    exactly as the text it was proposed (or approved) on is set aside, never carried over.

    The span goes back to the verdict's author's queue, the history records the old and
    the new text, and the chiefs and the reviewer are told. The same text at a new offset
    is not an alteration. The caller holds the article's and the annotations' locks.
    Returns the number of verdicts set aside."""
    judged = {
        a.pk: a
        for a in annotations
        if a.status in (Annotation.Status.PROPOSED, Annotation.Status.APPROVED)
    }
    if not judged:
        return 0
    verdicts = Verdict.objects.select_for_update().filter(
        annotation_id__in=judged,
        status__in=[Verdict.Status.PROPOSED, Verdict.Status.APPROVED],
    )
    now = timezone.now()
    count = 0
    for verdict in verdicts:
        annotation = judged[verdict.annotation_id]
        pinned = (
            verdict.approved_quote if verdict.status == Verdict.Status.APPROVED else verdict.quote
        )
        orphaned = annotation.anchor_state == Annotation.AnchorState.ORPHANED
        if not orphaned and annotation.exact == pinned:
            continue
        previous = verdict.status
        verdict.status = Verdict.Status.SET_ASIDE
        verdict.set_aside_at = now
        verdict.save(update_fields=["status", "set_aside_at"])
        _assignment_reopen(annotation=annotation, reviewer_id=verdict.author_id, actor=actor)
        _bump(annotation, status=Annotation.Status.ASSIGNED)
        event_record(
            actor=actor,
            verb="verdict.set_aside",
            annotation=annotation,
            data={
                "verdict": verdict.pk,
                "was": previous,
                "old": pinned[:500],
                "new": None if orphaned else annotation.exact[:500],
                "revision": article.revision,
            },
        )
        _enqueue("notify", "set_aside", verdict.pk)
        count += 1
    return count


def _assignment_reopen(*, annotation: Annotation, reviewer_id: int, actor: Any) -> None:
    """Give the span back to `reviewer_id`'s queue: their last assignment pending again,
    or a new one. (A withdrawn annotation never gets one: the queue relies on it.)"""
    assignment = (
        Assignment.objects.filter(annotation=annotation, reviewer_id=reviewer_id)
        .order_by("-id")
        .first()
    )
    if assignment is not None and assignment.state != Assignment.State.PENDING:
        assignment.state = Assignment.State.PENDING
        assignment.priority = annotation.priority
        assignment.checkworthiness = annotation.checkworthiness
        assignment.save(update_fields=["state", "priority", "checkworthiness", "updated_at"])
    elif assignment is None:
        Assignment.objects.create(
            annotation=annotation,
            reviewer_id=reviewer_id,
            assigned_by=actor,
            priority=annotation.priority,
            checkworthiness=annotation.checkworthiness,
        )


def article_archive(*, actor: Any, article_id: int, reason: str = "") -> Article:
    """Archive an article (read-only, hidden from lists), or, when it is published,
    withdraw the fact-check: a chief's act, whose report then says "withdrawn" instead of
    disappearing. Both are recorded and undone by `article_restore`.

    Locks the article. Raises Forbidden, Conflict (already archived or withdrawn, still
    importing, or a published fact-check and the actor is not a chief)."""
    _require(policy.can_edit_article(actor), _("only editors and chiefs can archive articles"))
    with transaction.atomic():
        article = Article.objects.select_for_update().get(pk=article_id)
        if article.status in (Article.Status.ARCHIVED, Article.Status.WITHDRAWN):
            raise Conflict(
                _("the article is already %(status)s")
                % {"status": _status_name(article.status, Article.Status)}
            )
        _article_allows(actor, article, policy.Act.ARCHIVE)
        previous = article.status
        article.status_before = previous
        if previous == Article.Status.PUBLISHED:
            article.status = Article.Status.WITHDRAWN
            article.withdrawn_at = timezone.now()
            verb = "article.withdrawn"
        else:
            article.status = Article.Status.ARCHIVED
            verb = "article.archived"
        _article_bump(article, "status", "status_before", "withdrawn_at")
        event_record(
            actor=actor,
            verb=verb,
            article=article,
            data={"from": previous, "reason": (reason or "").strip()[:1000]},
        )
    return article


def article_restore(*, actor: Any, article_id: int) -> Article:
    """Undo an archive (editors and chiefs) or a withdrawal (chiefs): the article returns
    to the status it had, and a withdrawn fact-check is published again.

    Locks the article. Raises Forbidden, Conflict (neither archived nor withdrawn)."""
    _require(policy.can_edit_article(actor), _("only editors and chiefs can restore articles"))
    with transaction.atomic():
        article = Article.objects.select_for_update().get(pk=article_id)
        _require(
            policy.can_restore_article(actor, article),
            _("only a chief can publish a withdrawn fact-check again"),
        )
        _article_allows(actor, article, policy.Act.RESTORE)
        previous = article.status
        article.status = article.status_before or Article.Status.DRAFT
        if previous == Article.Status.WITHDRAWN:
            article.status = Article.Status.PUBLISHED
            article.withdrawn_at = None
        article.status_before = ""
        _article_bump(article, "status", "status_before", "withdrawn_at")
        event_record(
            actor=actor,
            verb="article.restored",
            article=article,
            data={"from": previous, "to": article.status},
        )
    return article


def article_publish(
    *,
    actor: Any,
    article_id: int,
    with_open_claims: bool = False,
    acknowledge: Iterable[str] = (),
) -> tuple[Article, bool]:
    """Publish (chief only) through the publish gate (selectors.publish_gate).

    Blockers: claims without an approved verdict, unless `with_open_claims` confirms them.
    Warnings (failed, blocked or changed evidence checks behind approved verdicts; vague or
    anonymous source flags): each must be named in `acknowledge` by its key, and each
    acknowledgement is recorded with the chief's name. Publishing a published article is
    a no-op: returns (article, False) and records nothing.

    Locks the article. Raises Forbidden, Conflict (the state, blockers or unacknowledged
    warnings; `extra` carries the gate's lists)."""
    _require(policy.can_publish_article(actor), _("only chiefs can publish"))
    acknowledged = set(acknowledge)
    with transaction.atomic():
        article = Article.objects.select_for_update().get(pk=article_id)
        if article.status == Article.Status.PUBLISHED:
            return article, False
        _article_allows(actor, article, policy.Act.PUBLISH)
        gate = selectors.publish_gate(article)
        open_claims = [b for b in gate.blockers if b["code"] == "claim_without_verdict"]
        blockers = [b for b in gate.blockers if not (with_open_claims and b in open_claims)]
        missing = [w for w in gate.warnings if w["key"] not in acknowledged]
        if blockers or missing:
            if blockers and all(b in open_claims for b in blockers):
                # English says "claim(s)" in both forms; the plural lets a translation agree.
                message = ngettext(
                    "%(count)s claim(s) have no approved verdict; "
                    "confirm with with_open_claims to publish anyway",
                    "%(count)s claim(s) have no approved verdict; "
                    "confirm with with_open_claims to publish anyway",
                    len(open_claims),
                ) % {"count": len(open_claims)}
            elif blockers:
                message = blockers[0]["message"]
            else:
                message = ngettext(
                    "%(count)s warning must be acknowledged before publishing",
                    "%(count)s warnings must be acknowledged before publishing",
                    len(missing),
                ) % {"count": len(missing)}
            raise Conflict(
                message, extra={"blockers": blockers, "warnings": missing, "ready": False}
            )
        for warning in gate.warnings:
            event_record(
                actor=actor,
                verb="article.warning_acknowledged",
                article=article,
                annotation_id=warning.get("annotation"),
                data={k: warning[k] for k in ("key", "code", "message") if k in warning},
            )
        previous = article.status
        article.status = Article.Status.PUBLISHED
        article.first_published_at = article.first_published_at or timezone.now()
        _article_bump(article, "status", "first_published_at")
        event_record(
            actor=actor,
            verb="article.published",
            article=article,
            data={
                "from": previous,
                "open_claims": len(open_claims),
                "with_open_claims": bool(with_open_claims),
                "acknowledged": [w["key"] for w in gate.warnings],
            },
        )
    return article, True


def article_import_finish(
    *, article_id: int, title: str | None = None, body: str | None = None, error: str | None = None
) -> Article:
    """Called by the import_url task: `importing` → `draft` with text, or `import_failed`."""
    with transaction.atomic():
        article = Article.objects.select_for_update().get(pk=article_id)
        if article.status != Article.Status.IMPORTING:
            return article  # a duplicate delivery; the first one decided
        if error is None and body is not None:
            body = text.normalise(body)
            if not body.strip():
                error = "no article text was found at the URL"
            elif len(body) > settings.FACTCHECK_MAX_ARTICLE_CHARS:
                error = (
                    f"the article has {len(body):,} characters; the limit is "
                    f"{settings.FACTCHECK_MAX_ARTICLE_CHARS:,}"
                )
        if error is not None:
            article.status = Article.Status.IMPORT_FAILED
            article.import_error = error
            _article_bump(article, "status", "import_error")
            event_record(
                actor=None, verb="article.import_failed", article=article, data={"error": error}
            )
            return article
        article.title = (title or article.title)[:500]
        article.text = body
        article.language = article.language or detect_language(body)
        article.status = Article.Status.DRAFT
        article.revision = 1
        article.version += 1
        article.save()
        ArticleRevision.objects.create(
            article=article, number=1, text=body, created_by=article.created_by
        )
        event_record(
            actor=None, verb="article.imported", article=article, data={"chars": len(body)}
        )
        _enqueue("analyse_article", article.pk)
    return article


# --- annotations ----------------------------------------------------------------------------


def _label(slug_or_label: str | Label) -> Label:
    if isinstance(slug_or_label, Label):
        return slug_or_label
    try:
        return Label.objects.get(slug=slug_or_label)
    except Label.DoesNotExist:
        raise Invalid(
            _("unknown label '%(label)s'") % {"label": slug_or_label}, field="label"
        ) from None


def annotation_create(
    *,
    actor: Any,
    article_id: int,
    label: str | Label,
    start: int,
    end: int,
    exact: str | None = None,
    note: str = "",
    priority: int = Annotation.Priority.NORMAL,
    due_at: datetime | None = None,
    offset_unit: str = "codepoint",
    verb: str = "annotation.created",
) -> Annotation:
    """Create a span on the article's current text. Locks the article row (FOR SHARE-like
    via select_for_update) so the text cannot change between validation and insert.

    Raises Forbidden, Invalid (offsets, exact, label), Conflict (archived article).
    """
    _require(policy.can_edit_annotation(actor), _("only editors and chiefs can annotate"))
    label = _label(label)
    if priority not in Annotation.Priority.values:
        raise Invalid(
            _("priority must be one of %(values)s") % {"values": Annotation.Priority.values},
            field="priority",
        )
    with transaction.atomic():
        article = Article.objects.select_for_update().get(pk=article_id)
        _article_allows(actor, article, policy.Act.ANNOTATE)
        body = article.text
        try:
            if offset_unit == "utf16":
                start = text.utf16_to_codepoint(body, start)
                end = text.utf16_to_codepoint(body, end)
            elif offset_unit != "codepoint":
                raise text.SpanError("offset_unit must be 'codepoint' or 'utf16'")
            text.validate_span(body, start, end, exact)
        except text.SpanError as exc:
            raise Invalid(_span_message(exc, body)) from exc
        quote = text.quote_at(body, start, end)
        twin = (
            Annotation.objects.filter(article=article, label=label, start=start, end=end)
            .exclude(status=Annotation.Status.WITHDRAWN)
            .values_list("pk", flat=True)
            .first()
        )
        if twin is not None:
            # A double submit or a second tagger: the first span stands (409 names it).
            raise Conflict(
                _("already tagged: this span is already a %(label)s (annotation %(id)s)")
                % {"label": label.display_name, "id": twin},
                extra={"annotation": twin},
            )
        annotation = Annotation.objects.create(
            article=article,
            label=label,
            start=start,
            end=end,
            exact=quote.exact,
            prefix=quote.prefix,
            suffix=quote.suffix,
            note=note or "",
            priority=priority,
            due_at=due_at,
            checkworthiness=(
                cues.checkworthiness(quote.exact, article.language[:2])
                if label.needs_verdict
                else None
            ),
            created_by=actor,
        )
        if article.status == Article.Status.DRAFT:
            article.status = Article.Status.IN_REVIEW
            _article_bump(article, "status")
        event_record(
            actor=actor,
            verb=verb,
            annotation=annotation,
            data={"label": label.slug, "start": start, "end": end, "exact": quote.exact[:200]},
        )
        if label.slug == "source":
            _source_span_checks(actor=actor, annotation=annotation)
    return annotation


def _span_message(exc: text.SpanError, body: str) -> str:
    """The span error, always naming the text length so that a client can fix its offsets."""
    message = str(exc)
    if f"({len(body)} character" in message:
        return message
    return f"{message}; the text has {len(body)} characters"


def _source_span_checks(*, actor: Any, annotation: Annotation) -> list[SourceCheck]:
    """A `source` span gets an attribution check, and a URL check for each URL it holds.

    A check of the same attribution or URL still pending or running is returned instead
    of a new one: re-runs never queue a second fetch of one URL. The caller holds the
    annotation's (or its article's) lock."""
    unsettled = {
        (check.url, check.attribution): check
        for check in SourceCheck.objects.filter(
            annotation=annotation,
            evidence__isnull=True,
            status__in=[SourceCheck.Status.PENDING, SourceCheck.Status.RUNNING],
        ).order_by("id")
    }
    wanted = [("", annotation.exact)] + [
        (url[:2000], "") for url in dict.fromkeys(URL_IN_TEXT.findall(annotation.exact))
    ]
    checks = []
    for url, attribution in wanted:
        if (url, attribution) in unsettled:
            checks.append(unsettled[(url, attribution)])
            continue
        check = SourceCheck.objects.create(
            annotation=annotation,
            url=url,
            attribution=attribution,
            article_revision=annotation.article.revision,
            requested_by=actor,
        )
        _enqueue("check_source", check.pk)
        checks.append(check)
    return checks


EDITABLE_ANNOTATION_FIELDS = ("label", "note", "priority", "due_at")


def annotation_update(
    *, actor: Any, annotation_id: int, changes: dict[str, Any], expected_version: int | None
) -> Annotation:
    """Edit label, note, priority, due date as a compare-and-set on `version`.

    `UPDATE … WHERE id = … AND version = n`: among racing writers with the same
    expected version exactly one matches. Raises Forbidden, Invalid, Conflict (withdrawn),
    Stale (version moved on).
    """
    _require(policy.can_edit_annotation(actor), _("only editors and chiefs can edit annotations"))
    unknown = set(changes) - set(EDITABLE_ANNOTATION_FIELDS)
    if unknown:
        raise Invalid(_("unknown field(s): %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    values = dict(changes)
    if "label" in values:
        values["label"] = _label(values["label"])
    if "priority" in values and values["priority"] not in Annotation.Priority.values:
        raise Invalid(
            _("priority must be one of %(values)s") % {"values": Annotation.Priority.values},
            field="priority",
        )
    if "note" in values:
        values["note"] = values["note"] or ""
    with transaction.atomic():
        current = Annotation.objects.select_related("label", "article").get(pk=annotation_id)
        if current.status == Annotation.Status.WITHDRAWN:
            raise Conflict(_("the annotation is withdrawn"))
        _article_allows(actor, current.article, policy.Act.ANNOTATE)
        if "label" in values and values["label"].pk != current.label_id:
            _approved_needs_chief(actor, current)
        version = current.version if expected_version is None else expected_version
        now = timezone.now()
        matched = (
            Annotation.objects.filter(pk=annotation_id, version=version)
            .exclude(status=Annotation.Status.WITHDRAWN)
            .update(version=F("version") + 1, updated_at=now, **values)
        )
        if matched == 0:
            raise Stale(
                _(
                    "the annotation was changed by someone else (now version %(current)s, "
                    "you edited version %(expected)s); reload to see their change"
                )
                % {"current": current.version, "expected": version}
            )
        annotation = Annotation.objects.select_related("label", "article").get(pk=annotation_id)
        if (
            "label" in values
            and annotation.label.needs_verdict
            and annotation.checkworthiness is None
        ):
            annotation.checkworthiness = cues.checkworthiness(
                annotation.exact, annotation.article.language[:2]
            )
            annotation.save(update_fields=["checkworthiness"])
        if annotation.priority != current.priority or (
            annotation.checkworthiness != current.checkworthiness
        ):
            _assignments_sort_keys_sync(annotation)
        diff = {
            name: {"from": _plain(getattr(current, name)), "to": _plain(getattr(annotation, name))}
            for name in values
            if getattr(current, name) != getattr(annotation, name)
        }
        event_record(actor=actor, verb="annotation.updated", annotation=annotation, data=diff)
    return annotation


def _plain(value: Any) -> Any:
    if isinstance(value, Label):
        return value.slug
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _approved_needs_chief(actor: Any, annotation: Annotation) -> None:
    """An approved verdict is on the report: only a chief withdraws or relabels its span."""
    if annotation.status == Annotation.Status.APPROVED and not policy.has_role(actor, ROLE_CHIEF):
        raise Conflict(_("the verdict is approved; only a chief can change its span now"))


def annotation_withdraw(
    *, actor: Any, annotation_id: int, expected_version: int | None = None
) -> Annotation:
    """Withdraw from any state; nothing is deleted. Pending assignments are closed."""
    _require(
        policy.can_edit_annotation(actor), _("only editors and chiefs can withdraw annotations")
    )
    with transaction.atomic():
        annotation = _lock_annotation(annotation_id)
        if expected_version is not None and annotation.version != expected_version:
            raise Stale(
                _(
                    "the annotation was changed by someone else (now version %(current)s, "
                    "you edited version %(expected)s)"
                )
                % {"current": annotation.version, "expected": expected_version}
            )
        if annotation.status == Annotation.Status.WITHDRAWN:
            raise Conflict(_("the annotation is already withdrawn"))
        _article_allows(actor, annotation.article, policy.Act.ANNOTATE)
        _approved_needs_chief(actor, annotation)
        previous = annotation.status
        _bump(annotation, status=Annotation.Status.WITHDRAWN)
        Assignment.objects.filter(annotation=annotation, state=Assignment.State.PENDING).update(
            state=Assignment.State.DONE, updated_at=timezone.now()
        )
        event_record(
            actor=actor, verb="annotation.withdrawn", annotation=annotation, data={"from": previous}
        )
    return annotation


def annotation_assign(
    *, actor: Any, annotation_id: int, reviewer: Any, due_at: datetime | None = None
) -> Annotation:
    """Assign a reviewer (a user in `reviewer`). Allowed while `open` or `assigned`.

    Locks the annotation. Raises Forbidden, Invalid (not a reviewer), Conflict.
    """
    _require(policy.can_assign(actor), _("only editors and chiefs can assign"))
    if reviewer is None or not policy.can_be_assigned(reviewer):
        name = getattr(reviewer, "username", reviewer)
        raise Invalid(_("'%(name)s' is not a reviewer") % {"name": name}, field="reviewer")
    with transaction.atomic():
        annotation = _lock_annotation(annotation_id)
        _article_allows(actor, annotation.article, policy.Act.ANNOTATE)
        if annotation.status not in (Annotation.Status.OPEN, Annotation.Status.ASSIGNED):
            raise Conflict(
                _("the annotation is %(status)s; only open or assigned ones can be assigned")
                % {"status": _status_name(annotation.status, Annotation.Status)}
            )
        if Assignment.objects.filter(
            annotation=annotation, reviewer=reviewer, state=Assignment.State.PENDING
        ).exists():
            raise Conflict(
                _("the annotation is already assigned to %(reviewer)s")
                % {"reviewer": reviewer.username}
            )
        try:
            with transaction.atomic():
                assignment = Assignment.objects.create(
                    annotation=annotation,
                    reviewer=reviewer,
                    assigned_by=actor,
                    due_at=due_at or annotation.due_at,
                    priority=annotation.priority,
                    checkworthiness=annotation.checkworthiness,
                )
        except IntegrityError:
            raise Conflict(
                _("the annotation is already assigned to %(reviewer)s")
                % {"reviewer": reviewer.username}
            ) from None
        _bump(annotation, status=Annotation.Status.ASSIGNED)
        event_record(
            actor=actor,
            verb="annotation.assigned",
            annotation=annotation,
            data={
                "reviewer": reviewer.username,
                "due_at": assignment.due_at.isoformat() if assignment.due_at else None,
            },
        )
        _enqueue("notify", "assigned", assignment.pk)
    return annotation


def assignment_decline(*, actor: Any, annotation_id: int, reason: str) -> Annotation:
    """The assigned reviewer hands the item back; with nobody left it returns to `open`."""
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(_("give a reason for declining"), field="reason")
    with transaction.atomic():
        annotation = _lock_annotation(annotation_id)
        _require(policy.can_decline(actor, annotation), _("this item is not assigned to you"))
        _article_allows(actor, annotation.article, policy.Act.REVIEW)
        Assignment.objects.filter(
            annotation=annotation, reviewer=actor, state=Assignment.State.PENDING
        ).update(state=Assignment.State.DECLINED, decline_reason=reason, updated_at=timezone.now())
        still_assigned = Assignment.objects.filter(
            annotation=annotation, state=Assignment.State.PENDING
        ).exists()
        if annotation.status == Annotation.Status.ASSIGNED and not still_assigned:
            _bump(annotation, status=Annotation.Status.OPEN)
        else:
            _bump(annotation)
        event_record(
            actor=actor, verb="assignment.declined", annotation=annotation, data={"reason": reason}
        )
    return annotation


# --- verdicts and evidence -----------------------------------------------------------------


@dataclass(frozen=True)
class EvidenceInput:
    url: str
    title: str = ""
    note: str = ""


def _rating(slug_or_rating: str | Rating) -> Rating:
    if isinstance(slug_or_rating, Rating):
        return slug_or_rating
    try:
        return Rating.objects.get(slug=slug_or_rating)
    except Rating.DoesNotExist:
        raise Invalid(
            _("unknown rating '%(rating)s'") % {"rating": slug_or_rating}, field="rating"
        ) from None


def verdict_propose(
    *,
    actor: Any,
    annotation_id: int,
    rating: str | Rating,
    rationale: str,
    evidence: Sequence[EvidenceInput] = (),
) -> Verdict:
    """The assigned reviewer proposes a verdict with its evidence.

    Locks the annotation. Raises Forbidden (not assigned), Invalid (rating, rationale,
    missing evidence for a claim, bad URL), Conflict (not `assigned`).
    """
    rating = _rating(rating)
    rationale = (rationale or "").strip()
    if len(rationale) < MIN_RATIONALE_CHARS:
        raise Invalid(
            _("the rationale needs at least %(minimum)s characters (it has %(count)s)")
            % {"minimum": MIN_RATIONALE_CHARS, "count": len(rationale)},
            field="rationale",
        )
    cleaned = [
        EvidenceInput(
            url=check_url(e.url, field="evidence"), title=e.title or "", note=e.note or ""
        )
        for e in evidence
    ]
    with transaction.atomic():
        annotation = _lock_annotation(annotation_id)
        _require(
            policy.can_propose_verdict(actor, annotation),
            _("only the reviewer assigned to this item can propose a verdict"),
        )
        _article_allows(actor, annotation.article, policy.Act.REVIEW)
        if annotation.status != Annotation.Status.ASSIGNED:
            raise Conflict(
                _("the annotation is %(status)s; a verdict needs it assigned")
                % {"status": _status_name(annotation.status, Annotation.Status)}
            )
        if annotation.anchor_state == Annotation.AnchorState.ORPHANED:
            raise Conflict(
                _("the span's text is no longer in the article; an editor must place it again")
            )
        has_evidence = (
            cleaned
            or Evidence.objects.filter(annotation=annotation, removed_at__isnull=True).exists()
        )
        if annotation.label.needs_verdict and not has_evidence:
            raise Invalid(
                _("a verdict on a claim needs at least one evidence URL"), field="evidence"
            )
        # Pinned to the text it judges; a verdict set aside by a text change is what this
        # one corrects.
        verdict = Verdict.objects.create(
            annotation=annotation,
            rating=rating,
            rationale=rationale,
            author=actor,
            quote=annotation.exact,
            article_revision=annotation.article.revision,
            supersedes=Verdict.objects.filter(
                annotation=annotation, status=Verdict.Status.SET_ASIDE
            )
            .order_by("-id")
            .first(),
        )
        present = set(
            Evidence.objects.filter(annotation=annotation, removed_at__isnull=True).values_list(
                "url", flat=True
            )
        )
        for item in cleaned:
            if item.url in present:  # one evidence per URL: the earlier one stands
                continue
            present.add(item.url)
            _evidence_create(actor=actor, annotation=annotation, item=item, verdict=verdict)
        Assignment.objects.filter(
            annotation=annotation, reviewer=actor, state=Assignment.State.PENDING
        ).update(state=Assignment.State.DONE, updated_at=timezone.now())
        _bump(annotation, status=Annotation.Status.PROPOSED)
        event_record(
            actor=actor,
            verb="verdict.proposed",
            annotation=annotation,
            data={"verdict": verdict.pk, "rating": rating.slug, "evidence": len(cleaned)},
        )
        _enqueue("notify", "proposed", verdict.pk)
    return verdict


def _lock_verdict(verdict_id: int) -> Verdict:
    return (
        Verdict.objects.select_for_update(of=("self",)).select_related("rating").get(pk=verdict_id)
    )


def verdict_approve(*, actor: Any, verdict_id: int, note: str = "") -> Verdict:
    """A chief approves a proposed verdict, never their own (four eyes).

    Locks the verdict, then the annotation. Raises Forbidden, Conflict (not `proposed`).
    """
    with transaction.atomic():
        verdict = _lock_verdict(verdict_id)
        _require(policy.has_role(actor, ROLE_CHIEF), _("only chiefs can approve verdicts"))
        _require(
            policy.can_decide_verdict(actor, verdict), _("you cannot approve your own verdict")
        )
        if verdict.status != Verdict.Status.PROPOSED:
            raise Conflict(
                _("the verdict is %(status)s; only proposed verdicts can be approved")
                % {"status": _status_name(verdict.status, Verdict.Status)}
            )
        annotation = _lock_annotation(verdict.annotation_id)
        if annotation.status == Annotation.Status.WITHDRAWN:
            raise Conflict(_("the annotation is withdrawn"))
        _article_allows(actor, annotation.article, policy.Act.DECIDE)
        if annotation.exact != verdict.quote:
            # The text-change path sets such a verdict aside; this guards any other.
            raise Conflict(_("the span's text changed since the verdict was proposed"))
        verdict.status = Verdict.Status.APPROVED
        verdict.decided_by = actor
        verdict.decided_at = timezone.now()
        verdict.decision_note = (note or "").strip()
        verdict.approved_quote = annotation.exact
        verdict.approved_revision = annotation.article.revision
        verdict.save(
            update_fields=[
                "status",
                "decided_by",
                "decided_at",
                "decision_note",
                "approved_quote",
                "approved_revision",
            ]
        )
        _bump(annotation, status=Annotation.Status.APPROVED)
        event_record(
            actor=actor,
            verb="verdict.approved",
            annotation=annotation,
            data={
                "verdict": verdict.pk,
                "rating": verdict.rating.slug,
                "note": verdict.decision_note,
                "quote": verdict.approved_quote[:500],
                "revision": verdict.approved_revision,
            },
        )
        corrected = verdict.supersedes
        if corrected is not None and corrected.approved_quote:
            # A verdict the public saw is replaced: the report shows a dated correction.
            event_record(
                actor=actor,
                verb="article.corrected",
                annotation=annotation,
                data={
                    "verdict": verdict.pk,
                    "corrects": corrected.pk,
                    "old_quote": corrected.approved_quote[:500],
                    "new_quote": verdict.approved_quote[:500],
                    "old_rating": corrected.rating.slug,
                    "new_rating": verdict.rating.slug,
                },
            )
    return verdict


def verdict_reject(*, actor: Any, verdict_id: int, note: str) -> Verdict:
    """A chief rejects with a note; the item returns to its reviewer's queue.

    Locks the verdict, then the annotation. Raises Forbidden, Invalid (no note), Conflict.
    """
    note = (note or "").strip()
    with transaction.atomic():
        verdict = _lock_verdict(verdict_id)
        _require(policy.has_role(actor, ROLE_CHIEF), _("only chiefs can reject verdicts"))
        _require(policy.can_decide_verdict(actor, verdict), _("you cannot reject your own verdict"))
        if verdict.status != Verdict.Status.PROPOSED:
            raise Conflict(
                _("the verdict is %(status)s; only proposed verdicts can be rejected")
                % {"status": _status_name(verdict.status, Verdict.Status)}
            )
        if not note:
            raise Invalid(_("say why the verdict is rejected"), field="note")
        annotation = _lock_annotation(verdict.annotation_id)
        _article_allows(actor, annotation.article, policy.Act.DECIDE)
        verdict.status = Verdict.Status.REJECTED
        verdict.decided_by = actor
        verdict.decided_at = timezone.now()
        verdict.decision_note = note
        verdict.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        # A withdrawn annotation gets no pending assignment back: the queue relies on it.
        if annotation.status != Annotation.Status.WITHDRAWN:
            _assignment_reopen(annotation=annotation, reviewer_id=verdict.author_id, actor=actor)
            _bump(annotation, status=Annotation.Status.ASSIGNED)
        event_record(
            actor=actor,
            verb="verdict.rejected",
            annotation=annotation,
            data={"verdict": verdict.pk, "rating": verdict.rating.slug, "note": note},
        )
        _enqueue("notify", "rejected", verdict.pk)
    return verdict


def _evidence_create(
    *, actor: Any, annotation: Annotation, item: EvidenceInput, verdict: Verdict | None = None
) -> Evidence:
    evidence = Evidence.objects.create(
        annotation=annotation,
        verdict=verdict,
        url=item.url,
        title=item.title[:500],
        note=item.note,
        added_by=actor,
    )
    check = SourceCheck.objects.create(
        annotation=annotation,
        evidence=evidence,
        url=evidence.url,
        article_revision=annotation.article.revision,
        requested_by=actor,
    )
    event_record(
        actor=actor,
        verb="evidence.added",
        annotation=annotation,
        data={"evidence": evidence.pk, "url": evidence.url, "title": evidence.title},
    )
    _enqueue("check_source", check.pk)
    return evidence


def evidence_add(
    *, actor: Any, annotation_id: int, url: str, title: str = "", note: str = ""
) -> Evidence:
    """Add evidence; its URL gets a source check in the same transaction."""
    item = EvidenceInput(url=check_url(url), title=title or "", note=note or "")
    with transaction.atomic():
        annotation = _lock_annotation(annotation_id)
        _require(
            policy.can_work_on_evidence(actor, annotation),
            _("only editors, chiefs and the assigned reviewer can add evidence"),
        )
        _evidence_may_change(annotation, actor)
        existing = Evidence.objects.filter(
            annotation=annotation, url=item.url, removed_at__isnull=True
        ).first()
        if existing is not None:
            # A double click, or the same source twice: one evidence, one check.
            existing.is_existing = True
            return existing
        return _evidence_create(actor=actor, annotation=annotation, item=item)


def _evidence_may_change(annotation: Annotation, actor: Any = None) -> None:
    """Evidence is frozen once the verdict it supports is approved: the published report
    shows what the chief approved, and nobody changes it afterwards."""
    _article_allows(actor, annotation.article, policy.Act.REVIEW)
    if annotation.status == Annotation.Status.WITHDRAWN:
        raise Conflict(_("the annotation is withdrawn"))
    if annotation.status == Annotation.Status.APPROVED:
        raise Conflict(_("the verdict is approved; its evidence can no longer change"))


def evidence_reuse(*, actor: Any, annotation_id: int, verdict_id: int) -> list[Evidence]:
    """Copy the evidence an approved verdict rests on (`selectors.evidence_behind`) onto
    this annotation, as new evidence added by `actor`, each with its source check. URLs the
    annotation already has are skipped. Returns the new items (possibly none).

    Locks the annotation, so two reuses at once cannot add a URL twice. Raises Forbidden
    (may not add evidence here), Conflict (withdrawn), Invalid (the verdict is not
    approved, or belongs to this annotation), Verdict.DoesNotExist.
    """
    with transaction.atomic():
        annotation = _lock_annotation(annotation_id)
        _require(
            policy.can_work_on_evidence(actor, annotation),
            _("only editors, chiefs and the assigned reviewer can add evidence"),
        )
        _evidence_may_change(annotation, actor)
        verdict = Verdict.objects.get(pk=verdict_id)
        if verdict.status != Verdict.Status.APPROVED:
            raise Invalid(
                _("the verdict is %(status)s; only approved verdicts lend their evidence")
                % {"status": _status_name(verdict.status, Verdict.Status)},
                field="verdict",
            )
        if verdict.annotation_id == annotation.pk:
            raise Invalid(_("the verdict is this annotation's own"), field="verdict")
        present = set(
            Evidence.objects.filter(annotation=annotation, removed_at__isnull=True).values_list(
                "url", flat=True
            )
        )
        added = []
        for source in selectors.evidence_behind([verdict])[verdict.pk]:
            if source.url in present:
                continue
            present.add(source.url)
            item = EvidenceInput(url=source.url, title=source.title, note=source.note)
            added.append(_evidence_create(actor=actor, annotation=annotation, item=item))
        event_record(
            actor=actor,
            verb="evidence.reused",
            annotation=annotation,
            data={
                "verdict": verdict.pk,
                "from_annotation": verdict.annotation_id,
                "added": len(added),
            },
        )
    return added


def evidence_remove(*, actor: Any, evidence_id: int) -> Evidence:
    """Hide evidence (removed_at); the row and its checks stay for the audit trail."""
    with transaction.atomic():
        evidence = (
            Evidence.objects.select_for_update(of=("self",))
            .select_related("annotation__article")
            .get(pk=evidence_id)
        )
        _require(
            policy.can_work_on_evidence(actor, evidence.annotation),
            _("only editors, chiefs and the assigned reviewer can remove evidence"),
        )
        _evidence_may_change(evidence.annotation, actor)
        if evidence.removed_at is not None:
            raise Conflict(_("the evidence is already removed"))
        evidence.removed_at = timezone.now()
        evidence.removed_by = actor
        evidence.save(update_fields=["removed_at", "removed_by"])
        event_record(
            actor=actor,
            verb="evidence.removed",
            annotation=evidence.annotation,
            data={"evidence": evidence.pk, "url": evidence.url},
        )
    return evidence


def comment_add(*, actor: Any, annotation_id: int, body: str) -> Comment:
    _require(policy.can_comment(actor), _("you cannot comment"))
    body = (body or "").strip()
    if not body:
        raise Invalid(_("the comment is empty"), field="body")
    with transaction.atomic():
        annotation = Annotation.objects.select_related("article").get(pk=annotation_id)
        _article_allows(actor, annotation.article, policy.Act.REVIEW)
        comment = Comment.objects.create(annotation=annotation, author=actor, body=body)
        event_record(
            actor=actor,
            verb="comment.added",
            annotation=annotation,
            data={"comment": comment.pk, "body": body[:500]},
        )
    return comment


# --- source checks and suggestions ---------------------------------------------------------


def source_checks_request(*, actor: Any, annotation_id: int) -> list[SourceCheck]:
    """Re-run: a new pending check for every live evidence URL and the source span itself.

    Evidence whose check is still pending or running keeps that check (it is returned, not
    repeated): pressing "re-run" again and again never sends more than one fetch per URL
    at a time, to the cited site or through the queue. A check stuck that way is the
    sweep's to re-enqueue."""
    with transaction.atomic():
        annotation = _lock_annotation(annotation_id)
        _require(
            policy.can_request_check(actor, annotation),
            _("only editors, chiefs and the assigned reviewer can request checks"),
        )
        _article_allows(actor, annotation.article, policy.Act.REVIEW)
        unsettled = {
            check.evidence_id: check
            for check in SourceCheck.objects.filter(
                annotation=annotation,
                evidence__isnull=False,
                status__in=[SourceCheck.Status.PENDING, SourceCheck.Status.RUNNING],
            ).order_by("id")
        }
        checks = []
        for evidence in Evidence.objects.filter(annotation=annotation, removed_at__isnull=True):
            if evidence.pk in unsettled:
                checks.append(unsettled[evidence.pk])
                continue
            check = SourceCheck.objects.create(
                annotation=annotation,
                evidence=evidence,
                url=evidence.url,
                article_revision=annotation.article.revision,
                requested_by=actor,
            )
            checks.append(check)
            _enqueue("check_source", check.pk)
        if annotation.label.slug == "source":
            checks.extend(_source_span_checks(actor=actor, annotation=annotation))
        event_record(
            actor=actor,
            verb="source_check.requested",
            annotation=annotation,
            data={"checks": [c.pk for c in checks]},
        )
    return checks


def suggestions_replace(*, article_id: int, revision: int, found: Iterable[cues.Suggestion]) -> int:
    """Store the analysis of one revision. Skips spans that already have an annotation or
    a dismissed suggestion with the same label, so a dismissal sticks across text edits."""
    with transaction.atomic():
        article = Article.objects.select_for_update().get(pk=article_id)
        if article.revision != revision:
            return 0  # a newer text is being analysed
        labels = {label.slug: label for label in Label.objects.all()}
        taken = set(
            Annotation.objects.filter(article=article)
            .exclude(status=Annotation.Status.WITHDRAWN)
            .values_list("start", "end", "label__slug")
        )
        dismissed = {
            (s.exact, s.label_id)
            for s in Suggestion.objects.filter(article=article, status=Suggestion.Status.DISMISSED)
        }
        Suggestion.objects.filter(article=article, status=Suggestion.Status.PENDING).delete()
        rows = []
        for item in found:
            label = labels.get(item.label)
            if label is None or (item.start, item.end, item.label) in taken:
                continue
            exact = article.text[item.start : item.end]
            if (exact, label.pk) in dismissed:
                continue
            rows.append(
                Suggestion(
                    article=article,
                    revision=revision,
                    start=item.start,
                    end=item.end,
                    exact=exact,
                    label=label,
                    cue=item.cue[:200],
                    score=item.score,
                    flags=[
                        {"code": f.code, "cue": f.cue, "explanation": f.explanation}
                        for f in item.flags
                    ],
                )
            )
        Suggestion.objects.bulk_create(rows)
        event_record(
            actor=None,
            verb="article.analysed",
            article=article,
            data={"revision": revision, "suggestions": len(rows)},
        )
    return len(rows)


def suggestion_accept(*, actor: Any, suggestion_id: int) -> Annotation:
    """An editor turns a suggestion into an annotation of their own."""
    _require(
        policy.can_accept_suggestion(actor), _("only editors and chiefs can accept suggestions")
    )
    with transaction.atomic():
        suggestion = (
            Suggestion.objects.select_for_update().select_related("label").get(pk=suggestion_id)
        )
        if suggestion.status != Suggestion.Status.PENDING:
            raise Conflict(
                _("the suggestion is %(status)s")
                % {"status": _status_name(suggestion.status, Suggestion.Status)}
            )
        annotation = annotation_create(
            actor=actor,
            article_id=suggestion.article_id,
            label=suggestion.label,
            start=suggestion.start,
            end=suggestion.end,
            exact=suggestion.exact,
            note=suggestion.cue,
            verb="suggestion.accepted",
        )
        suggestion.status = Suggestion.Status.ACCEPTED
        suggestion.annotation = annotation
        suggestion.decided_by = actor
        suggestion.save(update_fields=["status", "annotation", "decided_by"])
    return annotation


def suggestion_dismiss(*, actor: Any, suggestion_id: int) -> Suggestion:
    _require(
        policy.can_accept_suggestion(actor), _("only editors and chiefs can dismiss suggestions")
    )
    with transaction.atomic():
        suggestion = Suggestion.objects.select_for_update().get(pk=suggestion_id)
        if suggestion.status != Suggestion.Status.PENDING:
            raise Conflict(
                _("the suggestion is %(status)s")
                % {"status": _status_name(suggestion.status, Suggestion.Status)}
            )
        _article_allows(actor, suggestion.article, policy.Act.ANNOTATE)
        suggestion.status = Suggestion.Status.DISMISSED
        suggestion.decided_by = actor
        suggestion.save(update_fields=["status", "decided_by"])
        event_record(
            actor=actor,
            verb="suggestion.dismissed",
            article=suggestion.article,
            data={
                "suggestion": suggestion.pk,
                "label": suggestion.label_id,
                "exact": suggestion.exact[:200],
            },
        )
    return suggestion


def users_with_role(role: str) -> Any:
    return User.objects.filter(groups__name=role, is_active=True).order_by("username")


def reviewer_by_name_or_id(value: Any) -> Any:
    """Resolve `{reviewer: username or id}`; raises Invalid naming the unknown reviewer."""
    lookup = {"pk": int(value)} if str(value).isdigit() else {"username": str(value)}
    try:
        return User.objects.get(**lookup)
    except User.DoesNotExist:
        raise Invalid(
            _("unknown reviewer '%(reviewer)s'") % {"reviewer": value}, field="reviewer"
        ) from None


# --- background work (called by tasks.py) ---------------------------------------------------

# A source check is tried at most this often: the first delivery and three retries after a
# transport error. Counted on the row (`attempts`), so a message re-sent by the sweep cannot
# restart the count the way Celery's per-message `retries` would.
CHECK_MAX_ATTEMPTS = tasks.FETCH_MAX_ATTEMPTS


def _fetch(url: str) -> Any:
    """fetch.fetch() with the configured allow-list and limits; returns its FetchResult."""
    from .. import fetch

    return fetch.fetch(
        url,
        allow_hosts=settings.FETCH_ALLOW_HOSTS,
        max_bytes=settings.FETCH_MAX_BYTES,
        connect_timeout=settings.FETCH_CONNECT_TIMEOUT,
        read_timeout=settings.FETCH_READ_TIMEOUT,
        total_timeout=settings.FETCH_TOTAL_TIMEOUT,
    )


def _flag_dicts(flags: Iterable[cues.Flag]) -> list[dict[str, str]]:
    return [{"code": f.code, "cue": f.cue, "explanation": f.explanation} for f in flags]


def article_analyse(*, article_id: int) -> int:
    """Suggest spans for the article's current revision, and give every live `source` span
    its checks for that revision (vague attribution, and each URL it holds).

    Runs on create, import and every text change. Locks the article while it adds checks,
    so two deliveries of the same analysis add them once. Returns the number of suggestions.
    """
    article = Article.objects.filter(pk=article_id).only("text", "language", "revision").first()
    if article is None or not article.text:
        return 0
    found = cues.suggest(article.text, (article.language or "und")[:2])
    stored = suggestions_replace(article_id=article.pk, revision=article.revision, found=found)
    _source_checks_refresh(article_id=article.pk)
    return stored


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
        created = []
        for span in spans:
            wanted = [("", span.exact)] + [
                (url[:2000], "") for url in dict.fromkeys(URL_IN_TEXT.findall(span.exact))
            ]
            for url, attribution in wanted:
                if (span.pk, url, attribution) in existing:
                    continue
                created.append(
                    SourceCheck.objects.create(
                        annotation=span,
                        url=url,
                        attribution=attribution,
                        article_revision=article.revision,
                    )
                )
        for check in created:
            _enqueue("check_source", check.pk)
        if created:
            event_record(
                actor=None,
                verb="source_check.requested",
                article=article,
                data={"checks": [c.pk for c in created], "revision": article.revision},
            )
    return created


def article_import_url(*, article_id: int, final_attempt: bool = True) -> Article | None:
    """Fetch an `importing` article's URL through the SSRF guard and store its text.

    `importing` → `draft` with the page's title and main text, or → `import_failed` with the
    message. Raises TransientFetchError (for the task to retry) unless `final_attempt`.
    """
    from .. import fetch

    article = Article.objects.filter(pk=article_id).first()
    if article is None or article.status != Article.Status.IMPORTING:
        return article  # an earlier delivery finished it
    try:
        result = _fetch(article.source_url)
    except fetch.BlockedURL as exc:
        return article_import_finish(article_id=article_id, error=f"blocked: {exc.message}")
    except fetch.TransientFetchError as exc:
        if not final_attempt:
            raise
        return article_import_finish(article_id=article_id, error=exc.message)
    except fetch.FetchError as exc:
        return article_import_finish(article_id=article_id, error=exc.message)
    return article_import_finish(article_id=article_id, title=result.title, body=result.text)


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
        event_record(
            actor=None,
            verb="source_check.finished",
            annotation=check.annotation,
            data={
                "check": check.pk,
                "status": check.status,
                "url": check.url,
                "error": check.error,
                "flags": [f["code"] for f in check.flags or []],
            },
        )
    return True


def _flag_evidence_health(check: SourceCheck) -> None:
    """Compare with the evidence's previous successful check: flag `changed` (the text's
    hash differs) or `unreachable` (it answered before and does not now). Flags write an
    Event and, behind an approved verdict, email the chiefs."""
    previous = (
        SourceCheck.objects.filter(
            evidence_id=check.evidence_id, status=SourceCheck.Status.DONE, finished_at__isnull=False
        )
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
                "explanation": (
                    f"The source answered when it was checked on {checked_on}; now: {check.error}."
                ),
            }
        )
    elif previous.sha256 and check.sha256 and previous.sha256 != check.sha256:
        flags.append(
            {
                "code": "changed",
                "cue": "sha256",
                "explanation": (
                    f"The source's text changed since it was checked on {checked_on}; "
                    "read it again before relying on it."
                ),
            }
        )
    else:
        return
    SourceCheck.objects.filter(pk=check.pk).update(flags=flags)
    check.flags = flags
    event_record(
        actor=None,
        verb="evidence.health",
        annotation=check.annotation,
        data={
            "evidence": check.evidence_id,
            "check": check.pk,
            "previous_check": previous.pk,
            "flags": [f["code"] for f in flags],
        },
    )
    if check.annotation.status == Annotation.Status.APPROVED:
        _enqueue("notify", "evidence_health", check.pk)


def _quote_result(
    check: SourceCheck, source_text: str, language: str
) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """Whether the annotation's quote (for a claim, else its key phrase) is in the source."""
    annotation = check.annotation
    if check.evidence_id is None:
        # A URL inside a `source` span: the span names the source; nothing of it is quoted.
        return {"quote_found": None, "quote_score": None, "excerpt": ""}, []
    match = text.find_quote(source_text, annotation.exact)
    flags = []
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
                            "explanation": (
                                "The claim's exact words are not in the source; its key "
                                f"phrase “{phrase}” is."
                            ),
                        }
                    )
    fields = {
        "quote_found": match.found,
        "quote_score": round(match.score, 1),
        "excerpt": match.excerpt,
    }
    return fields, flags


def source_check_run(*, check_id: int) -> SourceCheck | None:
    """Run one source check; None when this delivery had nothing to do.

    Idempotent: the row is claimed with a conditional UPDATE, so a check that is finished,
    or running in another worker, is neither fetched nor written again. Outcomes: `done`
    (with the page's status, final URL, type, title, text hash, and the quote match, or the
    vague-source flags of an attribution), `failed` with a message, `blocked` with the reason.

    Raises TransientFetchError while attempts remain, after handing the row back as
    `pending` for the task's retry (or the sweep) to claim.
    """
    from .. import fetch

    check = _claim_check(check_id, stale_after=settings.FACTCHECK_STALE_CHECK_SECONDS)
    if check is None:
        return None
    if check.attempts > CHECK_MAX_ATTEMPTS:
        # The earlier attempts died mid-check (a killed worker, the hard time limit).
        last = f": {check.error}" if check.error else ""
        _finish_check(
            check,
            status=SourceCheck.Status.FAILED,
            error=f"gave up after {CHECK_MAX_ATTEMPTS} attempts{last}",
        )
        return check
    language = check.annotation.article.language or ""
    if not check.url:
        flags = cues.vague_source_flags(check.attribution, language)
        _finish_check(check, status=SourceCheck.Status.DONE, error="", flags=_flag_dicts(flags))
        return check
    try:
        result = _fetch(check.url)
    except fetch.BlockedURL as exc:
        # final_url is the hop that was refused, which may be a redirect's target.
        _finish_check(
            check,
            status=SourceCheck.Status.BLOCKED,
            error=exc.message,
            final_url=(exc.url or "")[:2000],
        )
        return check
    except fetch.TransientFetchError as exc:
        if check.attempts < CHECK_MAX_ATTEMPTS:
            SourceCheck.objects.filter(_held(check)).update(
                status=SourceCheck.Status.PENDING, error=exc.message, http_status=exc.status
            )
            raise
        _finish_failed(check, exc)
        return check
    except fetch.FetchError as exc:
        _finish_failed(check, exc)
        return check
    quote, flags = _quote_result(check, result.text, language)
    if result.truncated:
        flags.append(
            {
                "code": "truncated",
                "cue": f"{settings.FETCH_MAX_BYTES:,} bytes",
                "explanation": (
                    "The page is larger than the fetch limit; only its first "
                    f"{settings.FETCH_MAX_BYTES // (1024 * 1024)} MB were read and searched."
                ),
            }
        )
    _finish_check(
        check,
        status=SourceCheck.Status.DONE,
        error="",
        http_status=result.status,
        final_url=result.final_url[:2000],
        content_type=result.content_type[:200],
        title=result.title[:500],
        sha256=result.sha256,
        flags=flags,
        **quote,
    )
    return check


def _finish_failed(check: SourceCheck, exc: Any) -> None:
    """Store a fetch.FetchError as the check's failure."""
    _finish_check(
        check,
        status=SourceCheck.Status.FAILED,
        error=exc.message,
        http_status=exc.status,
        final_url=(exc.url or "")[:2000],
    )


def source_check_give_up(*, check_id: int, error: str) -> bool:
    """Finish a `running` check as `failed` (its task ran out of time); False if it is not
    running any more."""
    check = (
        SourceCheck.objects.select_related("annotation__label", "annotation__article")
        .filter(pk=check_id, status=SourceCheck.Status.RUNNING)
        .first()
    )
    return check is not None and _finish_check(check, status=SourceCheck.Status.FAILED, error=error)


def evidence_recheck() -> int:
    """Queue a fresh check of each live evidence URL behind an approved verdict; each check
    is compared with the one before and flags `changed` or `unreachable`.

    Evidence that still has an unfinished check is skipped, so a stopped worker does not
    pile up checks day after day. Returns the number of checks queued.
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
            check = SourceCheck.objects.create(
                annotation=item.annotation,
                evidence=item,
                url=item.url,
                article_revision=item.annotation.article.revision,
            )
            _enqueue("check_source", check.pk)
            created.append(check.pk)
        event_record(actor=None, verb="evidence.recheck_requested", data={"checks": created})
    return len(created)
