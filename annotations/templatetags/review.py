"""Template helpers of the review pages: Markdown rationales, JSON-LD, and due dates.

Markdown is rendered by markdown-it-py with raw HTML turned off (a `<script>` in a
rationale comes out as the text `&lt;script&gt;`), then cleaned by nh3 against a short
allow-list, so nothing a reviewer types can add a script, a style or an event handler.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

import nh3
from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext
from markdown_it import MarkdownIt

register = template.Library()

_MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_ALLOWED_TAGS = {
    "p", "br", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li", "a", "hr",
    "h1", "h2", "h3", "h4", "h5", "h6",
}  # fmt: skip
_ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
_URL_SCHEMES = {"http", "https", "mailto"}

# The escapes of Django's json_script: inside <script> only these could end the element or
# open a comment, and \u003C etc. mean the same characters to a JSON parser.
_JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def _absolute_links_only(tag: str, attribute: str, value: str) -> str | None:
    """A link must name its scheme: nh3 lets relative URLs through, and a protocol-relative
    `//elsewhere.example` (or `/\\elsewhere`) would leave the site."""
    if tag == "a" and attribute == "href" and not _ABSOLUTE_LINK.match(value):
        return None
    return value


_ABSOLUTE_LINK = re.compile(r"^(?:https?://|mailto:)", re.IGNORECASE)


def render_markdown(source: str) -> SafeString:
    html = _MARKDOWN.render(source or "")
    cleaned = nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes=_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        attribute_filter=_absolute_links_only,
    )
    return mark_safe(cleaned)  # noqa: S308 - nh3 output: only the allow-listed tags remain


@register.filter
def markdown(source: str) -> SafeString:
    return render_markdown(source)


def json_ld_script(value: Any) -> SafeString:
    """`<script type="application/ld+json">` holding `value`, escaped as json_script does."""
    payload = json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    return format_html(
        '<script type="application/ld+json">{}</script>',
        mark_safe(payload.translate(_JSON_SCRIPT_ESCAPES)),  # noqa: S308 - escaped above
    )


@register.simple_tag
def json_ld(value: Any) -> SafeString:
    return json_ld_script(value)


def due_text(due_at: datetime | None, *, now: datetime | None = None) -> str:
    """What a reviewer reads at a glance: "2 days overdue", "due in 3 days", "due today"."""
    if due_at is None:
        return gettext("no due date")
    now = now or timezone.now()
    if due_at < now:
        late = now - due_at
        if late.days >= 1:
            return ngettext("%(n)d day overdue", "%(n)d days overdue", late.days) % {"n": late.days}
        hours = late.seconds // 3600
        if hours >= 1:
            return ngettext("%(n)d hour overdue", "%(n)d hours overdue", hours) % {"n": hours}
        return gettext("just overdue")
    today = timezone.localdate(now)
    days = (timezone.localdate(due_at) - today).days
    if days == 0:
        return gettext("due today")
    if days == 1:
        return gettext("due tomorrow")
    return ngettext("due in %(n)d day", "due in %(n)d days", days) % {"n": days}


@register.filter
def due(due_at: datetime | None) -> str:
    return due_text(due_at)


@register.filter
def one_line(value: str) -> str:
    """Context around a quote on one line: line breaks become spaces."""
    return (value or "").replace("\r", " ").replace("\n", " ")
