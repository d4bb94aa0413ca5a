"""The desk's decisions as training examples, and the versions of the model that learns
from them (annotations.learning)."""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from datetime import datetime

from django.db.models import Max, Q, QuerySet

from .. import cues, learning
from ..models import Annotation, Article, Event, Suggestion, SuggestionModel

# Articles that reached review: their untagged sentences are the desk's weak "no".
REVIEWED = (Article.Status.IN_REVIEW, Article.Status.PUBLISHED, Article.Status.WITHDRAWN)
# How much an untagged sentence of a reviewed article counts against each label, beside an
# explicit decision (a span, an accepted or dismissed suggestion), which counts 1.
WEAK_NEGATIVE = 0.3
# The events that count as new decisions towards the next training.
DECISION_VERBS = (
    Event.Verb.ANNOTATION_CREATED,
    Event.Verb.SUGGESTION_ACCEPTED,
    Event.Verb.SUGGESTION_DISMISSED,
)


def _of_language(language: str, prefix: str = "") -> Q:
    """Articles whose BCP 47 tag has the two-letter `language` ("de", "de-AT")."""
    field = f"{prefix}language"
    return Q(**{f"{field}__iexact": language}) | Q(**{f"{field}__istartswith": f"{language}-"})


class _Sentences:
    """An article's sentences, to find the one a span starts in."""

    def __init__(self, text: str, language: str) -> None:
        self.text = text
        self.spans = cues.sentences(text, language)
        self.starts = [a for a, _b in self.spans]

    def around(self, start: int, end: int) -> tuple[int, int] | None:
        """The sentences from the one holding `start` to the one holding `end - 1`."""
        i = bisect.bisect_right(self.starts, start) - 1
        j = bisect.bisect_right(self.starts, max(start, end - 1)) - 1
        if i < 0 or j < 0:
            return None
        return self.spans[i][0], max(self.spans[j][1], self.spans[i][1])


def training_examples(language: str) -> list[learning.Example]:
    """Every decision of the desk on articles in `language`, as one example per sentence
    and label: each live span (anchored or fuzzy; a span accepted from a suggestion is
    one) says yes for its sentence; each dismissed suggestion says no; each untagged
    sentence of an article that reached review says a weak no (WEAK_NEGATIVE) for every
    label. A sentence decided twice keeps the strongest: yes over no over weak no."""
    spans = (
        Annotation.objects.filter(_of_language(language, "article__"))
        .exclude(status=Annotation.Status.WITHDRAWN)
        .exclude(anchor_state=Annotation.AnchorState.ORPHANED)
        .values_list("article_id", "start", "end", "label__slug")
    )
    dismissed = Suggestion.objects.filter(
        _of_language(language, "article__"), status=Suggestion.Status.DISMISSED
    ).values_list("article_id", "start", "end", "label__slug", "revision", "exact")
    tagged: dict[int, list[tuple[int, int, str]]] = {}
    for article_id, start, end, label in spans:
        tagged.setdefault(article_id, []).append((start, end, label))
    refused: dict[int, list[tuple[int, int, str, int, str]]] = {}
    for article_id, *rest in dismissed:
        refused.setdefault(article_id, []).append(tuple(rest))
    reviewed = set(
        Article.objects.filter(_of_language(language), status__in=REVIEWED).values_list(
            "pk", flat=True
        )
    )
    ids = set(tagged) | set(refused) | reviewed
    found: dict[tuple[str, str], learning.Example] = {}
    for article in Article.objects.filter(pk__in=ids).only("text", "revision").iterator():
        found_in = _article_examples(
            article,
            language,
            tagged.get(article.pk, []),
            refused.get(article.pk, []),
            article.pk in reviewed,
        )
        for example in found_in:
            key = (example.sentence, example.label)
            if key not in found or _strength(example) > _strength(found[key]):
                found[key] = example
    return list(found.values())


def _strength(example: learning.Example) -> tuple[bool, float]:
    return example.positive, example.weight


def _article_examples(
    article: Article,
    language: str,
    tagged: list[tuple[int, int, str]],
    refused: list[tuple[int, int, str, int, str]],
    reviewed: bool,
) -> Iterable[learning.Example]:
    text = article.text
    sentences = _Sentences(text, language)
    yes: set[tuple[int, int, str]] = set()
    for start, end, label in tagged:
        span = sentences.around(start, end)
        if span is not None:
            yes.add((*span, label))
            yield learning.Example(text[span[0] : span[1]], label, True)
    for start, end, label, revision, exact in refused:
        if revision != article.revision or text[start:end] != exact:
            # Dismissed on an older text: its offsets are stale; find its words again.
            start = text.find(exact) if exact else -1
            end = start + len(exact)
        if start < 0:
            continue
        span = sentences.around(start, end)
        if span is not None:
            yield learning.Example(text[span[0] : span[1]], label, False)
    if not reviewed:
        return
    for a, b in sentences.spans:
        if not any(c.isalnum() for c in text[a:b]):
            continue
        for label in cues.LABELS:
            if not any(s < b and a < e and lab == label for s, e, lab in yes):
                yield learning.Example(text[a:b], label, False, WEAK_NEGATIVE)


def decisions_since(language: str, since: datetime | None) -> int:
    """The desk's decisions (spans made, suggestions accepted or dismissed) on articles in
    `language` after `since` (all of them when None)."""
    events = Event.objects.filter(_of_language(language, "article__"), verb__in=DECISION_VERBS)
    if since is not None:
        events = events.filter(created_at__gt=since)
    return events.count()


def suggestion_models(language: str | None = None) -> QuerySet[SuggestionModel]:
    """The trained versions, newest first (without their bytes)."""
    models = SuggestionModel.objects.defer("blob").order_by("language", "-version")
    return models.filter(language=language) if language else models


def latest_training(language: str) -> datetime | None:
    """When the newest version of the language's model was trained; None before the first."""
    return SuggestionModel.objects.filter(language=language).aggregate(t=Max("trained_at"))["t"]


def active_suggestion_model_id(language: str) -> int | None:
    """The id of the language's active model version; None while the rules serve alone."""
    return (
        SuggestionModel.objects.filter(language=language, is_active=True)
        .values_list("pk", flat=True)
        .first()
    )


def suggestion_model_blob(model_id: int) -> bytes:
    """The stored bytes of one version. Raises SuggestionModel.DoesNotExist."""
    return bytes(SuggestionModel.objects.values_list("blob", flat=True).get(pk=model_id))
