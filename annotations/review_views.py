"""The review page of one annotation: its quote in context, evidence and checks, the
verdict form, comments, declining. The queue, approvals and report pages are in
queue_views.py, approval_views.py and report_views.py.

Reads go through selectors, writes through services, permissions through policy. Forms post
to these views (they work without JavaScript); a service's refusal is shown in words on
the form it came from, answered with the service's status code: 400 invalid, 403 not
allowed, 409 the state does not allow it. The page scripts only add keyboard shortcuts
and live updates (queue.js, review.js, approvals.js); CSP forbids inline script.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from . import history, policy, representation, selectors, services
from .archive_views import evidence_archive_items
from .l10n import desk_day, desk_today
from .models import (
    Annotation,
    Verdict,
)
from .review_forms import (
    CommentForm,
    DecisionForm,
    DeclineForm,
    DueChangeForm,
    EvidenceForm,
    EvidenceReuseForm,
    VerdictForm,
    service_error_on,
)
from .views import _or_404, newsroom_required


def double_review_context(
    user: Any, annotation: Annotation, verdicts: list[Verdict]
) -> dict[str, Any]:
    """What the review page shows of a blind double review: whether the chief may ask for
    one (and the reviewers to choose from), whether the viewer's own proposal is sealed,
    and whether both are revealed (decided on the approvals page)."""
    can_request = (
        policy.role_refusal(user, "annotation.double_review") is None
        and annotation.label.needs_verdict
        and annotation.status in (Annotation.Status.OPEN, Annotation.Status.ASSIGNED)
        and not annotation.double_review
        and policy.can_act(user, annotation.article, policy.Act.ANNOTATE)
    )
    # A sealed proposal set aside by a text change no longer waits: its author proposes again.
    own_sealed = [
        v
        for v in verdicts
        if v.is_sealed and v.author_id == user.pk and v.status == Verdict.Status.PROPOSED
    ]
    revealed = [
        v
        for v in verdicts
        if v.is_blind and not v.is_sealed and v.status == Verdict.Status.PROPOSED
    ]
    # One reviewer declined, or a new round after a text change found one who can no longer
    # review: a chief assigns another.
    needs_reviewer = (
        annotation.double_review
        and annotation.status in (Annotation.Status.OPEN, Annotation.Status.ASSIGNED)
        and selectors.double_review_reviewers_at_work(annotation) < 2
    )
    return {
        "is_marked": annotation.double_review,
        "needs_reviewer": needs_reviewer,
        "can_assign": needs_reviewer
        and policy.role_refusal(user, "annotation.assign") is None
        and policy.can_act(user, annotation.article, policy.Act.ANNOTATE),
        "can_request": can_request,
        "reviewers": list(selectors.users_with_role("reviewer")) if can_request else [],
        "own_sealed": bool(own_sealed),
        "is_revealed": len(revealed) >= 2,
        # The approvals page's item of a revealed pair is named after its first verdict.
        "approval_anchor": revealed[0].pk if revealed else None,
    }


# review.js re-reads the evidence list this often while a source check is unfinished.
CHECK_POLL_SECONDS = 2
# Characters of the paragraph shown on each side of a quote on the review page.
PARAGRAPH_CONTEXT = 600


def _require(user: Any, action: str) -> None:
    """A 403 page with policy's words unless `user`'s roles allow `action`."""
    reason = policy.role_refusal(user, action)
    if reason is not None:
        raise PermissionDenied(reason)


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


def _evidence_items(annotation_id: int, viewer: Any) -> list[dict[str, Any]]:
    """Each live evidence `viewer` may see (another blind reviewer's sealed evidence is not)
    with its newest check and its archive (archived passage, capture date, what changed:
    archive_views.evidence_archive_items)."""
    evidence = list(selectors.annotation_evidence(annotation_id, viewer=viewer))
    archives = evidence_archive_items(evidence)
    items = []
    for item in evidence:
        check = item.check_list[0] if item.check_list else None
        items.append({"evidence": item, "check": check, "archive": archives.get(item.pk)})
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
    verdicts = selectors.verdict_history(annotation, viewer=user)
    # What the claim stands on, as the API and the exports name it (a blind proposal the
    # chief did not choose was closed, not returned to its reviewer): the approved
    # verdict, else the open proposal the viewer may see, else a returned or set-aside one.
    current = representation.live_verdict(verdicts)

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
    # A revealed double review is decided on the approvals page, both verdicts side by side.
    can_decide = bool(
        proposed and not proposed.is_blind and policy.can_decide_verdict(user, proposed)
    )
    evidence = _evidence_items(annotation.pk, user)
    can_work_on_evidence = policy.can_change_evidence(user, annotation)
    similar = _similar_items(annotation, evidence) if annotation.label.needs_verdict else []
    span_checks, earlier_span_checks = selectors.span_checks(annotation, limit=5)
    next_item = None
    if policy.can_work_queue(user):
        next_item = selectors.queue_next(user, after=annotation.pk)
    assignments = selectors.assignment_history(annotation)
    due_form = forms.get("due")
    for assignment in assignments:
        # The due date input of a pending assignment: its day at the desk, or, after a
        # refused change of this assignment, the day as typed and why it was refused.
        day = desk_day(assignment.due_at).isoformat() if assignment.due_at else ""
        failed = due_form is not None and due_form.data.get("reviewer") == (
            assignment.reviewer.get_username()
        )
        assignment.due_value = due_form.data.get("due_day", "") if failed else day
        assignment.due_errors = (
            [*due_form.non_field_errors(), *due_form.errors.get("due_day", [])] if failed else []
        )
    # Those who may assign may move a pending assignment's due date (as the service checks).
    can_change_due = (
        policy.can_assign(user)
        and annotation.status in (Annotation.Status.OPEN, Annotation.Status.ASSIGNED)
        and policy.can_act(user, annotation.article, policy.Act.ANNOTATE)
    )
    context = {
        "annotation": annotation,
        "article": annotation.article,
        "quote_html": quote_in_paragraph(annotation.article.text, annotation),
        "verdicts": verdicts,
        "current": current,
        "returned": returned,
        "text_changed": text_changed,
        "ratings": ratings,
        "assignments": assignments,
        "can_change_due": can_change_due,
        "desk_today": desk_today(timezone.now()).isoformat(),
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
        "double_review": double_review_context(user, annotation, verdicts),
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
            "evidence": _evidence_items(annotation.pk, request.user),
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
    if not policy.can_see_evidence(request.user, evidence):
        raise Http404  # another blind reviewer's sealed evidence
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


@newsroom_required
@require_POST
def assignment_due_change(request: HttpRequest, pk: int) -> HttpResponse:
    """Move or remove the due date of one reviewer's pending assignment (the Reviewers card)."""
    _require(request.user, "annotation.assign")
    annotation = _annotation_or_404(pk)
    form = DueChangeForm(request.POST)
    if not form.is_valid():
        # The reviewer comes from a hidden field: an error about it goes on top of the page.
        stray = form.errors.get("reviewer")
        error = " ".join(stray) if stray else None
        return _render_review(request, annotation, status=400, forms={"due": form}, error=error)
    due_at = form.due_at()
    try:
        reviewer = services.reviewer_by_name_or_id(form.cleaned_data["reviewer"])
        services.assignment_due_change(
            actor=request.user, annotation_id=annotation.pk, reviewer=reviewer, due_at=due_at
        )
    except services.ServiceError as error:
        # Only a date's refusal belongs on the date's form; the others (who, when) on top.
        on_form = form if error.field == "due_at" else None
        return _refused(request, annotation, on_form, "due", error)
    if due_at is None:
        message = _("%(reviewer)s’s assignment has no due date now.")
    else:
        message = _("%(reviewer)s’s assignment is now due %(day)s.")
    day = date_format(desk_day(due_at), "DATE_FORMAT") if due_at else ""
    messages.success(request, message % {"reviewer": reviewer.get_username(), "day": day})
    return redirect(_review_url(annotation.pk, "assignments-heading"))
