"""The archived copy of a source, served by us: its text with the quote's passage marked, or
a sanitised rendering of the page, under a CSP that runs no script at all. Also the pieces
the review page shows of each evidence's archive (passage, capture date, what changed).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin, urlsplit

import nh3
from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from . import exports, fetch, policy, selectors, textdiff
from .fetch import GONE_STATUSES
from .models import Evidence, SourceCheck
from .views import _or_404

# The archived page is somebody else's HTML: nothing of it may run, load or submit. The
# sandbox (without allow-scripts) holds even if a script slipped through the sanitiser.
ARCHIVE_CSP = (
    "default-src 'none'; style-src 'self'; img-src 'none'; font-src 'none'; "
    "media-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; sandbox"
)
# Characters of archived text shown on each side of the passage on the review page.
PASSAGE_CONTEXT = 400
# The start of the archived text shown when the quote is not in it.
OPENING_CHARS = 600
# Tags whose content goes with them; everything else not allowed is unwrapped.
_DROPPED_WITH_CONTENT = {
    "script",
    "style",
    "noscript",
    "template",
    "title",
    "iframe",
    "object",
    "embed",
    "svg",
    "math",
    "canvas",
    "head",
}
# No images, media or forms: they would load from (or send to) the source's site.
_PAGE_TAGS = set(nh3.ALLOWED_TAGS) - {"img", "map", "area"} - _DROPPED_WITH_CONTENT


# --- the review page's pieces ---------------------------------------------------------------


def archived_passage(text: str, start: int | None, end: int | None) -> SafeString:
    """The passage of the archived text with about PASSAGE_CONTEXT characters either side,
    the passage marked; every piece escaped."""
    if start is None or end is None or not 0 <= start < end <= len(text):
        opening = text[:OPENING_CHARS]
        if len(text) > OPENING_CHARS:
            opening = opening.rsplit(" ", 1)[0] + "…"
        return format_html("{}", opening)
    before = text[max(0, start - PASSAGE_CONTEXT) : start]
    after = text[end : end + PASSAGE_CONTEXT]
    if start > PASSAGE_CONTEXT:
        before = "…" + before.split(" ", 1)[-1]
    if end + PASSAGE_CONTEXT < len(text):
        after = after.rsplit(" ", 1)[0] + "…"
    return format_html('{}<mark class="archived-quote">{}</mark>{}', before, text[start:end], after)


def _passage_bounds(check: SourceCheck) -> tuple[int | None, int | None]:
    if not check.quote_found:
        return None, None
    return check.passage_start, check.passage_end


def _copy_as_of(archived: list[SourceCheck], moment: Any) -> SourceCheck | None:
    """Of the archived checks (newest first), the one whose copy stood at `moment`: the
    newest taken by then, else the first taken after (as selectors.approval_captures)."""
    before = [check for check in archived if check.finished_at <= moment]
    return before[0] if before else (archived[-1] if archived else None)


def _copy_item(check: SourceCheck, seen: dict[int, Any]) -> dict[str, Any]:
    """One archived copy as the review page shows it: its capture, when a check last got
    the same content ("last confirmed"), and the quote's passage in it."""
    start, end = _passage_bounds(check)
    return {
        "capture": check.capture,
        "seen_at": seen[check.capture_id],
        "passage_html": archived_passage(check.capture.text, start, end),
        "is_passage_found": start is not None,
    }


def _vanished(checks: list[SourceCheck]) -> dict[str, Any]:
    """Since when the source answers that it is gone (HTTP 404 or 410), from the checks
    (newest first): the first of the newest run of such answers, and the newest's
    archived record of it; None when the newest check got no such answer."""
    run = []
    for check in checks:
        if check.status != SourceCheck.Status.FAILED or check.http_status not in GONE_STATUSES:
            break
        run.append(check)
    if not run:
        return {"vanished_since": None, "vanished_status": None, "vanished_record": None}
    record = next((check.capture for check in run if check.capture is not None), None)
    return {
        "vanished_since": run[-1].finished_at,
        "vanished_status": run[0].http_status,
        "vanished_record": record,
    }


