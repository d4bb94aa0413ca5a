"""Render article text with overlapping highlights, every piece escaped.

The text is cut at every span boundary (text.segments); each piece is escaped by
format_html, and a piece covered by spans is wrapped in one <mark> that lists all their
ids. Nothing here marks user text safe. annotate.js draws the same markup after a change
(renderText), so the two must agree: class names, data-ids order, data-badge and title.
"""

from collections.abc import Iterable

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import pgettext

from .. import text
from ..models import Annotation

register = template.Library()

# Beyond three stacked underlines, more lines stop being readable.
MAX_DEPTH = 4


def render_highlights(body: str, annotations: Iterable[Annotation]) -> SafeString:
    by_id = {a.pk: a for a in annotations}
    spans = [text.SpanRef(key=a.pk, start=a.start, end=a.end) for a in by_id.values()]
    return format_html_join(
        "",
        "{}",
        ((_piece(segment, by_id),) for segment in text.segments(body, spans)),
    )


def _piece(segment: text.Segment, by_id: dict[int, Annotation]) -> SafeString:
    if not segment.keys:
        return format_html("{}", segment.text)
    covering = [by_id[key] for key in segment.keys]
    # The innermost (shortest) span gives the background; the others stack as underlines
    # in their own label colours, the next shortest closest to the text.
    stacked = sorted(covering, key=lambda a: (a.end - a.start, a.pk))
    inner = stacked[0]
    classes = [f"hl hl-{inner.label.slug} depth-{min(len(stacked), MAX_DEPTH)}"]
    classes += [f"u{n}-{a.label.slug}" for n, a in enumerate(stacked[1:MAX_DEPTH], 1)]
    if inner.anchor_state == Annotation.AnchorState.FUZZY:
        classes.append("fuzzy")
    badge = "".join(_badge(a.label) for a in covering if a.start == segment.start)
    title = " · ".join(f"{a.label.display_name} ({a.get_status_display()})" for a in covering)
    return format_html(
        '<mark class="{}" data-ids="{}" data-badge="{}" title="{}">{}</mark>',
        " ".join(classes),
        " ".join(str(a.pk) for a in covering),
        badge,
        title,
        segment.text,
    )


def _badge(label) -> str:
    """The page's badge (views.labels_with_badges) where set, else the model's."""
    return getattr(label, "ui_badge", None) or label.badge


@register.simple_tag
def highlighted(body: str, annotations) -> SafeString:
    return render_highlights(body, annotations)


@register.filter
def role_name(role: str) -> str:
    """A role in the active language (the group names themselves stay English)."""
    names = {
        "editor": pgettext("role", "editor"),
        "reviewer": pgettext("role", "reviewer"),
        "chief": pgettext("role", "chief"),
    }
    return names.get(role, role)
