"""Suggestions of an article's analysis."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import F, Q, QuerySet

from .. import machine_text, tasks
from ..models import Article, Event, Job, Suggestion


def article_suggestions(
    article_id: int, *, status: str | None = Suggestion.Status.PENDING
) -> QuerySet[Suggestion]:
    """The article's suggestions. Pending ones only of its current text: after a text edit
    those of the old revision hold old offsets until the analysis of the new text replaces
    them, and drawn on the new text they would outline the wrong words."""
    suggestions = (
        Suggestion.objects.filter(article_id=article_id)
        .exclude(Q(status=Suggestion.Status.PENDING) & ~Q(revision=F("article__revision")))
        .select_related("label")
    )
    if status:
        suggestions = suggestions.filter(status=status)
    return suggestions.order_by("start", "end", "id")


def suggestion_must_belong(article_id: int, suggestion_id: int) -> None:
    """Raise Suggestion.DoesNotExist unless the suggestion is the article's."""
    if not Suggestion.objects.filter(pk=suggestion_id, article_id=article_id).exists():
        raise Suggestion.DoesNotExist


def suggestion_detail(pk: int) -> Suggestion:
    return Suggestion.objects.select_related("label").get(pk=pk)


def pending_suggestion_count(article: Article) -> int:
    """Pending suggestions of the article's current text (see article_suggestions)."""
    return Suggestion.objects.filter(
        article=article, status=Suggestion.Status.PENDING, revision=article.revision
    ).count()


@dataclass(frozen=True)
class Analysis:
    """Where the machine analysis of an article's current text stands.

    `state`: `queued` (asked for, not started; also after a failed attempt that will be
    tried again, with its `error`), `running`, `done` (`suggestions` pending suggestions of
    this text, possibly none), `failed` (given up, with its `error`), or `not_requested`
    (no analysis was asked for this text: an article written before the outbox).
    """

    revision: int
    state: str
    suggestions: int = 0
    attempts: int = 0
    error_code: str = ""
    error_params: dict[str, Any] = field(default_factory=dict)
    error: str = ""  # worded in the active language (machine_text.job_error)
    started_at: datetime | None = None
    finished_at: datetime | None = None

    @property
    def is_pending(self) -> bool:
        return self.state in ("queued", "running")

    def as_dict(self) -> dict[str, Any]:
        return {
            "revision": self.revision,
            "state": self.state,
            "suggestions": self.suggestions,
            "attempts": self.attempts,
            "error": self.error,
            "error_code": self.error_code,
            "error_params": self.error_params,
            "message": machine_text.analysis_message(
                self.state, suggestions=self.suggestions, error=self.error
            ),
            "started_at": self.started_at,
            "finished_at": self.finished_at,
        }


_JOB_STATES = {
    Job.State.PENDING: "queued",
    Job.State.RUNNING: "running",
    Job.State.DONE: "done",
    Job.State.FAILED: "failed",
}


def article_analysis(article: Article) -> Analysis:
    """The analysis of the article's current text: stored (an `article.analysed` event of
    this revision), else the state of the newest analysis job. Two or three queries.

    Every text change asks for a new analysis, so the newest job is the one of this text.
    Unfinished jobs are looked up first, on the partial index `job_unfinished`; the finished
    ones (no index: done jobs are kept a week) only when there is none, which the polling
    page meets once, at the end."""
    if not article.text:
        return Analysis(revision=article.revision, state="done")
    if Event.objects.filter(
        article=article, verb=Event.Verb.ARTICLE_ANALYSED, data__revision=article.revision
    ).exists():
        count = pending_suggestion_count(article)
        return Analysis(revision=article.revision, state="done", suggestions=count)
    jobs = Job.objects.filter(task=tasks.article_analyse.name, args=[article.pk]).order_by(
        "-created_at", "-pk"
    )
    job = jobs.filter(state__in=(Job.State.PENDING, Job.State.RUNNING)).first() or jobs.first()
    if job is None:
        return Analysis(revision=article.revision, state="not_requested")
    state = _JOB_STATES.get(job.state, "queued")
    return Analysis(
        revision=article.revision,
        state=state,
        # A job done without storing anything found no text to analyse.
        suggestions=pending_suggestion_count(article) if state == "done" else 0,
        attempts=job.attempts,
        error_code=job.error_code,
        error_params=dict(job.error_params or {}),
        error=machine_text.job_error(job) if state in ("queued", "failed") else "",
        started_at=job.started_at,
        finished_at=job.finished_at,
    )