def evidence_archive_items(evidence: list[Evidence]) -> dict[int, dict[str, Any] | None]:
    """What the review page shows of each evidence's archive, by evidence id: the newest
    archived copy and the copy the verdict stood on when it was approved (or proposed),
    each with its capture date, when it was last confirmed and the passage marked;
    whether the newest check found the source gone; and what changed from the copy
    before (the diff the worker stored; computed here only for a pair it did not store).
    None where nothing was archived. At most five queries."""
    checks_by_evidence = selectors.evidence_archive_checks([e.pk for e in evidence])
    moment = selectors.verdict_moment(evidence[0].annotation_id) if evidence else None
    items: dict[int, dict[str, Any] | None] = {}
    pairs: dict[int, tuple[SourceCheck, SourceCheck]] = {}
    for item in evidence:
        checks = checks_by_evidence.get(item.pk, [])
        # Copies of the page; a 404 or 410 archived is the record that it is gone.
        archived = [c for c in checks if c.capture is not None and c.capture.http_status < 400]
        if not archived:
            items[item.pk] = None
            continue
        newest = archived[0]
        seen: dict[int, Any] = {}
        for check in archived:
            seen.setdefault(check.capture_id, check.finished_at)
        earlier = next((c for c in archived if c.capture_id != newest.capture_id), None)
        if earlier is not None:
            pairs[item.pk] = (earlier, newest)
        at_verdict = _copy_as_of(archived, moment[1]) if moment else None
        items[item.pk] = {
            **_copy_item(newest, seen),
            "is_gone": checks[0].status in (SourceCheck.Status.FAILED, SourceCheck.Status.BLOCKED),
            "gone_at": checks[0].finished_at,
            **_vanished(checks),
            "diff": [],
            "diff_left_out": 0,
            "diff_compared_chars": None,
            "diff_since": earlier.capture.captured_at if earlier is not None else None,
            "verdict_kind": moment[0] if moment else None,
            "verdict_at": moment[1] if moment else None,
            "verdict_copy": _copy_item(at_verdict, seen) if at_verdict is not None else None,
            "is_verdict_copy": at_verdict is not None
            and at_verdict.capture_id == newest.capture_id,
        }
    stored = selectors.capture_diffs(
        {(old.capture_id, new.capture_id) for old, new in pairs.values()}
    )
    for pk, (old, new) in pairs.items():
        diff = textdiff.Diff.from_json(stored.get((old.capture_id, new.capture_id)) or {})
        if diff is None:
            diff = textdiff.diff(old.capture.text, new.capture.text)
        items[pk] = {
            **(items[pk] or {}),
            "diff": diff.lines,
            "diff_left_out": diff.left_out,
            "diff_compared_chars": diff.compared_chars,
        }
    return items


# --- the archived copy ----------------------------------------------------------------------


def _absolute(base: str) -> Any:
    """An nh3 attribute filter: links made absolute against the page's own URL, and only
    http(s) or mailto ones kept."""

    def keep(tag: str, attribute: str, value: str) -> str | None:
        if attribute not in ("href", "cite"):
            return value
        target = urljoin(base, value.strip())
        return target if urlsplit(target).scheme in ("http", "https", "mailto") else None

    return keep


def sanitised_page(html: str, *, base_url: str) -> SafeString:
    """The archived HTML with nothing left that runs, loads or submits (nh3/ammonia):
    no scripts, styles, images, frames, forms or event attributes; links absolute."""
    cleaned = nh3.clean(
        html,
        tags=_PAGE_TAGS,
        clean_content_tags=_DROPPED_WITH_CONTENT,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
        attribute_filter=_absolute(base_url),
    )
    return mark_safe(cleaned)  # noqa: S308 - the sanitiser's output, under ARCHIVE_CSP


def _archive_response(request: HttpRequest, context: dict[str, Any], status: int) -> HttpResponse:
    response = render(request, "annotations/archived_copy.html", context, status=status)
    response["Content-Security-Policy"] = ARCHIVE_CSP
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _viewable_evidence(request: HttpRequest, pk: int) -> Evidence | HttpResponse:
    evidence = _or_404(selectors.evidence_for_archive, pk)
    if not policy.can_see_evidence(request.user, evidence):
        # Another blind reviewer's sealed evidence: as if there were none.
        raise Http404(_("No archived copy of this source."))
    article = evidence.annotation.article
    is_public = evidence.removed_at is None and pk in selectors.public_evidence_ids(evidence)
    if policy.can_view_archived_copy(request.user, article, is_on_public_report=is_public):
        return evidence
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    raise PermissionDenied(_("This archived copy is not public."))


@require_GET
def evidence_archive(request: HttpRequest, pk: int, capture_pk: int | None = None) -> HttpResponse:
    """The archived copy of one piece of evidence (its newest, or the capture named), as
    text (`?view=text`, the default) or the sanitised page (`?view=page`)."""
    evidence = _viewable_evidence(request, pk)
    if isinstance(evidence, HttpResponse):
        return evidence
    try:
        check = selectors.evidence_capture_check(evidence.pk, capture_pk)
    except SourceCheck.DoesNotExist:
        raise Http404(_("No archived copy of this source.")) from None
    capture = check.capture
    view = "page" if request.GET.get("view") == "page" else "text"
    start, end = _passage_bounds(check)
    context: dict[str, Any] = {
        "evidence": evidence,
        "capture": capture,
        "view": view,
        "org_name": exports.desk_name(get_language() or settings.LANGUAGE_CODE),
        "text_html": archived_full_text(capture.text, start, end),
        "page_html": None,
        "page_error": None,
    }
    status = 200
    if view == "page":
        try:
            archived = selectors.capture_response(capture)
        except (OSError, ValueError):
            context["page_error"] = _(
                "The archived file cannot be read right now; its text is shown instead."
            )
            status = 503
        else:
            if "html" in archived.content_type or not archived.content_type:
                html = fetch.decode_body(archived.body, archived.content_type)
                context["page_html"] = sanitised_page(html, base_url=capture.url)
    return _archive_response(request, context, status)


def archived_full_text(text: str, start: int | None, end: int | None) -> SafeString:
    """The whole archived text, the passage marked; every piece escaped."""
    if start is None or end is None or not 0 <= start < end <= len(text):
        return format_html("{}", text)
    return format_html(
        '{}<mark class="archived-quote" id="passage">{}</mark>{}',
        text[:start],
        text[start:end],
        text[end:],
    )
