"""HTML pages. Reads go through selectors, writes through services; every page needs a
newsroom role (403 otherwise). The annotate page renders the text and its highlights on the
server and hands its data to the annotate modules (static/annotations/annotate/) in a
json_script tag (no inline script: CSP)."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from . import policy, representation, selectors
from .forms import ArticleFilterForm
from .models import (
    Annotation,
    Article,
    Claimant,
    Label,
)
from .policy import Act
from .templatetags.review import render_markdown

ARTICLES_PER_PAGE = 25

logger = logging.getLogger(__name__)


def labels_with_badges() -> list[Label]:
    """The labels in order, each with `ui_badge`: `Label.badge`, the label's abbreviation in
    the active language (Speculation/Source → Sp/So), the one source every page uses."""
    labels = list(selectors.labels())
    for label in labels:
        label.ui_badge = label.badge
    return labels


def _or_404(selector: Any, pk: int) -> Any:
    """The selector's object, or a 404 page when the id names none."""
    try:
        return selector(pk)
    except ObjectDoesNotExist:
        raise Http404 from None


def newsroom_required(view):
    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not policy.is_newsroom_member(request.user):
            raise PermissionDenied(_("You need a newsroom role (editor, reviewer or chief)."))
        return view(request, *args, **kwargs)

    return wrapper


# --- articles list --------------------------------------------------------------------------


def _article_rows(articles: list[Article], labels: list[Label]) -> list[dict[str, Any]]:
    """Counts for one page of articles in two queries, however many rows or spans."""
    ids = [article.pk for article in articles]
    if not ids:
        return []
    live = ~Q(annotations__status=Annotation.Status.WITHDRAWN)
    aggregates: dict[str, Any] = {
        f"label_{label.pk}": Count("annotations", filter=live & Q(annotations__label_id=label.pk))
        for label in labels
    }
    for status in Annotation.Status.values:
        aggregates[f"status_{status}"] = Count("annotations", filter=Q(annotations__status=status))
    for state in (Annotation.AnchorState.FUZZY, Annotation.AnchorState.ORPHANED):
        aggregates[f"anchor_{state}"] = Count(
            "annotations", filter=live & Q(annotations__anchor_state=state)
        )
    counts, failing = selectors.article_list_counts(ids, aggregates)
    status_names = dict(Annotation.Status.choices)
    rows = []
    for article in articles:
        row = counts.get(article.pk, {})
        attention = []
        if row.get("anchor_orphaned"):
            attention.append(_("%(n)d orphaned") % {"n": row["anchor_orphaned"]})
        if row.get("anchor_fuzzy"):
            attention.append(_("%(n)d fuzzy") % {"n": row["anchor_fuzzy"]})
        if waiting := row.get("status_proposed"):
            attention.append(
                ngettext("%(n)d verdict waiting", "%(n)d verdicts waiting", waiting)
                % {"n": waiting}
            )
        if failed := failing.get(article.pk):
            attention.append(
                ngettext("%(n)d failed check", "%(n)d failed checks", failed) % {"n": failed}
            )
        rows.append(
            {
                "article": article,
                "labels": [(label, row.get(f"label_{label.pk}", 0)) for label in labels],
                "statuses": [
                    (value, status_names[value], row[f"status_{value}"])
                    for value in Annotation.Status.values
                    if row.get(f"status_{value}")
                ],
                "attention": attention,
            }
        )
    return rows


# The sorts of the articles list: `?sort=` value -> the selector's ordering. An unknown
# value falls back to the first, like a malformed filter.
ARTICLE_SORTS = {"newest": "-created_at", "checkworthy": "-checkworthiness"}


@newsroom_required
@require_GET
def article_list(request: HttpRequest) -> HttpResponse:
    form = ArticleFilterForm(request.GET)
    form.is_valid()  # a malformed filter is dropped alone: cleaned_data keeps the valid ones
    filters = form.cleaned_data
    sort = request.GET.get("sort", "")
    sort = sort if sort in ARTICLE_SORTS else "newest"
    articles = selectors.article_list(
        status=filters.get("status") or None,
        language=filters.get("language") or None,
        q=(filters.get("q") or "").strip() or None,
        ordering=ARTICLE_SORTS[sort],
    )
    if filters.get("attention"):
        articles = selectors.needing_attention(articles)
    page = Paginator(articles, ARTICLES_PER_PAGE).get_page(request.GET.get("page"))
    labels = labels_with_badges()
    query = {key: value for key, value in filters.items() if value}
    sort_query = {"sort": sort} if sort != "newest" else {}
    return render(
        request,
        "annotations/article_list.html",
        {
            "form": form,
            "page": page,
            "rows": _article_rows(list(page.object_list), labels),
            "labels": labels,
            "sort": sort,
            "query": urlencode({**query, **sort_query}),
            "is_filtered": bool(query),
            "can_import": policy.can_edit_article(request.user),
        },
    )


