"""The article's report (public once published), publishing it, and the rating colours."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from . import exports, policy, selectors, services, text
from .models import (
    Annotation,
    Article,
    Verdict,
)
from .templatetags.highlight import render_segments
from .views import _or_404, newsroom_required

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
    # Each source links to its archived copy as the chief saw it when approving.
    selectors.approval_captures(verdicts)
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
