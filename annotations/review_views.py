"""HTML pages of the review workflow: the reviewer's queue, the review page of one
annotation, the chiefs' approvals, and the published report.

Reads go through selectors, writes through services, permissions through policy. Forms post
to these views (they work without JavaScript); a service's refusal is shown in words on
the form it came from, answered with the service's status code: 400 invalid, 403 not
allowed, 409 the state does not allow it. The page scripts only add keyboard shortcuts
and live updates (queue.js, review.js, approvals.js); CSP forbids inline script.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.safestring import SafeString
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from . import exports, history, policy, selectors, services, text
from .models import (
    Annotation,
    Article,
    Assignment,
    Verdict,
)
from .review_forms import (
    CommentForm,
    DecisionForm,
    DeclineForm,
    EvidenceForm,
    EvidenceReuseForm,
    VerdictForm,
    service_error_on,
)
from .templatetags.highlight import render_segments
from .templatetags.review import due_text, is_done
from .views import _or_404, newsroom_required

QUEUE_PAGE_SIZE = 50
# queue.js asks /api/v1/queue/ this often whether the queue changed.
QUEUE_POLL_SECONDS = 4
# review.js re-reads the evidence list this often while a source check is unfinished.
CHECK_POLL_SECONDS = 2
# Characters of the paragraph shown on each side of a quote on the review page.
PARAGRAPH_CONTEXT = 600


def _require(user: Any, action: str) -> None:
    """A 403 page with policy's words unless `user`'s roles allow `action`."""
    reason = policy.role_refusal(user, action)
    if reason is not None:
        raise PermissionDenied(reason)


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
    return {
        "assignment": assignment,
        "annotation": annotation,
        # Every queue row is a pending assignment: done once its verdict is proposed.
        "due_text": due_text(assignment.due_at, now=now, done=is_done(annotation)),
        "is_overdue": assignment.is_overdue,
        "check": annotation.latest_check,
        "returned": latest if latest and latest.status == Verdict.Status.REJECTED else None,
        "text_changed": latest if latest and latest.status == Verdict.Status.SET_ASIDE else None,
    }


# --- the review page ------------------------------------------------------------------------


def _annotation_or_404(pk: int) -> Annotation:
    return _or_404(selectors.annotation_page, pk)


def quote_in_paragraph(body: str, annotation: Annotation) -> SafeString:
    """The paragraph around the span, with the span marked; every piece escaped."""
    start, end = annotation.start, annotation.end
    if annotation.anchor_state == Annotation.AnchorState.ORPHANED or body[start:end] != (
        annotation.exact
    ):
        return format_html(
            '<mark class="hl hl-{}">{}</mark>', annotation.label.slug, annotation.exact
        )
    head = body.rfind("\n\n", 0, start)
    head = 0 if head < 0 else head + 2
    tail = body.find("\n\n", end)
    tail = len(body) if tail < 0 else tail
    before, after = body[head:start], body[end:tail]
    if len(before) > PARAGRAPH_CONTEXT:
        before = "…" + before[-PARAGRAPH_CONTEXT:].split(" ", 1)[-1]
    if len(after) > PARAGRAPH_CONTEXT:
        after = after[:PARAGRAPH_CONTEXT].rsplit(" ", 1)[0] + "…"
    return format_html(
        '{}<mark class="hl hl-{}" id="quote-mark">{}</mark>{}',
        before,
        annotation.label.slug,
        body[start:end],
        after,
    )


def _evidence_items(annotation_id: int) -> list[dict[str, Any]]:
    items = []
    for evidence in selectors.annotation_evidence(annotation_id):
        check = evidence.check_list[0] if evidence.check_list else None
        items.append({"evidence": evidence, "check": check})
    return items


def _similar_items(annotation: Annotation, evidence: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Approved verdicts on similar claims of other articles, each with how many of its
    evidence URLs this annotation does not have yet (what "reuse evidence" would add)."""
    present = {item["evidence"].url for item in evidence}
    items = selectors.similar_claims(annotation)
    for item in items:
        item["new_evidence"] = len({e["url"] for e in item["evidence"]} - present)
    return items


