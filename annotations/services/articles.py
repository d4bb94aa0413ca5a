"""Articles: create, edit (re-anchoring the spans), archive or withdraw, restore, publish."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .. import policy, selectors, tasks, text
from ..models import (
    Annotation,
    Article,
    ArticleRevision,
    Event,
)
from .base import (
    Conflict,
    Invalid,
    Stale,
    User,
    article_allows,
    article_bump,
    article_size_check,
    event_record,
    require_allowed,
    require_role,
    status_name,
    url_checked,
)
from .jobs import enqueue
from .verdicts import _verdicts_set_aside

# The history's verb for a span that a text change moved (fuzzy) or lost (orphaned).
ANCHOR_VERBS = {
    text.FUZZY: Event.Verb.ANNOTATION_FUZZY,
    text.ORPHANED: Event.Verb.ANNOTATION_ORPHANED,
}


def article_create(
    *,
    actor: User,
    title: str,
    body: str,
    language: str | None = None,
    source_url: str = "",
    outlet: str = "",
    byline: str = "",
    published_at: datetime | None = None,
) -> Article:
    """Create an article with revision 1 and queue its analysis.

    Takes no lock (new rows only). Raises Forbidden, Invalid (empty title or text, a bad
    source URL), TooLarge.
    """
    require_role(actor, "article.create")
    body = text.normalise(body or "")
    title = (title or "").strip()
    if not title:
        raise Invalid(_("a title is required"), field="title")
    if not body.strip():
        raise Invalid(_("the article text is empty"), field="text")
    article_size_check(body)
    if source_url:
        source_url = url_checked(source_url, field="source_url")
    with transaction.atomic():
        article = Article.objects.create(
            title=title[:500],
            text=body,
            language=(language or "").strip() or text.detect_language(body),
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
            verb=Event.Verb.ARTICLE_CREATED,
            article=article,
            data={"title": article.title, "language": article.language, "chars": len(body)},
        )
        enqueue(tasks.article_analyse, article.pk)
    return article


def article_update(
    *,
    actor: User,
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
    require_role(actor, "article.edit")
    allowed = {"title", "language", "source_url", "outlet", "byline", "published_at"}
    unknown = set(fields) - allowed
    if unknown:
        raise Invalid(_("unknown field(s): %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    if "title" in fields and not (fields["title"] or "").strip():
        raise Invalid(_("a title is required"), field="title")
    if fields.get("source_url"):
        fields["source_url"] = url_checked(fields["source_url"], field="source_url")
    new_text = None
    if body is not None:
        new_text = text.normalise(body)
        if not new_text.strip():
            raise Invalid(_("the article text is empty"), field="text")
        article_size_check(new_text)
    with transaction.atomic():
        article = Article.objects.select_for_update().get(pk=article_id)
        article_allows(actor, article, policy.Act.EDIT)
        _version_check(article, expected_version)
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
                verb=Event.Verb.ARTICLE_UPDATED,
                article=article,
                data={
                    "fields": sorted(changed),
                    "revision": article.revision,
                    **({"reanchored": counts} if counts else {}),
                },
            )
        if counts is not None:
            enqueue(tasks.article_analyse, article.pk)
    return article, counts


def _version_check(article: Article, expected_version: int | None) -> None:
    """An edit sent with `expected_version` (an If-Match) is a compare-and-set on the locked
    article: raise Stale when someone saved meanwhile."""
    if expected_version is not None and expected_version != article.version:
        raise Stale(
            _(
                "the article was changed by someone else (now version %(current)s, "
                "you edited version %(expected)s); reload to see their change"
            )
            % {"current": article.version, "expected": expected_version}
        )


def _reanchor_article(*, actor: User, article: Article, new_text: str) -> dict[str, int]:
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
                    verb=ANCHOR_VERBS[anchor.state],
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


def article_archive(
    *, actor: User, article_id: int, reason: str = "", expected_version: int | None = None
) -> Article:
    """Archive an article (read-only, hidden from lists), or, when it is published,
    withdraw the fact-check: a chief's act, whose report then says "withdrawn" instead of
    disappearing. Both are recorded and undone by `article_restore`. With
    `expected_version` (an If-Match) it is a compare-and-set like `article_update`.

    Locks the article. Raises Forbidden, Stale, Conflict (already archived or withdrawn,
    still importing, or a published fact-check and the actor is not a chief)."""
    require_role(actor, "article.archive")
    with transaction.atomic():
        article = Article.objects.select_for_update().get(pk=article_id)
        _version_check(article, expected_version)
        if article.status in (Article.Status.ARCHIVED, Article.Status.WITHDRAWN):
            raise Conflict(
                _("the article is already %(status)s")
                % {"status": status_name(article.status, Article.Status)}
            )
        article_allows(actor, article, policy.Act.ARCHIVE)
        previous = article.status
        article.status_before = previous
        if previous == Article.Status.PUBLISHED:
            article.status = Article.Status.WITHDRAWN
            article.withdrawn_at = timezone.now()
            verb = Event.Verb.ARTICLE_WITHDRAWN
        else:
            article.status = Article.Status.ARCHIVED
            verb = Event.Verb.ARTICLE_ARCHIVED
        article_bump(article, "status", "status_before", "withdrawn_at")
        event_record(
            actor=actor,
            verb=verb,
            article=article,
            data={"from": previous, "reason": (reason or "").strip()[:1000]},
        )
    return article


def article_restore(*, actor: User, article_id: int) -> Article:
    """Undo an archive (editors and chiefs) or a withdrawal (chiefs): the article returns
    to the status it had, and a withdrawn fact-check is published again.

    Locks the article. Raises Forbidden, Conflict (neither archived nor withdrawn)."""
    require_role(actor, "article.restore")
    with transaction.atomic():
        article = Article.objects.select_for_update().get(pk=article_id)
        require_allowed(actor, "article.restore", article)
        article_allows(actor, article, policy.Act.RESTORE)
        previous = article.status
        article.status = article.status_before or Article.Status.DRAFT
        if previous == Article.Status.WITHDRAWN:
            article.status = Article.Status.PUBLISHED
            article.withdrawn_at = None
        article.status_before = ""
        article_bump(article, "status", "status_before", "withdrawn_at")
        event_record(
            actor=actor,
            verb=Event.Verb.ARTICLE_RESTORED,
            article=article,
            data={"from": previous, "to": article.status},
        )
    return article


def article_publish(
    *,
    actor: User,
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
    require_role(actor, "article.publish")
    acknowledged = set(acknowledge)
    with transaction.atomic():
        article = Article.objects.select_for_update().get(pk=article_id)
        if article.status == Article.Status.PUBLISHED:
            return article, False
        article_allows(actor, article, policy.Act.PUBLISH)
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
                verb=Event.Verb.ARTICLE_WARNING_ACKNOWLEDGED,
                article=article,
                annotation_id=warning.get("annotation"),
                # The code, URL and quote word the warning again for each reader of the
                # history; the message is the chief's wording, for readers that know no code.
                data={
                    k: warning[k]
                    for k in ("key", "code", "message", "url", "exact")
                    if k in warning
                },
            )
        previous = article.status
        article.status = Article.Status.PUBLISHED
        article.first_published_at = article.first_published_at or timezone.now()
        article_bump(article, "status", "first_published_at")
        event_record(
            actor=actor,
            verb=Event.Verb.ARTICLE_PUBLISHED,
            article=article,
            data={
                "from": previous,
                "open_claims": len(open_claims),
                "with_open_claims": bool(with_open_claims),
                "acknowledged": [w["key"] for w in gate.warnings],
            },
        )
    return article, True
