"""An annotation's history in words: who did what, in the reader's language.

The review and approval pages and the API's history (`summary`) all describe events here,
from the event's verb and data. Labels, ratings and check states are named as the page
names them (in German for a German reader), never by their slugs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import Event, Label, Rating, SourceCheck


@dataclass(frozen=True)
class Names:
    """Display names of labels and ratings by slug, read once per page or response."""

    labels: dict[str, str]
    ratings: dict[str, str]

    @classmethod
    def load(cls) -> Names:
        return cls(
            labels={label.slug: label.display_name for label in Label.objects.all()},
            ratings={rating.slug: rating.display_name for rating in Rating.objects.all()},
        )


def _field_name(field: str) -> str:
    names = {
        "label": _("label"),
        "note": _("note"),
        "priority": _("priority"),
        "due_at": _("due date"),
    }
    return names.get(field, field)


def _check_status(value: str) -> str:
    try:
        return SourceCheck.Status(value).label
    except ValueError:
        return value


def items(events: Iterable[Event], names: Names) -> list[dict[str, Any]]:
    """Each event with its actor's name and its summary (for the page templates)."""
    return [
        {
            "event": event,
            "actor": event.actor.get_username() if event.actor else _("system"),
            "summary": summary(event, names),
        }
        for event in events
    ]


def summary(event: Event, names: Names) -> str:
    """What the event did, in words; the verb itself for an event without words yet."""
    data = event.data or {}
    rating = names.ratings.get(data.get("rating", ""), data.get("rating", ""))
    verb = event.verb
    if verb == "annotation.assigned":
        if data.get("due_at"):
            return _("assigned it to %(reviewer)s, due %(due)s") % {
                "reviewer": data.get("reviewer"),
                "due": data["due_at"][:10],
            }
        return _("assigned it to %(reviewer)s") % {"reviewer": data.get("reviewer")}
    if verb == "assignment.declined":
        return _("declined: %(reason)s") % {"reason": data.get("reason", "")}
    if verb == "verdict.proposed":
        return _("proposed “%(rating)s”") % {"rating": rating}
    if verb == "verdict.approved":
        if data.get("note"):
            return _("approved “%(rating)s”: %(note)s") % {"rating": rating, "note": data["note"]}
        return _("approved “%(rating)s”") % {"rating": rating}
    if verb == "verdict.rejected":
        return _("rejected “%(rating)s”: %(note)s") % {"rating": rating, "note": data.get("note")}
    if verb == "evidence.added":
        return _("added evidence %(url)s") % {"url": data.get("url", "")}
    if verb == "evidence.reused":
        return ngettext(
            "reused %(n)d evidence item of an earlier verdict",
            "reused %(n)d evidence items of an earlier verdict",
            data.get("added", 0),
        ) % {"n": data.get("added", 0)}
    if verb == "evidence.removed":
        return _("removed evidence %(url)s") % {"url": data.get("url", "")}
    if verb == "comment.added":
        return _("commented: %(body)s") % {"body": data.get("body", "")[:200]}
    if verb == "source_check.requested":
        return _("asked for the sources to be checked")
    if verb == "source_check.finished":
        return _("source check of %(source)s: %(status)s") % {
            "source": data.get("url") or _("the attribution"),
            "status": _check_status(data.get("status", "")),
        }
    if verb == "evidence.health":
        return _("evidence flagged: %(flags)s") % {"flags": ", ".join(data.get("flags", []))}
    if verb in ("annotation.created", "suggestion.accepted"):
        label = data.get("label", "")
        return _("marked the span as %(label)s") % {"label": names.labels.get(label, label)}
    if verb == "annotation.updated":
        fields = ", ".join(_field_name(field) for field in sorted(data))
        return _("edited %(fields)s") % {"fields": fields or _("nothing")}
    if verb == "annotation.withdrawn":
        return _("withdrew it")
    if verb == "annotation.fuzzy":
        return _("the text changed; the span moved to its best match")
    if verb == "annotation.orphaned":
        return _("the text changed; the span could not be placed")
    if verb == "verdict.set_aside":
        return _("the text changed under the verdict; set aside: “%(old)s” → “%(new)s”") % {
            "old": data.get("old", ""),
            "new": data.get("new") or _("(no longer in the article)"),
        }
    if verb == "article.corrected":
        return _("corrected the published verdict “%(old)s” to “%(new)s”") % {
            "old": names.ratings.get(data.get("old_rating", ""), data.get("old_rating", "")),
            "new": names.ratings.get(data.get("new_rating", ""), data.get("new_rating", "")),
        }
    if verb == "article.warning_acknowledged":
        return _("acknowledged before publishing: %(warning)s") % {
            "warning": data.get("message", data.get("key", ""))
        }
    if verb == "article.published":
        return _("published the fact-check")
    if verb == "article.withdrawn":
        return _("withdrew the published fact-check")
    if verb == "article.restored":
        return _("restored the article")
    return verb
