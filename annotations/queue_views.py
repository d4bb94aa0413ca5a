"""The reviewer's queue page: their pending assignments, filtered, sorted and paged."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from . import selectors
from .models import (
    Assignment,
    Verdict,
)
from .review_views import _require
from .templatetags.review import due_text, is_done
from .views import newsroom_required

# Rows per queue page.
QUEUE_PAGE_SIZE = 50
# queue.js asks /api/v1/queue/ this often whether the queue changed.
QUEUE_POLL_SECONDS = 4

# --- the queue ------------------------------------------------------------------------------


@newsroom_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    user = request.user
    _require(user, "queue.view")
    now = timezone.now()
    everything = selectors.queue_for(user, now=now)
    labels = list(selectors.labels())
    label = request.GET.get("label", "")
    label = label if label in {item.slug for item in labels} else ""
    article = request.GET.get("article", "")
    article = article if article.isdigit() else ""
    overdue_only = request.GET.get("overdue") == "1"
    sort = "checkworthy" if request.GET.get("sort") == "checkworthy" else ""

    rows = selectors.queue_filtered(
        user,
        now=now,
        label=label,
        article_id=int(article) if article else None,
        overdue_only=overdue_only,
        ordering="-checkworthiness" if sort else "queue",
    )
    page = Paginator(rows, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    assignments = selectors.queue_page_relations(list(page.object_list))
    counts = selectors.queue_counts(user, everything, now=now)
    # What /api/v1/queue/ answers now (its count and first page of ids): queue.js reloads
    # the rows when the API's answer differs.
    api_page_size = settings.REST_FRAMEWORK["PAGE_SIZE"]
    signature = {
        "count": counts["open"],
        "ids": selectors.queue_first_ids(everything, api_page_size),
    }
    articles = selectors.queue_articles(everything)
    query = {
        key: value
        for key, value in (
            ("label", label),
            ("article", article),
            ("overdue", overdue_only),
            ("sort", sort),
        )
        if value
    }
    return render(
        request,
        "annotations/queue.html",
        {
            "rows": [_queue_row(assignment, now) for assignment in assignments],
            "page": page,
            "counts": counts,
            "labels": labels,
            "articles": list(articles),
            "filters": {
                "label": label,
                "article": article,
                "overdue": overdue_only,
                "sort": sort,
            },
            "is_filtered": bool(label or article or overdue_only),
            "query": urlencode({k: "1" if v is True else v for k, v in query.items()}),
            "queue_data": {
                "api": reverse("api:queue"),
                "poll_ms": QUEUE_POLL_SECONDS * 1000,
                "signature": signature,
            },
        },
    )


def _queue_row(assignment: Assignment, now: Any) -> dict[str, Any]:
    annotation = assignment.annotation
    latest = selectors.current_verdict(annotation)
    rejected = latest is not None and latest.status == Verdict.Status.REJECTED
    # A blind proposal the chief did not choose was closed, never returned to its reviewer:
    # a double review back in the queue after its decision is a new blind round
    # (services.double_review.double_review_reopen), whichever verdict is the newest.
    decision_set_aside = (
        latest is not None
        and latest.status == Verdict.Status.SET_ASIDE
        and (latest.decided_at is not None or not latest.is_blind)
    )
    return {
        "assignment": assignment,
        "annotation": annotation,
        # Every queue row is a pending assignment: done once its verdict is proposed.
        "due_text": due_text(assignment.due_at, now=now, done=is_done(annotation)),
        "is_overdue": assignment.is_overdue,
        "check": annotation.latest_check,
        "returned": latest if rejected and not latest.is_blind else None,
        "new_round": annotation.double_review
        and ((rejected and latest.is_blind) or decision_set_aside),
        "text_changed": latest if latest and latest.status == Verdict.Status.SET_ASIDE else None,
    }
