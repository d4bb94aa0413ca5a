"""Render article text with overlapping highlights, every piece escaped.

The text is cut at every span boundary (text.segments); each piece is escaped by
format_html, and a piece covered by spans is wrapped in one <mark> that lists all their
ids. Nothing here marks user text safe. The browser (static/annotations/annotate/render.js)
draws the same markup after a change, so the two must agree: class names, data-ids order,
data-badge and title (tests/browser/test_ui_render_parity.py compares them).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import pgettext

from .. import text
from ..models import Annotation

register = template.Library()

# Beyond three stacked underlines, more lines stop being readable.
MAX_DEPTH = 4


@dataclass(frozen=True)
class _Drawn:
    """What every piece of one span needs, worked out once per span."""

    key: int
    start: int
    length: int
    slug: str
    badge: str
    title: str
    is_fuzzy: bool


def render_highlights(body: str, annotations: Iterable[Annotation]) -> SafeString:
    """`annotations` are Annotation rows or views.Span objects (pk, start, end, label,
    anchor_state and status_name or get_status_display)."""
    names: dict[int, str] = {}
    drawn: dict[int, _Drawn] = {}
    for a in annotations:
        if a.label.pk not in names:
            names[a.label.pk] = a.label.display_name
        drawn[a.pk] = _Drawn(
            key=a.pk,
            start=a.start,
            length=a.end - a.start,
            slug=a.label.slug,
            badge=_badge(a.label),
            title=f"{names[a.label.pk]} ({_status_name(a)})",
            is_fuzzy=a.anchor_state == Annotation.AnchorState.FUZZY,
        )
    spans = [text.SpanRef(key=a.key, start=a.start, end=a.start + a.length) for a in drawn.values()]
    return render_segments(body, spans, lambda segment: _piece(segment, drawn))


def render_segments(
    body: str, spans: list[text.SpanRef], mark: Callable[[text.Segment], SafeString]
) -> SafeString:
    """The one server renderer of marked text: cut at every span boundary, an uncovered
    piece escaped as it is, a covered one handed to `mark` (which must escape it too:
    format_html). The annotate page's marks and the report's verdict marks both use it."""
    return format_html_join(
        "",
        "{}",
        (
            (mark(segment) if segment.keys else format_html("{}", segment.text),)
            for segment in text.segments(body, spans)
        ),
    )


def _piece(segment: text.Segment, drawn: dict[int, _Drawn]) -> SafeString:
    covering = [drawn[key] for key in segment.keys]
    # The innermost (shortest) span gives the background; the others stack as underlines
    # in their own label colours, the next shortest closest to the text.
    stacked = sorted(covering, key=lambda a: (a.length, a.key))
    inner = stacked[0]
    classes = [f"hl hl-{inner.slug} depth-{min(len(stacked), MAX_DEPTH)}"]
    classes += [f"u{n}-{a.slug}" for n, a in enumerate(stacked[1:MAX_DEPTH], 1)]
    if inner.is_fuzzy:
        classes.append("fuzzy")
    return format_html(
        '<mark class="{}" data-ids="{}" data-badge="{}" title="{}">{}</mark>',
        " ".join(classes),
        " ".join(str(a.key) for a in covering),
        "".join(a.badge for a in covering if a.start == segment.start),
        " · ".join(a.title for a in covering),
        segment.text,
    )


def _status_name(annotation: Annotation) -> str:
    # get_status_display() resolves the lazy choices on every call, which adds up over
    # thousands of pieces; the view sets `status_name` once per annotation.
    return getattr(annotation, "status_name", None) or annotation.get_status_display()


def _badge(label) -> str:
    """The page's badge (views.labels_with_badges) where set, else the model's."""
    return getattr(label, "ui_badge", None) or label.badge


@register.simple_tag
def highlighted(body: str, annotations) -> SafeString:
    return render_highlights(body, annotations)


@register.simple_tag
def annotation_items(spans) -> SafeString:
    """The sidebar entries as the browser draws them (annotate/list.js), for the first paint and for
    readers without JavaScript. Built here rather than in a template loop: a thousand
    entries would cost a template render each."""
    return format_html_join(
        "",
        '<li data-id="{}"><button type="button" class="entry" data-id="{}" aria-pressed="false">'
        '<span class="badge hl-{}" aria-hidden="true">{}</span> <span class="label-name">{}</span>'
        ' <q>{}</q><br><span class="meta"><span class="status st-{}">{}</span></span>'
        "</button>{}</li>",
        (
            (
                a.pk,
                a.pk,
                a.label.slug,
                _badge(a.label),
                a.label.display_name,
                a.exact if len(a.exact) <= 140 else a.exact[:139] + "…",
                a.status,
                _status_name(a),
                format_html('<p class="note">{}</p>', a.note) if a.note else "",
            )
            for a in spans
        ),
    )


@register.filter
def role_name(role: str) -> str:
    """A role in the active language (the group names themselves stay English)."""
    names = {
        "editor": pgettext("role", "editor"),
        "reviewer": pgettext("role", "reviewer"),
        "chief": pgettext("role", "chief"),
    }
    return names.get(role, role)