# --- limits the pages check before sending ----------------------------------------------


def size_limits() -> dict[str, int]:
    """The server's limits for a text, for the page to check before it sends one: an
    article's characters, and a request body's bytes (refused unread above it)."""
    return {
        "chars": settings.FACTCHECK_MAX_ARTICLE_CHARS,
        "bytes": settings.FACTCHECK_MAX_REQUEST_BYTES,
    }


# --- the annotate page ----------------------------------------------------------------------


@dataclass
class Span:
    """One annotation as the annotate page draws it. The page reads plain rows (values())
    rather than model instances: 1,000 spans with their assignments and verdicts would
    otherwise build some 4,000 objects per request."""

    pk: int
    start: int
    end: int
    exact: str
    note: str
    label: Label
    status: str
    status_name: str
    anchor_state: str
    data: dict[str, Any]


def _article_spans(article: Article, labels: list[Label]) -> list[Span]:
    """Every annotation of the article (withdrawn ones too, for the sidebar filter) with its
    assignees, verdict history and assignments, in four queries whatever their number. Each
    span's `data` is representation.page_span: the API's annotation object plus `verdicts`
    and `assignments`."""
    rows, assignees, histories, dues = selectors.article_span_rows(article)
    by_slug = {label.slug: label for label in labels}
    status_names = {value: str(name) for value, name in Annotation.Status.choices}
    time = representation.api_time()
    return [
        Span(
            pk=row.id,
            start=row.start,
            end=row.end,
            exact=row.exact,
            note=row.note,
            label=by_slug[row.label],
            status=row.status,
            status_name=status_names[row.status],
            anchor_state=row.anchor_state,
            data=representation.page_span(
                row,
                assignees.get(row.id, []),
                histories.get(row.id, []),
                time,
                dues.get(row.id, ()),
            ),
        )
        for row in rows
    ]


def _url_pattern(name: str) -> str:
    """A URL with one id argument as a pattern with `{id}` for the script, or ""."""
    marker = 987654321
    try:
        return reverse(name, args=[marker]).replace(str(marker), "{id}")
    except NoReverseMatch:
        return ""


def _reviewers() -> list[dict[str, Any]]:
    """Reviewers with their open workload (pending assignments on live spans), one query."""
    reviewers = selectors.reviewers_with_workload()
    return [
        {"id": user.pk, "username": user.get_username(), "open": user.open_items}
        for user in reviewers
    ]


def _page_data(
    request: HttpRequest, article: Article, spans: list[Span], labels: list[Label]
) -> dict:
    user = request.user
    # The article's state decides with the role (policy.ARTICLE_STATES, as the services do).
    can_edit_text = policy.can_edit_article(user) and policy.can_act(user, article, Act.EDIT)
    can_annotate = policy.can_edit_annotation(user) and policy.can_act(user, article, Act.ANNOTATE)
    analysis = selectors.article_analysis(article)
    return {
        "article": {
            "id": article.pk,
            "title": article.title,
            "revision": article.revision,
            "version": article.version,
            "status": article.status,
            "language": article.language,
        },
        "api_root": "/api/v1/",
        # The worker has not analysed this text yet: the page reads the analysis' state
        # until it is done or failed (suggestions.js), says which, and reads the
        # suggestions when there are some, so that their count is right without a reload.
        # A text with no analysis asked for yet is watched too (quietly, with backoff): one
        # may be asked for while the page is open.
        "analysis_pending": analysis.state not in ("done", "failed"),
        "analysis": analysis.as_dict(),
        # The review page of one annotation (issue 5), when that page exists.
        "review_url": _url_pattern("annotations:annotation-review"),
        "user": {
            "username": user.get_username(),
            "can_edit": can_annotate,
            "can_edit_text": can_edit_text,
            "can_assign": can_annotate and policy.can_assign(user),
            "can_comment": policy.can_comment(user) and policy.can_act(user, article, Act.REVIEW),
            "can_review_suggestions": can_annotate and policy.can_accept_suggestion(user),
            "can_create_claimants": can_annotate and policy.can_edit_claimants(user),
        },
        "claimant_kinds": dict(Claimant.Kind.choices),
        "labels": [
            {
                "slug": label.slug,
                "name": label.display_name,
                "badge": label.ui_badge,
                "shortcut": label.shortcut,
                "key": str(index) if index <= 9 else "",
                "needs_verdict": label.needs_verdict,
            }
            for index, label in enumerate(labels, 1)
        ],
        "ratings": {rating.slug: rating.display_name for rating in selectors.ratings()},
        "statuses": dict(Annotation.Status.choices),
        "anchor_states": dict(Annotation.AnchorState.choices),
        "priorities": [[value, name] for value, name in Annotation.Priority.choices],
        "reviewers": _reviewers(),
        "annotations": [span.data for span in spans],
        # Each verdict's rationale as the review and report pages show it: Markdown,
        # sanitised (templatetags.review.render_markdown), by verdict id. Kept beside the
        # annotation objects, which stay the API's.
        "rationale_html": {
            str(verdict["id"]): str(render_markdown(verdict["rationale"]))
            for span in spans
            for verdict in span.data["verdicts"]
            if verdict["rationale"]
        },
    }


