"""Suggestions: the analysis of an article's text into suggested spans, accepted or dismissed."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from .. import claimant_match, cues, machine_text, policy, selectors
from ..models import (
    Annotation,
    Article,
    Event,
    Label,
    Suggestion,
)
from .annotations import annotation_create
from .base import (
    Conflict,
    User,
    article_allows,
    event_record,
    require_role,
    status_name,
)
from .learning import suggestions_with_model
from .source_checks import _source_checks_refresh, flag_dicts


def article_analyse(*, article_id: int) -> int:
    """Suggest spans for the article's current revision, and give every live `source` span
    its checks for that revision (vague attribution, and each URL it holds).

    Runs on create, import and every text change. Locks the article while it adds checks,
    so two deliveries of the same analysis add them once (and `suggestions_replace` locks
    it to store the suggestions). Raises nothing of its own. Returns the number of
    suggestions.
    """
    article = Article.objects.filter(pk=article_id).only("text", "language", "revision").first()
    if article is None or not article.text:
        return 0
    language = (article.language or "und")[:2]
    # The rules' suggestions stay; the desk's model (when one is active) adds its own for
    # sentences they missed.
    found = suggestions_with_model(
        text=article.text, language=language, rules=cues.suggest(article.text, language)
    )
    stored = suggestions_replace(article_id=article.pk, revision=article.revision, found=found)
    _source_checks_refresh(article_id=article.pk)
    return stored


def suggestions_replace(*, article_id: int, revision: int, found: Iterable[cues.Suggestion]) -> int:
    """Store the analysis of one revision. Skips spans that already have an annotation or
    a dismissed suggestion with the same label, so a dismissal sticks across text edits.

    Locks the article; an analysis of an older revision stores nothing. Raises
    Article.DoesNotExist. Returns the number stored."""
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
        found = list(found)
        speakers = _claim_speakers(article.text, found)
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
                    reasons=[
                        {"code": reason.code, "params": {"words": reason.words[:200]}}
                        for reason in item.reasons
                    ],
                    score=item.score,
                    flags=flag_dicts(item.flags),
                    speaker=speakers.get((item.start, item.end), "")
                    if item.label == cues.CLAIM
                    else "",
                )
            )
        Suggestion.objects.bulk_create(rows)
        event_record(
            actor=None,
            verb=Event.Verb.ARTICLE_ANALYSED,
            article=article,
            data={"revision": revision, "suggestions": len(rows)},
        )
    return len(rows)


def _claim_speakers(text: str, found: list[cues.Suggestion]) -> dict[tuple[int, int], str]:
    """Who each claim's sentence quotes, as its source suggestions name them."""
    attributions = [
        claimant_match.Attribution(
            item.start, item.end, item.cue, tuple(flag.code for flag in item.flags)
        )
        for item in found
        if item.label == cues.SOURCE
    ]
    claims = [(item.start, item.end) for item in found if item.label == cues.CLAIM]
    return claimant_match.claim_speakers(text, claims, attributions)


def _pending_suggestion(suggestion_id: int, *, with_label: bool = False) -> Suggestion:
    """The suggestion, locked (with its label's row when `with_label`). Raises Conflict
    once it is decided."""
    rows = Suggestion.objects.select_for_update()
    if with_label:
        rows = rows.select_related("label")
    suggestion = rows.get(pk=suggestion_id)
    if suggestion.status != Suggestion.Status.PENDING:
        raise Conflict(
            _("the suggestion is %(status)s")
            % {"status": status_name(suggestion.status, Suggestion.Status)}
        )
    return suggestion


def suggestion_accept(*, actor: User, suggestion_id: int) -> Annotation:
    """An editor turns a suggestion into an annotation of their own. A claim whose speaker
    is a known claimant (by name or alias, claimant_match) names that claimant.

    Locks the suggestion, then the article (`annotation_create`). Raises Forbidden,
    Conflict (not pending, already tagged, the article's state), Invalid (the span).
    """
    require_role(actor, "suggestion.accept")
    with transaction.atomic():
        suggestion = _pending_suggestion(suggestion_id, with_label=True)
        claimant = None
        if suggestion.speaker and suggestion.label.needs_verdict:
            match = claimant_match.best_claimant(
                suggestion.speaker, selectors.claimant_name_pairs()
            )
            claimant = match.claimant_id if match is not None else None
        annotation = annotation_create(
            actor=actor,
            article_id=suggestion.article_id,
            label=suggestion.label,
            start=suggestion.start,
            end=suggestion.end,
            exact=suggestion.exact,
            # The reason, worded for the editor who accepts it: the note is theirs now.
            note=machine_text.suggestion_reason(suggestion),
            verb=Event.Verb.SUGGESTION_ACCEPTED,
            claimant=claimant,
        )
        suggestion.status = Suggestion.Status.ACCEPTED
        suggestion.annotation = annotation
        suggestion.decided_by = actor
        suggestion.save(update_fields=["status", "annotation", "decided_by"])
    return annotation


def suggestion_dismiss(*, actor: User, suggestion_id: int) -> Suggestion:
    """Dismiss a suggestion; the next analysis does not suggest its text again.

    Locks the suggestion. Raises Forbidden, Conflict (not pending, the article's state).
    """
    require_role(actor, "suggestion.dismiss")
    with transaction.atomic():
        suggestion = _pending_suggestion(suggestion_id)
        article_allows(actor, suggestion.article, policy.Act.ANNOTATE)
        suggestion.status = Suggestion.Status.DISMISSED
        suggestion.decided_by = actor
        suggestion.save(update_fields=["status", "decided_by"])
        event_record(
            actor=actor,
            verb=Event.Verb.SUGGESTION_DISMISSED,
            article=suggestion.article,
            data={
                "suggestion": suggestion.pk,
                "label": suggestion.label_id,
                "exact": suggestion.exact[:200],
            },
        )
    return suggestion
