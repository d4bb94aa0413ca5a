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

from ..l10n import desk_day

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


# Once a verdict is proposed or approved, the reviewer's part is done: no "due in" any more.
_FINISHED_STATUSES = ("proposed", "approved")


def due_text(due_at: datetime | None, *, now: datetime | None = None, done: bool = False) -> str:
    """What a reviewer reads at a glance: "done", "2 days overdue", "due in 3 days", "due
    today". Days are counted at the desk (l10n.desk_day), whatever the reader's zone."""
    if done:
        return gettext("done")
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
    days = (desk_day(due_at) - desk_day(now)).days
    if days == 0:
        return gettext("due today")
    if days == 1:
        return gettext("due tomorrow")
    return ngettext("due in %(n)d day", "due in %(n)d days", days) % {"n": days}


def is_done(annotation: Any, assignment: Any | None = None) -> bool:
    """Whether the reviewer's part is over: the assignment is done, or the span's verdict is
    proposed or approved."""
    if assignment is not None and assignment.state == "done":
        return True
    return annotation.status in _FINISHED_STATUSES


@register.filter
def due(due_at: datetime | None) -> str:
    return due_text(due_at)


@register.simple_tag
def assignment_due(assignment: Any, annotation: Any) -> str:
    """An assignment's due text, "done" once the reviewer's part is over."""
    if assignment.state == "declined":
        return ""
    return due_text(assignment.due_at, done=is_done(annotation, assignment))


@register.simple_tag
def assignment_is_overdue(assignment: Any, annotation: Any) -> bool:
    """Past its due date with the reviewer's part not done."""
    if assignment.due_at is None or is_done(annotation, assignment):
        return False
    return assignment.state == "pending" and assignment.due_at < timezone.now()


@register.simple_tag
def shown_assignment(assignments: list[Any], user: Any) -> Any:
    """The one assignment whose due date a page shows: the reader's own pending one, else
    the latest that was not declined (None when there is none)."""
    live = [a for a in assignments if a.state != "declined"]
    own = [a for a in live if a.reviewer_id == getattr(user, "pk", None) and a.state == "pending"]
    return (own or live or [None])[-1]


@register.filter
def one_line(value: str) -> str:
    """Context around a quote on one line: line breaks become spaces."""
    return (value or "").replace("\r", " ").replace("\n", " ")


@register.filter
def excerpt(value: str, limit: int = 140) -> str:
    """A quote shortened for a list row: on one line, cut at the last word boundary before
    `limit` characters, with an ellipsis when anything was cut."""
    flat = " ".join((value or "").split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1]
    space = cut.rfind(" ")
    # A word longer than the last third of the room (a URL) is cut inside.
    if space > limit * 2 // 3:
        cut = cut[:space]
    return cut.rstrip(" ,;:.–-") + "…"
