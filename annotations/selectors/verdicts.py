"""Verdicts and ratings: approvals, the public's verdicts, similar claims, single verdicts."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models import (
    Count,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce

from ..models import (
    ROLE_REVIEWER,
    Annotation,
    Article,
    Assignment,
    Evidence,
    Rating,
    SourceCheck,
    Verdict,
)
from .articles import SEARCH_CONFIGS
from .evidence import evidence_behind


def proposed_verdicts() -> QuerySet[Verdict]:
    return (
        Verdict.objects.filter(status=Verdict.Status.PROPOSED, is_sealed=False)
        .exclude(annotation__status=Annotation.Status.WITHDRAWN)
        .select_related(
            "rating",
            "author",
            "annotation__label",
            "annotation__article",
            "annotation__claimant",
        )
        .prefetch_related(
            Prefetch(
                "evidence",
                queryset=Evidence.objects.filter(removed_at__isnull=True, is_sealed=False).order_by(
                    "id"
                ),
            )
        )
        .order_by("created_at", "id")
    )


def ratings() -> QuerySet[Rating]:
    return Rating.objects.order_by("order", "slug")


def approved_claim_verdicts(article: Article) -> list[Verdict]:
    """The verdict the public sees on each live claim span of one article, in text order:
    its approved verdict or, while a text change has the span under review again, the last
    approved one with `under_review_since` set. Each verdict carries `corrects` (the
    approved verdict it replaced after a text change, for the dated correction note) and
    `shown_evidence` (the evidence as it stood when the chief approved it)."""
    rows = list(
        Verdict.objects.filter(
            annotation__article=article,
            annotation__label__needs_verdict=True,
        )
        .exclude(annotation__status=Annotation.Status.WITHDRAWN)
        .filter(
            Q(status=Verdict.Status.APPROVED)
            | Q(status=Verdict.Status.SET_ASIDE, decided_at__isnull=False)
        )
        .select_related(
            "rating",
            "author",
            "decided_by",
            "annotation__label",
            "annotation__claimant",
            "supersedes__rating",
        )
        .prefetch_related(
            Prefetch(
                "annotation__evidence",
                queryset=Evidence.objects.filter(removed_at__isnull=True, is_sealed=False).order_by(
                    "id"
                ),
            )
        )
        .order_by("annotation__start", "annotation__end", "id")
    )
    shown: dict[int, Verdict] = {}
    for verdict in rows:  # ids rise within a span: the last one is the newest
        shown[verdict.annotation_id] = verdict
    for verdict in shown.values():
        verdict.under_review_since = (
            verdict.set_aside_at if verdict.status == Verdict.Status.SET_ASIDE else None
        )
        previous = verdict.supersedes
        verdict.corrects = (
            previous
            if verdict.status == Verdict.Status.APPROVED
            and previous is not None
            and previous.decided_at is not None
            else None
        )
        verdict.shown_evidence = [
            e
            for e in verdict.annotation.evidence.all()
            if verdict.decided_at is None or e.created_at <= verdict.decided_at
        ]
    return list(shown.values())


SIMILAR_LIMIT = 5
# pg_trgm's similarity() of two claims about the same fact worded apart is often 0.3–0.5;
# below 0.3 the matches are noise. rapidfuzz's token_set_ratio (0–100) is the SQLite twin.
TRIGRAM_MIN = 0.3
FUZZ_MIN = 70.0


def similar_claims(annotation: Annotation, *, limit: int = SIMILAR_LIMIT) -> list[dict[str, Any]]:
    """Approved verdicts on similar claims from *other* articles, best match first.

    PostgreSQL: trigram similarity of the quotes (GIN index of migration 0003) or a
    full-text match in the article's language. SQLite: rapidfuzz over recent verdicts.
    """
    if not annotation.exact.strip():
        return []
    verdicts = (
        Verdict.objects.filter(
            status=Verdict.Status.APPROVED,
            annotation__label__needs_verdict=True,
            annotation__status=Annotation.Status.APPROVED,
        )
        .exclude(annotation__article_id=annotation.article_id)
        .select_related("rating", "annotation__article", "author")
    )
    scored: list[tuple[float, Verdict]]
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchVector, TrigramSimilarity

        language = (annotation.article.language or "")[:2]
        config = SEARCH_CONFIGS.get(language, "simple")
        rows = (
            verdicts.annotate(similarity=TrigramSimilarity("annotation__exact", annotation.exact))
            .annotate(document=SearchVector("annotation__exact", config=config))
            .filter(
                Q(similarity__gte=TRIGRAM_MIN)
                | Q(document=SearchQuery(annotation.exact, config=config, search_type="plain"))
            )
            .order_by("-similarity", "-decided_at")[:limit]
        )
        scored = [(round(float(row.similarity), 3), row) for row in rows]
    else:
        from rapidfuzz import fuzz

        scored = []
        for row in verdicts.order_by("-decided_at")[:2000]:
            score = fuzz.token_set_ratio(annotation.exact, row.annotation.exact)
            if score >= FUZZ_MIN:
                scored.append((round(score / 100, 3), row))
        scored.sort(key=lambda pair: pair[0], reverse=True)
        scored = scored[:limit]
    by_verdict = evidence_behind([verdict for _, verdict in scored])
    return [
        {
            "verdict": verdict.pk,
            "annotation": verdict.annotation_id,
            "article": verdict.annotation.article_id,
            "article_title": verdict.annotation.article.title,
            "exact": verdict.annotation.exact,
            "rating": verdict.rating.slug,
            "rating_name": verdict.rating.display_name,
            "rationale": verdict.rationale,
            "decided_at": verdict.decided_at,
            "score": score,
            "evidence": [{"url": e.url, "title": e.title} for e in by_verdict[verdict.pk]],
        }
        for score, verdict in scored
    ]


def verdict_detail(pk: int) -> Verdict:
    """One verdict with what its API object shows."""
    return (
        Verdict.objects.select_related("rating", "author", "decided_by", "annotation")
        .prefetch_related("evidence")
        .get(pk=pk)
    )


def annotation_verdicts(annotation_id: int) -> QuerySet[Verdict]:
    """An annotation's verdicts, a sealed blind proposal left out (its author has it in
    the answer to the proposal and on the review page)."""
    return (
        Verdict.objects.filter(annotation_id=annotation_id, is_sealed=False)
        .select_related("rating", "author", "decided_by", "annotation")
        .prefetch_related("evidence")
        .order_by("created_at", "id")
    )


def verdict_plain(pk: int) -> Verdict:
    return Verdict.objects.get(pk=pk)


def verdict_history(annotation: Annotation, *, viewer: Any = None) -> list[Verdict]:
    """Every verdict of the annotation, oldest first; a sealed blind proposal only when
    `viewer` wrote it (policy.can_see_verdict)."""
    visible = Q(is_sealed=False)
    if viewer is not None and viewer.pk is not None:
        visible |= Q(author_id=viewer.pk)
    return list(
        annotation.verdicts.filter(visible)
        .select_related("rating", "author", "decided_by")
        .order_by("id")
    )


def approvals_page() -> list[Verdict]:
    """Proposed verdicts with each annotation's live evidence (`live_evidence`, each with
    its checks newest first as `check_list`) and earlier rejections (`rejections`)."""
    verdicts = list(proposed_verdicts().defer("annotation__article__text"))
    prefetch_related_objects(
        [verdict.annotation for verdict in verdicts],
        Prefetch(
            "evidence",
            queryset=Evidence.objects.filter(removed_at__isnull=True, is_sealed=False)
            .prefetch_related(
                Prefetch(
                    "checks",
                    queryset=SourceCheck.objects.order_by("-requested_at", "-id"),
                    to_attr="check_list",
                )
            )
            .order_by("id"),
            to_attr="live_evidence",
        ),
        Prefetch(
            "verdicts",
            queryset=Verdict.objects.filter(status=Verdict.Status.REJECTED)
            .select_related("rating", "author", "decided_by")
            .order_by("id"),
            to_attr="rejections",
        ),
    )
    return verdicts


def double_review_waits_for_decision(annotation_id: int) -> bool:
    """Whether the claim's blind double review has both proposals revealed and waiting for
    a chief's decision (one query)."""
    return (
        Verdict.objects.filter(
            annotation_id=annotation_id,
            status=Verdict.Status.PROPOSED,
            is_blind=True,
            is_sealed=False,
        ).count()
        >= 2
    )