def _label_names() -> dict[str, str]:
    return {label.slug: label.display_name for label in selectors.labels()}


def _render_review(
    request: HttpRequest,
    annotation: Annotation,
    *,
    status: int = 200,
    forms: dict[str, Any] | None = None,
    error: str | None = None,
) -> HttpResponse:
    user = request.user
    forms = forms or {}
    verdicts = selectors.verdict_history(annotation)
    current = verdicts[-1] if verdicts else None

    def current_if(status: str, *, assigned: bool = False) -> Verdict | None:
        """The current verdict when it has `status` (and, with `assigned`, the span is back
        with its reviewer), else None."""
        if current is None or current.status != status:
            return None
        if assigned and annotation.status != Annotation.Status.ASSIGNED:
            return None
        return current

    returned = current_if(Verdict.Status.REJECTED, assigned=True)
    # Set aside by a text change: the old text it judged beside the text now.
    text_changed = current_if(Verdict.Status.SET_ASIDE, assigned=True)
    proposed = current_if(Verdict.Status.PROPOSED)
    ratings = list(selectors.ratings())
    rating_names = {rating.slug: rating.display_name for rating in ratings}
    is_live = annotation.status != Annotation.Status.WITHDRAWN
    can_propose = annotation.status == Annotation.Status.ASSIGNED and policy.can_propose_verdict(
        user, annotation
    )
    can_decide = bool(proposed and policy.can_decide_verdict(user, proposed))
    evidence = _evidence_items(annotation.pk)
    can_work_on_evidence = policy.can_change_evidence(user, annotation)
    similar = _similar_items(annotation, evidence) if annotation.label.needs_verdict else []
    span_checks, earlier_span_checks = selectors.span_checks(annotation, limit=5)
    next_item = None
    if policy.can_work_queue(user):
        next_item = selectors.queue_next(user, after=annotation.pk)
    context = {
        "annotation": annotation,
        "article": annotation.article,
        "quote_html": quote_in_paragraph(annotation.article.text, annotation),
        "verdicts": verdicts,
        "current": current,
        "returned": returned,
        "text_changed": text_changed,
        "ratings": ratings,
        "assignments": selectors.assignment_history(annotation),
        "evidence": evidence,
        "span_checks": span_checks,
        "earlier_span_checks": earlier_span_checks,
        "comments": list(selectors.annotation_comments(annotation.pk)),
        "history": history.items(
            selectors.annotation_history(annotation.pk),
            history.Names(labels=_label_names(), ratings=rating_names),
        ),
        "can_propose": can_propose,
        "can_decline": is_live and policy.can_decline(user, annotation),
        "can_work_on_evidence": can_work_on_evidence,
        "similar": similar,
        "can_comment": policy.can_comment(user),
        "can_decide": can_decide,
        "is_own_proposal": bool(
            proposed and proposed.author_id == user.pk and policy.can_decide_verdicts(user)
        ),
        "next_item": next_item,
        "verdict_form": forms.get("verdict") or VerdictForm(),
        "evidence_form": forms.get("evidence") or EvidenceForm(),
        "comment_form": forms.get("comment") or CommentForm(),
        "decline_form": forms.get("decline") or DeclineForm(),
        "decision_form": forms.get("decision") or DecisionForm(),
        "decision_kind": forms.get("decision_kind", ""),
        "page_error": error,
        "min_rationale": services.MIN_RATIONALE_CHARS,
        "review_data": {
            "annotation": annotation.pk,
            "evidence_url": reverse("annotations:review-evidence", args=[annotation.pk]),
            "poll_ms": CHECK_POLL_SECONDS * 1000,
            "min_rationale": services.MIN_RATIONALE_CHARS,
            "ratings": [rating.slug for rating in ratings],
        },
    }
    return render(request, "annotations/review.html", context, status=status)