@newsroom_required
@require_GET
def article_detail(request: HttpRequest, pk: int) -> HttpResponse:
    article = _or_404(selectors.article_detail, pk)
    labels = labels_with_badges()
    spans = _article_spans(article, labels)
    live = [span for span in spans if span.status != Annotation.Status.WITHDRAWN]
    drawn = [span for span in live if span.anchor_state != Annotation.AnchorState.ORPHANED]
    # Those of the current text only (see selectors.article_suggestions).
    pending_suggestions = selectors.pending_suggestion_count(article)
    can_publish = (
        article.status != Article.Status.PUBLISHED
        and policy.can_publish_article(request.user)
        and policy.can_act(request.user, article, Act.PUBLISH)
    )
    return render(
        request,
        "annotations/article_detail.html",
        {
            "article": article,
            "drawn": drawn,
            "live": live,
            "labels": labels,
            "page_data": _page_data(request, article, spans, labels),
            "pending_suggestions": pending_suggestions,
            "is_importing": article.status == Article.Status.IMPORTING,
            "gate": selectors.publish_gate(article) if can_publish else None,
            "size_limits": size_limits(),
            "can_import": policy.can_edit_article(request.user),
        },
    )


@require_GET
def label_styles(request: HttpRequest) -> HttpResponse:
    """Each label's colour as CSS, from the Label table, so labels added in the admin get
    their colours without inline styles (the CSP forbids them)."""
    rules = []
    for label in selectors.labels():
        colour = label.colour if _is_hex_colour(label.colour) else "#ffd54f"
        slug = "".join(c for c in label.slug if c.isalnum() or c in "-_")
        rules.append(
            f".hl-{slug}{{--hl:{colour};--hl-line:{_darker(colour)}}}"
            f".u1-{slug}{{--u1:{_darker(colour)}}}.u2-{slug}{{--u2:{_darker(colour)}}}"
            f".u3-{slug}{{--u3:{_darker(colour)}}}"
            f".sg-{slug}{{--sg:{_darker(colour)};--sg-bg:{colour}}}"
        )
    response = HttpResponse("\n".join(rules) + "\n", content_type="text/css; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response


def _is_hex_colour(value: str) -> bool:
    return (
        len(value) == 7
        and value.startswith("#")
        and all(c in "0123456789abcdefABCDEF" for c in value[1:])
    )


def _darker(colour: str, factor: float = 0.45) -> str:
    """The same hue, darkened: underlines and outlines must stand out on white."""
    channels = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{int(c * factor):02x}" for c in channels)


# --- operations -----------------------------------------------------------------------------


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Database and broker reachability for load balancers; 503 when either is down."""
    checks: dict[str, str] = {}
    try:
        selectors.database_ping()
        checks["database"] = "ok"
    except Exception:  # any driver error means "down" to a load balancer
        logger.exception("healthz: the database does not answer")
        checks["database"] = "down"
    checks["broker"] = "ok" if _broker_answers() else "down"
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "down", **checks}, status=200 if healthy else 503
    )


# Seconds /healthz waits for the broker, whatever the broker does. The transport's own
# timeouts (FACTCHECK_BROKER_TIMEOUT) cut a connection that never answers; this also bounds
# what they do not cover, such as a name lookup that hangs.
HEALTHZ_BROKER_SECONDS = 1.5


def _broker_answers() -> bool:
    """One connection attempt to the broker, in a thread given HEALTHZ_BROKER_SECONDS."""
    from factcheck.celery import app

    answered: list[bool] = []

    def probe() -> None:
        try:
            with app.connection_for_write() as conn:
                conn.ensure_connection(max_retries=0)
            answered.append(True)
        except Exception:
            logger.exception("healthz: the broker does not answer")

    thread = threading.Thread(target=probe, name="healthz-broker", daemon=True)
    thread.start()
    thread.join(HEALTHZ_BROKER_SECONDS)
    if thread.is_alive():
        logger.error("healthz: the broker did not answer within %s s", HEALTHZ_BROKER_SECONDS)
    return answered == [True]


def not_found(request: HttpRequest, exception=None) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return render(request, "404.html", status=404)


@csrf_exempt  # it writes nothing; a CSRF page would be HTML under /api/
def api_not_found(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"detail": _("Not found.")}, status=404)
