"""Render article text with overlapping highlights, every piece escaped.

The text is cut at every span boundary (text.segments); each piece is escaped by
format_html, and a piece covered by spans is wrapped in one <mark> that lists all their
ids. Nothing here marks user text safe.
"""

from collections.abc import Iterable

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from .. import text
from ..models import Annotation

register = template.Library()


def render_highlights(body: str, annotations: Iterable[Annotation]) -> SafeString:
    by_id = {a.pk: a for a in annotations}
    spans = [text.SpanRef(key=a.pk, start=a.start, end=a.end) for a in by_id.values()]
    pieces = []
    for segment in text.segments(body, spans):
        if not segment.keys:
            pieces.append((segment.text, None))
            continue
        covering = [by_id[key] for key in segment.keys]
        # The innermost (shortest) span decides the colour; the depth shows nesting.
        inner = min(covering, key=lambda a: (a.end - a.start, a.pk))
        pieces.append((segment.text, (covering, inner)))
    return format_html_join(
        "",
        "{}",
        ((_piece(body_text, marks),) for body_text, marks in pieces),
    )


def _piece(body_text: str, marks) -> SafeString:
    if marks is None:
        return format_html("{}", body_text)
    covering, inner = marks
    title = " · ".join(f"{a.label.display_name} ({a.get_status_display()})" for a in covering)
    return format_html(
        '<mark class="hl hl-{} depth-{}" data-ids="{}" title="{}">{}</mark>',
        inner.label.slug,
        min(len(covering), 4),
        " ".join(str(a.pk) for a in covering),
        title,
        body_text,
    )


@register.simple_tag
def highlighted(body: str, annotations) -> SafeString:
    return render_highlights(body, annotations)
