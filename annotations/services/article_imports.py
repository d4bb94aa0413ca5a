"""Articles from elsewhere: an uploaded file, or a URL a worker fetches and imports."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction

from .. import fetch, machine_text, policy, tasks, text, uploads
from ..models import (
    Article,
    ArticleRevision,
    Event,
)
from .base import (
    Invalid,
    TooLarge,
    User,
    article_allows,
    article_bump,
    event_record,
    require_role,
    url_checked,
    url_fetch,
)
from .jobs import enqueue


def decode_upload(*, filename: str, payload: bytes) -> tuple[str, str]:
    """Turn an uploaded .txt/.md/.html file into (title, text) for `article_create`
    (uploads.decode_upload). No lock, writes nothing. Raises Invalid (field `file`: type,
    encoding, NUL, no text) or TooLarge (field `text`)."""
    try:
        return uploads.decode_upload(
            filename=filename, payload=payload, max_chars=settings.FACTCHECK_MAX_ARTICLE_CHARS
        )
    except uploads.UploadError as exc:
        error = TooLarge if exc.too_large else Invalid
        raise error(exc.message, field=exc.field) from exc


def article_create_from_url(*, actor: User, url: str) -> Article:
    """Create an `importing` article whose text a worker fetches (task article_import_url).

    Takes no lock (a new row). Raises Forbidden, Invalid (not an http(s) URL)."""
    require_role(actor, "article.import")
    url = url_checked(url)
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
            actor=actor,
            verb=Event.Verb.ARTICLE_IMPORT_REQUESTED,
            article=article,
            data={"url": url},
        )
        enqueue(tasks.article_import_url, article.pk)
    return article


def article_import_retry(*, actor: User, article_id: int) -> Article:
    """Fetch a failed import's URL again: `import_failed` → `importing`, its job in the
    outbox as for a new URL import (article_import_url), recorded as a repeated request.

    Locks the article. Raises Forbidden, Conflict (not a failed import), Invalid (it has
    no URL to fetch: a failed import always has one, so only a hand-made row)."""
    require_role(actor, "article.import")
    with transaction.atomic():
        article = Article.objects.select_for_update().get(pk=article_id)
        article_allows(actor, article, policy.Act.REIMPORT)
        url = url_checked(article.source_url)
        previous_error = article.import_error
        article.status = Article.Status.IMPORTING
        article.import_error = ""
        article.import_error_code = ""
        article.import_error_params = {}
        article_bump(article, "status", "import_error", "import_error_code", "import_error_params")
        event_record(
            actor=actor,
            verb=Event.Verb.ARTICLE_IMPORT_REQUESTED,
            article=article,
            data={"url": url, "retry": True, "previous_error": previous_error[:500]},
        )
        enqueue(tasks.article_import_url, article.pk)
    return article


def article_import_url(*, article_id: int, final_attempt: bool = True) -> Article | None:
    """Fetch an `importing` article's URL through the SSRF guard and store its text.

    `importing` → `draft` with the page's title and main text, or → `import_failed` with the
    message. The fetch runs outside any transaction; `article_import_finish` locks the
    article to store the outcome. Raises fetch.TransientFetchError (for the task to retry)
    unless `final_attempt`.
    """
    article = Article.objects.filter(pk=article_id).first()
    if article is None or article.status != Article.Status.IMPORTING:
        return article  # an earlier delivery finished it
    try:
        result = url_fetch(article.source_url)
    except fetch.BlockedURL as exc:
        return article_import_finish(
            article_id=article_id,
            error=f"blocked: {exc.message}",
            error_code="import_blocked",
            error_params={"reason": machine_text.stored(exc.code, exc.params, exc.message)},
        )
    except fetch.TransientFetchError as exc:
        if not final_attempt:
            raise
        return article_import_finish(
            article_id=article_id, error=exc.message, error_code=exc.code, error_params=exc.params
        )
    except fetch.FetchError as exc:
        return article_import_finish(
            article_id=article_id, error=exc.message, error_code=exc.code, error_params=exc.params
        )
    return article_import_finish(article_id=article_id, title=result.title, body=result.text)


def article_import_finish(
    *,
    article_id: int,
    title: str | None = None,
    body: str | None = None,
    error: str | None = None,
    error_code: str = "",
    error_params: dict[str, Any] | None = None,
) -> Article:
    """`importing` → `draft` with text, or `import_failed` with `error` (English, for the
    admin and old readers) and `error_code` with `error_params` (what readers see, worded
    in their language by machine_text). A second delivery changes nothing.

    Locks the article (select_for_update). Raises Article.DoesNotExist."""
    with transaction.atomic():
        article = Article.objects.select_for_update().get(pk=article_id)
        if article.status != Article.Status.IMPORTING:
            return article  # a duplicate delivery; the first one decided
        if error is None and body is not None:
            body = text.normalise(body)
            limit = settings.FACTCHECK_MAX_ARTICLE_CHARS
            if not body.strip():
                error, error_code = "no article text was found at the URL", "no_article_text"
            elif len(body) > limit:
                error = f"the article has {len(body):,} characters; the limit is {limit:,}"
                error_code, error_params = "article_too_long", {"count": len(body), "limit": limit}
        if error is not None:
            article.status = Article.Status.IMPORT_FAILED
            article.import_error = error
            article.import_error_code = error_code
            article.import_error_params = dict(error_params or {})
            article_bump(
                article, "status", "import_error", "import_error_code", "import_error_params"
            )
            event_record(
                actor=None,
                verb=Event.Verb.ARTICLE_IMPORT_FAILED,
                article=article,
                data={
                    "error": error,
                    "error_code": error_code,
                    "error_params": article.import_error_params,
                },
            )
            return article
        article.title = (title or article.title)[:500]
        article.text = body
        article.language = article.language or text.detect_language(body)
        article.status = Article.Status.DRAFT
        article.revision = 1
        article.version += 1
        article.save()
        ArticleRevision.objects.create(
            article=article, number=1, text=body, created_by=article.created_by
        )
        event_record(
            actor=None, verb=Event.Verb.ARTICLE_IMPORTED, article=article, data={"chars": len(body)}
        )
        enqueue(tasks.article_analyse, article.pk)
    return article