@newsroom_required
@require_GET
def annotation_review(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_review(request, _annotation_or_404(pk))


@newsroom_required
@require_GET
def review_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    """The evidence list alone, which review.js re-reads while checks are unfinished."""
    annotation = _annotation_or_404(pk)
    return render(
        request,
        "annotations/_evidence_list.html",
        {
            "annotation": annotation,
            "evidence": _evidence_items(annotation.pk),
            "can_work_on_evidence": policy.can_change_evidence(request.user, annotation),
        },
    )


def _refused(
    request: HttpRequest,
    annotation: Annotation,
    form: Any,
    name: str,
    error: services.ServiceError,
) -> HttpResponse:
    """Show a service's refusal on its form, and on top of the page when the refusal is
    about who or when rather than what was typed (the form may not even be shown). A
    button without a form of its own (remove, reuse) passes None: the message goes on top."""
    if form is None:
        return _render_review(
            request,
            _annotation_or_404(annotation.pk),
            status=error.status_code,
            error=error.message,
        )
    service_error_on(form, error)
    return _render_review(
        request,
        _annotation_or_404(annotation.pk),
        status=error.status_code,
        forms={name: form},
        error=error.message if error.status_code != 400 else None,
    )


def _review_url(annotation_id: int, fragment: str = "") -> str:
    url = reverse("annotations:annotation-review", args=[annotation_id])
    return f"{url}#{fragment}" if fragment else url


@newsroom_required
@require_POST
def verdict_propose(request: HttpRequest, pk: int) -> HttpResponse:
    annotation = _annotation_or_404(pk)
    form = VerdictForm(request.POST)
    if not form.is_valid():
        return _render_review(request, annotation, status=400, forms={"verdict": form})
    try:
        services.verdict_propose(
            actor=request.user,
            annotation_id=annotation.pk,
            rating=form.cleaned_data["rating"],
            rationale=form.cleaned_data["rationale"],
            evidence=form.evidence(),
        )
    except services.ServiceError as error:
        return _refused(request, annotation, form, "verdict", error)
    next_item = selectors.queue_for(request.user).values_list("annotation_id", flat=True).first()
    if next_item is None:
        messages.success(request, _("Verdict proposed. Your queue is empty."))
        return redirect("annotations:queue")
    messages.success(request, _("Verdict proposed. Here is the next item in your queue."))
    return redirect(_review_url(next_item))


@newsroom_required
@require_POST
def evidence_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Add one evidence item from the form, or, with `reuse_verdict`, copy the evidence of
    an earlier approved verdict on a similar claim (the "reuse evidence" button)."""
    annotation = _annotation_or_404(pk)
    if "reuse_verdict" in request.POST:
        return _evidence_reuse(request, annotation)
    form = EvidenceForm(request.POST)
    if not form.is_valid():
        return _render_review(request, annotation, status=400, forms={"evidence": form})
    try:
        evidence = services.evidence_add(
            actor=request.user,
            annotation_id=annotation.pk,
            url=form.cleaned_data["url"],
            title=form.cleaned_data["title"],
            note=form.cleaned_data["note"],
        )
    except services.ServiceError as error:
        return _refused(request, annotation, form, "evidence", error)
    if getattr(evidence, "is_existing", False):
        messages.info(request, _("This evidence was already added; nothing changed."))
    else:
        messages.success(request, _("Evidence added; its source is being checked."))
    return redirect(_review_url(annotation.pk, "evidence"))


def _evidence_reuse(request: HttpRequest, annotation: Annotation) -> HttpResponse:
    form = EvidenceReuseForm(request.POST)
    if not form.is_valid():
        return _render_review(request, annotation, status=400, error=_("Choose a verdict."))
    try:
        added = services.evidence_reuse(
            actor=request.user,
            annotation_id=annotation.pk,
            verdict_id=form.cleaned_data["reuse_verdict"],
        )
    except Verdict.DoesNotExist:
        raise Http404(_("No such verdict.")) from None
    except services.ServiceError as error:
        return _refused(request, annotation, None, "evidence", error)
    if added:
        messages.success(
            request,
            ngettext(
                "%(n)d evidence item reused; its source is being checked.",
                "%(n)d evidence items reused; their sources are being checked.",
                len(added),
            )
            % {"n": len(added)},
        )
    else:
        messages.info(request, _("That evidence is already here; nothing was added."))
    return redirect(_review_url(annotation.pk, "evidence"))


@newsroom_required
@require_POST
def evidence_remove(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = _or_404(selectors.evidence_with_annotation, pk)
    try:
        services.evidence_remove(actor=request.user, evidence_id=evidence.pk)
    except services.ServiceError as error:
        return _refused(
            request, _annotation_or_404(evidence.annotation_id), None, "evidence", error
        )
    messages.success(request, _("Evidence removed. It stays in the history."))
    return redirect(_review_url(evidence.annotation_id, "evidence"))


@newsroom_required
@require_POST
def source_checks_request(request: HttpRequest, pk: int) -> HttpResponse:
    annotation = _annotation_or_404(pk)
    try:
        checks = services.source_checks_request(actor=request.user, annotation_id=annotation.pk)
    except services.ServiceError as error:
        return _refused(request, annotation, EvidenceForm(), "evidence", error)
    if checks:
        messages.info(request, _("The sources are being checked again."))
    else:
        messages.info(request, _("There is nothing to check: add evidence first."))
    return redirect(_review_url(annotation.pk, "evidence"))


def _text_post(
    request: HttpRequest, pk: int, form: Any, name: str, write: Callable[..., Any]
) -> HttpResponse | None:
    """Post a form of one text field (the comment, a decline's reason) that only the
    service checks: `write` gets the field by its name. A refusal is the review page
    again, with the message on the form; None when it was written."""
    annotation = _annotation_or_404(pk)
    form.is_valid()  # fills cleaned_data; an empty text is the service's to refuse
    try:
        write(actor=request.user, annotation_id=annotation.pk, **form.cleaned_data)
    except services.ServiceError as error:
        return _refused(request, annotation, form, name, error)
    return None


@newsroom_required
@require_POST
def comment_add(request: HttpRequest, pk: int) -> HttpResponse:
    refusal = _text_post(request, pk, CommentForm(request.POST), "comment", services.comment_add)
    if refusal is not None:
        return refusal
    return redirect(_review_url(pk, "comments"))


@newsroom_required
@require_POST
def assignment_decline(request: HttpRequest, pk: int) -> HttpResponse:
    refusal = _text_post(
        request, pk, DeclineForm(request.POST), "decline", services.assignment_decline
    )
    if refusal is not None:
        return refusal
    messages.success(request, _("Declined. The item went back to the editors."))
    return redirect("annotations:queue")


# --- approvals ------------------------------------------------------------------------------


def _render_approvals(
    request: HttpRequest,
    *,
    status: int = 200,
    failed: tuple[int, str, DecisionForm] | None = None,
    error: str | None = None,
) -> HttpResponse:
    user = request.user
    _require(user, "approvals.view")
    verdicts = selectors.approvals_page()
    annotations = [verdict.annotation for verdict in verdicts]
    names = history.Names.load()
    events = selectors.events_of(annotations)
    items = []
    for verdict in verdicts:
        annotation = verdict.annotation
        form = None
        kind = ""
        if failed and failed[0] == verdict.pk:
            kind, form = failed[1], failed[2]
        items.append(
            {
                "verdict": verdict,
                "annotation": annotation,
                "evidence": [
                    {"evidence": e, "check": e.check_list[0] if e.check_list else None}
                    for e in annotation.live_evidence
                ],
                "rejections": annotation.rejections,
                "can_decide": policy.can_decide_verdict(user, verdict),
                "form": form or DecisionForm(),
                "failed_kind": kind,
                "history": history.items(events[annotation.pk], names),
            }
        )
    return render(
        request,
        "annotations/approvals.html",
        {"items": items, "page_error": error},
        status=status,
    )


@newsroom_required
@require_GET
def approvals(request: HttpRequest) -> HttpResponse:
    return _render_approvals(request)


def _decide(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    verdict = _or_404(selectors.verdict_plain, pk)
    form = DecisionForm(request.POST)
    form.is_valid()
    note = form.cleaned_data.get("note", "")
    try:
        if kind == "approve":
            services.verdict_approve(actor=request.user, verdict_id=verdict.pk, note=note)
        else:
            services.verdict_reject(actor=request.user, verdict_id=verdict.pk, note=note)
    except services.ServiceError as error:
        service_error_on(form, error)
        message = error.message if error.status_code != 400 else None
        if request.POST.get("return_to") == "review":
            return _render_review(
                request,
                _annotation_or_404(verdict.annotation_id),
                status=error.status_code,
                forms={"decision": form, "decision_kind": kind},
                error=message,
            )
        return _render_approvals(
            request, status=error.status_code, failed=(verdict.pk, kind, form), error=message
        )
    if kind == "approve":
        messages.success(request, _("Verdict approved."))
    else:
        messages.success(request, _("Verdict rejected; it went back to its reviewer."))
    if request.POST.get("return_to") == "review":
        return redirect(_review_url(verdict.annotation_id))
    return redirect("annotations:approvals")


@newsroom_required
@require_POST
def verdict_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, "approve")


@newsroom_required
@require_POST
def verdict_reject(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, "reject")


# --- the report -----------------------------------------------------------------------------


def report_text(body: str, verdicts: list[Verdict]) -> SafeString:
    """The article with each approved verdict's span marked and its rating badge after it.

    Cut at every span boundary like the annotate page (text.segments), each piece escaped;
    an overlapped piece takes the innermost span's rating colour.
    """
    numbered = {verdict.annotation_id: (n, verdict) for n, verdict in enumerate(verdicts, 1)}
    spans = [
        text.SpanRef(key=v.annotation_id, start=v.annotation.start, end=v.annotation.end)
        for v in verdicts
        # Only where the text still reads exactly as the chief approved it: a verdict under
        # review again is listed with the text it judged, never marked on the new text.
        if v.status == Verdict.Status.APPROVED
        and v.annotation.anchor_state != Annotation.AnchorState.ORPHANED
        and body[v.annotation.start : v.annotation.end] == v.approved_quote
    ]

    def mark(segment: text.Segment) -> SafeString:
        covering = [numbered[key][1] for key in segment.keys]
        inner = min(covering, key=lambda v: (v.annotation.end - v.annotation.start, v.pk))
        piece = format_html(
            '<mark class="verdict-span rating-{}" data-verdict="{}">{}</mark>',
            inner.rating.slug,
            numbered[inner.annotation_id][0],
            segment.text,
        )
        badges = [
            format_html(
                '<a class="rating-badge rating-{}" href="#verdict-{}" aria-label="{}">{}<sup>{}'
                "</sup></a>",
                verdict.rating.slug,
                numbered[verdict.annotation_id][0],
                _("Verdict %(n)d: %(rating)s")
                % {"n": numbered[verdict.annotation_id][0], "rating": verdict.rating.display_name},
                verdict.rating.display_name,
                numbered[verdict.annotation_id][0],
            )
            for verdict in covering
            if verdict.annotation.end == segment.end
        ]
        return format_html_join("", "{}", ((p,) for p in [piece, *badges]))

    return render_segments(body, spans, mark)


def _render_report(
    request: HttpRequest, article: Article, *, status: int = 200, error: str | None = None
) -> HttpResponse:
    user = request.user
    verdicts = list(
        {v.annotation_id: v for v in selectors.approved_claim_verdicts(article)}.values()
    )
    reviews = exports.claimreviews(
        article,
        verdicts,
        report_url=request.build_absolute_uri(exports.report_path(article)),
        org_url=settings.FACTCHECK_ORG_URL,
    )
    is_member = policy.is_newsroom_member(user)
    can_publish = (
        article.status != Article.Status.PUBLISHED
        and policy.can_publish_article(user)
        and policy.can_act(user, article, policy.Act.PUBLISH)
    )
    return render(
        request,
        "annotations/report.html",
        {
            "article": article,
            "text_html": report_text(article.text, verdicts),
            "verdicts": verdicts,
            "claimreviews": reviews,
            "is_member": is_member,
            "is_published": article.status == Article.Status.PUBLISHED,
            "is_withdrawn": article.status == Article.Status.WITHDRAWN,
            "can_publish": can_publish,
            "gate": selectors.publish_gate(article) if can_publish else None,
            "page_error": error,
            # The page's words are in the reader's language, and so is the desk's name.
            "org_name": exports.desk_name(get_language() or settings.LANGUAGE_CODE),
        },
        status=status,
    )


@require_GET
def article_report(request: HttpRequest, pk: int) -> HttpResponse:
    """Public once the article is published; before that a preview for the newsroom."""
    article = _or_404(selectors.article_plain, pk)
    # A withdrawn fact-check stays public and says so, rather than disappearing.
    if article.status not in (Article.Status.PUBLISHED, Article.Status.WITHDRAWN):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not policy.is_newsroom_member(request.user):
            raise PermissionDenied(_("This report is not published yet."))
    return _render_report(request, article)


@newsroom_required
@require_POST
def article_publish(request: HttpRequest, pk: int) -> HttpResponse:
    article = _or_404(selectors.article_plain, pk)
    try:
        _article, published_now = services.article_publish(
            actor=request.user,
            article_id=article.pk,
            with_open_claims=request.POST.get("with_open_claims") == "1",
            acknowledge=request.POST.getlist("acknowledge"),
        )
    except services.ServiceError as error:
        if request.POST.get("return_to") == "article" and error.status_code != 403:
            # Refused from the article page: back there, its gate shows what is missing.
            messages.error(request, error.message)
            return redirect("annotations:article-detail", pk=article.pk)
        return _render_report(request, article, status=error.status_code, error=error.message)
    if published_now:
        messages.success(request, _("Published. Readers can open this report without logging in."))
    else:
        messages.info(request, _("The report was already published; nothing changed."))
    return redirect("annotations:article-report", pk=article.pk)


# --- shared ---------------------------------------------------------------------------------


def _is_hex_colour(value: str) -> bool:
    return (
        len(value) == 7
        and value.startswith("#")
        and all(c in "0123456789abcdefABCDEF" for c in value[1:])
    )


def _text_colour(background: str) -> str:
    """Black or white, whichever reads better on `background` (WCAG relative luminance)."""

    def channel(hex_pair: str) -> float:
        c = int(hex_pair, 16) / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(background[i : i + 2]) for i in (1, 3, 5))
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return "#000" if luminance > 0.179 else "#fff"


@require_GET
def rating_styles(request: HttpRequest) -> HttpResponse:
    """Each rating's colour as CSS custom properties, from the Rating table (no inline
    styles: CSP), so ratings added in the admin get their colours too."""
    rules = []
    for rating in selectors.ratings_by_order():
        colour = rating.colour if _is_hex_colour(rating.colour) else "#546e7a"
        rules.append(
            f".rating-{rating.slug}{{--rating:{colour};--rating-fg:{_text_colour(colour)}}}"
        )
    response = HttpResponse("\n".join(rules) + "\n", content_type="text/css; charset=utf-8")
    response["Cache-Control"] = "public, max-age=300"
    return response