def _counted(rows: QuerySet, column: str) -> Coalesce:
    """The number of distinct `column` values among `rows` of the outer annotation."""
    counted = rows.values("annotation").annotate(n=Count(column, distinct=True)).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _at_work(annotation: Any) -> tuple[QuerySet, QuerySet]:
    """The pending assignments of active reviewers, and the blind proposals waiting, of
    `annotation` (an instance or an OuterRef)."""
    pending = Assignment.objects.filter(
        annotation=annotation,
        state=Assignment.State.PENDING,
        reviewer__is_active=True,
        reviewer__groups__name=ROLE_REVIEWER,
    )
    proposed = Verdict.objects.filter(
        annotation=annotation, status=Verdict.Status.PROPOSED, is_blind=True
    )
    return pending, proposed


def double_review_reviewers_at_work(annotation: Annotation) -> int:
    """How many reviewers a blind double review has at work: a pending assignment of an
    active reviewer, or a blind proposal waiting (two queries)."""
    pending, proposed = _at_work(annotation)
    return (
        pending.values("reviewer").distinct().count() + proposed.values("author").distinct().count()
    )


def double_reviews_short_of_reviewers() -> list[Annotation]:
    """The claims marked for blind double review that have fewer than two reviewers at
    work (a pending assignment of an active reviewer, or a blind proposal waiting), oldest
    change first: one declined, or a new round after a text change found one who can no
    longer review. Each carries `reviewers_at_work` and `pending_reviewers` (the names of
    those with a pending assignment). Two queries, however many claims."""
    pending, proposed = _at_work(OuterRef("pk"))
    claims = list(
        Annotation.objects.filter(
            double_review=True,
            status__in=[Annotation.Status.OPEN, Annotation.Status.ASSIGNED],
        )
        .annotate(reviewers_at_work=_counted(pending, "reviewer") + _counted(proposed, "author"))
        .filter(reviewers_at_work__lt=2)
        .select_related("article", "label")
        .defer("article__text")
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=Assignment.objects.filter(
                    state=Assignment.State.PENDING,
                    reviewer__is_active=True,
                    reviewer__groups__name=ROLE_REVIEWER,
                )
                .select_related("reviewer")
                .order_by("id"),
                to_attr="pending_list",
            )
        )
        .order_by("updated_at", "id")
    )
    for claim in claims:
        claim.pending_reviewers = [a.reviewer.username for a in claim.pending_list]
    return claims


def ratings_by_order() -> QuerySet[Rating]:
    return Rating.objects.order_by("order", "slug")
