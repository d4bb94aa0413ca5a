"""An annotation's history in words: who did what, in the reader's language.

The review and approval pages and the API's history (`summary`) all describe events here,
from the event's verb and data: `SENTENCES` holds one sentence for each `Event.Verb`, so a
new verb without words fails its test instead of showing its slug. Labels, ratings and
check states are named as the page names them (in German for a German reader), never by
their slugs. Each sentence follows its actor's name ("editor marked the span as Claim").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext_lazy

from . import machine_text
from .l10n import desk_day
from .models import Event, Label, Rating, SourceCheck
from .selectors.gate import gate_warning_message

Verb = Event.Verb


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

    def label(self, slug: str | None) -> str:
        return self.labels.get(slug or "", slug or "")

    def rating(self, slug: str | None) -> str:
        return self.ratings.get(slug or "", slug or "")


# --- the named parameters of the sentences ------------------------------------------------


def _field_names(fields: Iterable[str]) -> str:
    """Fields of an annotation or an article, as the forms name them, in order."""
    names = {
        "label": _("label"),
        "note": _("note"),
        "priority": _("priority"),
        "due_at": _("due date"),
        "claimant": _("claimant"),
        "title": _("title"),
        "text": _("text"),
        "language": _("language"),
        "source_url": _("source URL"),
        "outlet": _("outlet"),
        "byline": _("byline"),
        "published_at": _("publication date"),
    }
    return ", ".join(names.get(field, field) for field in fields)


def _check_status(value: str) -> str:
    try:
        return str(SourceCheck.Status(value).label)
    except ValueError:
        return value


def health_flag_names(codes: Iterable[str]) -> str:
    """The flags of `evidence.health` (the only codes that event carries), named."""
    names = {"changed": _("changed"), "unreachable": _("unreachable")}
    return ", ".join(names.get(code, code) for code in codes)


def _count(data: dict[str, Any], key: str) -> int:
    """A count in the event data: a number, or a list whose length is meant."""
    value = data.get(key, 0)
    return len(value) if isinstance(value, list | tuple) else int(value or 0)


def _clipped(value: Any, limit: int = 200) -> str:
    return str(value or "")[:limit]


# --- one sentence per verb ----------------------------------------------------------------

Sentence = Callable[[dict[str, Any], Names], str]


def _counted(message: Any, **counts: str) -> Sentence:
    """A sentence about counts: `message` (an ngettext_lazy whose number is `n`) with each
    of `counts` (placeholder → key of the event data) filled in by `_count`."""
    return lambda data, names: message % {name: _count(data, key) for name, key in counts.items()}


def _due_day(value: str) -> str:
    """A due date of the event data (ISO 8601) as its day at the desk, in the reader's
    format ("Dec. 4, 2026", "4. Dezember 2026")."""
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return str(value)[:10]
    if moment.tzinfo is None:
        return date_format(moment.date(), "DATE_FORMAT")
    return date_format(desk_day(moment), "DATE_FORMAT")


def _assigned(data: dict[str, Any], names: Names) -> str:
    if data.get("due_at"):
        return _("assigned it to %(reviewer)s, due %(due)s") % {
            "reviewer": data.get("reviewer"),
            "due": _due_day(data["due_at"]),
        }
    return _("assigned it to %(reviewer)s") % {"reviewer": data.get("reviewer")}


def _double_review_requested(data: dict[str, Any], names: Names) -> str:
    reviewers = _(" and ").join(data.get("reviewers") or [])
    if not data.get("text_changed"):
        return _("asked %(reviewers)s for a blind double review") % {"reviewers": reviewers}
    # A text change set the decision aside (services.double_review.double_review_reopen).
    sentences = [
        _(
            "the text changed after the double review was decided; "
            "a new blind round with %(reviewers)s"
        )
        % {"reviewers": reviewers}
        if reviewers
        else _("the text changed after the double review was decided; a new blind round")
    ]
    if data.get("needs_reviewer"):
        sentences.append(
            _("%(reviewers)s can no longer review; the claim needs another reviewer")
            % {"reviewers": _(" and ").join(data["needs_reviewer"])}
        )
    return "; ".join(sentences)


def _revealed(data: dict[str, Any], names: Names) -> str:
    verdicts = "; ".join(
        _("%(author)s “%(rating)s”")
        % {"author": item.get("author", ""), "rating": names.rating(item.get("rating"))}
        for item in data.get("verdicts") or []
    )
    if data.get("final_rejected"):
        # A chief's final verdict rejected: the two proposals are to be decided again
        # (services.double_review.double_review_back_to_decision).
        return _("both blind verdicts are back for a decision: %(verdicts)s") % {
            "verdicts": verdicts
        }
    sentence = _("both blind verdicts are in: %(verdicts)s") % {"verdicts": verdicts}
    # The evidence each reviewer added unseen, named now (services.double_review).
    urls = [item.get("url", "") for item in data.get("evidence") or []]
    if urls:
        sentence += "; " + _("their evidence: %(urls)s") % {"urls": ", ".join(urls)}
    return sentence


def _approved(data: dict[str, Any], names: Names) -> str:
    rating = names.rating(data.get("rating"))
    if data.get("note"):
        return _("approved “%(rating)s”: %(note)s") % {"rating": rating, "note": data["note"]}
    return _("approved “%(rating)s”") % {"rating": rating}


def _article_updated(data: dict[str, Any], names: Names) -> str:
    fields = list(data.get("fields") or [])
    # A text change re-anchors the spans (its counts are in `reanchored`); an event with no
    # other field changed is a text change too.
    if "reanchored" in data or not fields:
        fields.append("text")
    return _("edited the article: %(fields)s") % {"fields": _field_names(fields)}


def _article_withdrawn(data: dict[str, Any], names: Names) -> str:
    if data.get("reason"):
        return _("withdrew the published fact-check: %(reason)s") % {"reason": data["reason"]}
    return _("withdrew the published fact-check")


def _article_archived(data: dict[str, Any], names: Names) -> str:
    if data.get("reason"):
        return _("archived the article: %(reason)s") % {"reason": data["reason"]}
    return _("archived the article")


def _claimant_name(value: Any) -> str:
    """A claimant as an event's data names it: {id, name}, or the name itself."""
    if isinstance(value, dict):
        return _clipped(value.get("name"))
    return _clipped(value)


def _annotation_updated(data: dict[str, Any], names: Names) -> str:
    if data and set(data) <= {"start", "end", "exact"} and {"start", "end"} & set(data):
        exact = data.get("exact")
        if isinstance(exact, dict):
            return _("moved the span from “%(old)s” to “%(new)s”") % {
                "old": _clipped(exact.get("from")),
                "new": _clipped(exact.get("to")),
            }
        return _("moved the span")
    if set(data) == {"assignment_due"} and isinstance(data["assignment_due"], dict):
        change = data["assignment_due"]
        if change.get("to"):
            return _("moved the due date of %(reviewer)s’s assignment to %(due)s") % {
                "reviewer": change.get("reviewer"),
                "due": _due_day(change["to"]),
            }
        return _("removed the due date of %(reviewer)s’s assignment") % {
            "reviewer": change.get("reviewer")
        }
    if set(data) == {"claimant"} and isinstance(data["claimant"], dict):
        change = data["claimant"]
        if change.get("to"):
            return _("named %(name)s as the claimant") % {"name": _claimant_name(change["to"])}
        return _("removed the claimant %(name)s") % {"name": _claimant_name(change.get("from"))}
    return _("edited %(fields)s") % {"fields": _field_names(sorted(data)) or _("nothing")}


def _claimant_updated(data: dict[str, Any], names: Names) -> str:
    fields = {
        "name": _("name"),
        "kind": _("kind"),
        "aliases": _("aliases"),
        "url": _("URL"),
        "description": _("description"),
    }
    changed = ", ".join(fields.get(field, field) for field in sorted(data.get("changes") or {}))
    return _("edited the claimant %(name)s: %(fields)s") % {
        "name": _clipped(data.get("name")),
        "fields": changed or _("nothing"),
    }


def _model_trained(data: dict[str, Any]) -> str:
    values = {
        "language": data.get("language"),
        "version": data.get("version"),
        "size": number_format(int(data.get("size") or 0), force_grouping=True),
    }
    if data.get("active"):
        return (
            _(
                "trained version %(version)s of the suggestion model (%(language)s) on "
                "%(size)s examples"
            )
            % values
        )
    return (
        _(
            "trained version %(version)s of the suggestion model (%(language)s) on %(size)s "
            "examples; too few to use it yet"
        )
        % values
    )


SENTENCES: dict[Event.Verb, Sentence] = {
    Verb.ARTICLE_CREATED: lambda data, names: (
        _("created the article “%(title)s”") % {"title": _clipped(data.get("title"))}
    ),
    Verb.ARTICLE_IMPORT_REQUESTED: lambda data, names: (
        (
            _("asked again for the article to be imported from %(url)s")
            if data.get("retry")
            else _("asked for the article to be imported from %(url)s")
        )
        % {"url": data.get("url", "")}
    ),
    Verb.ARTICLE_IMPORTED: lambda data, names: (
        _("imported the article’s text (%(chars)s characters)")
        % {"chars": number_format(_count(data, "chars"), force_grouping=True)}
    ),
    Verb.ARTICLE_IMPORT_FAILED: lambda data, names: (
        _("the import failed: %(error)s")
        % {
            "error": _clipped(
                machine_text.render(
                    data.get("error_code") or "",
                    data.get("error_params"),
                    fallback=str(data.get("error") or ""),
                )
            )
        }
    ),
    Verb.ARTICLE_UPDATED: _article_updated,
    Verb.ARTICLE_ANALYSED: _counted(
        ngettext_lazy(
            "analysed the text: %(n)d suggestion", "analysed the text: %(n)d suggestions", "n"
        ),
        n="suggestions",
    ),
    Verb.ARTICLE_WARNING_ACKNOWLEDGED: lambda data, names: (
        _("acknowledged before publishing: %(warning)s")
        % {
            "warning": gate_warning_message(
                data.get("code", ""),
                url=data.get("url", ""),
                exact=data.get("exact", ""),
                fallback=data.get("message", data.get("key", "")),
            )
        }
    ),
    Verb.ARTICLE_PUBLISHED: lambda data, names: _("published the fact-check"),
    Verb.ARTICLE_CORRECTED: lambda data, names: (
        _("corrected the published verdict “%(old)s” to “%(new)s”")
        % {"old": names.rating(data.get("old_rating")), "new": names.rating(data.get("new_rating"))}
    ),
    Verb.ARTICLE_WITHDRAWN: _article_withdrawn,
    Verb.ARTICLE_ARCHIVED: _article_archived,
    Verb.ARTICLE_RESTORED: lambda data, names: _("restored the article"),
    Verb.ANNOTATION_CREATED: lambda data, names: (
        _("marked the span as %(label)s") % {"label": names.label(data.get("label"))}
    ),
    Verb.ANNOTATION_UPDATED: _annotation_updated,
    Verb.ANNOTATION_WITHDRAWN: lambda data, names: _("withdrew it"),
    Verb.ANNOTATION_FUZZY: lambda data, names: _(
        "the text changed; the span moved to its best match"
    ),
    Verb.ANNOTATION_ORPHANED: lambda data, names: _(
        "the text changed; the span could not be placed"
    ),
    Verb.ANNOTATION_ASSIGNED: _assigned,
    Verb.ASSIGNMENT_DECLINED: lambda data, names: (
        _("declined: %(reason)s") % {"reason": data.get("reason", "")}
    ),
    Verb.VERDICT_PROPOSED: lambda data, names: (
        _("proposed “%(rating)s”") % {"rating": names.rating(data.get("rating"))}
    ),
    Verb.VERDICT_APPROVED: _approved,
    Verb.DOUBLE_REVIEW_REQUESTED: _double_review_requested,
    # The rating stays out of the event: the other reviewer reads this history.
    Verb.VERDICT_PROPOSED_BLIND: lambda data, names: _("proposed a blind verdict"),
    Verb.DOUBLE_REVIEW_REVEALED: lambda data, names: _revealed(data, names),
    Verb.DOUBLE_REVIEW_DECIDED: lambda data, names: (
        (
            _("wrote the final verdict “%(rating)s” of the double review")
            if data.get("final")
            else _("chose “%(rating)s” from the double review")
        )
        % {"rating": names.rating(data.get("rating"))}
    ),
    Verb.VERDICT_REJECTED: lambda data, names: (
        (
            _("rejected the final verdict “%(rating)s” of the double review: %(note)s")
            if data.get("final")
            else _("rejected “%(rating)s”: %(note)s")
        )
        % {"rating": names.rating(data.get("rating")), "note": data.get("note")}
    ),
    Verb.VERDICT_SET_ASIDE: lambda data, names: (
        _("the text changed under the verdict; set aside: “%(old)s” → “%(new)s”")
        % {"old": data.get("old", ""), "new": data.get("new") or _("(no longer in the article)")}
    ),
    # A blind reviewer's evidence is sealed as their verdict is: its event names no URL;
    # the reveal's does (services.evidence._evidence_create).
    Verb.EVIDENCE_ADDED: lambda data, names: (
        _("added evidence, sealed until both reviewers have proposed")
        if data.get("sealed")
        else _("added evidence %(url)s") % {"url": data.get("url", "")}
    ),
    Verb.EVIDENCE_REUSED: _counted(
        ngettext_lazy(
            "reused %(n)d evidence item of an earlier verdict",
            "reused %(n)d evidence items of an earlier verdict",
            "n",
        ),
        n="added",
    ),
    Verb.EVIDENCE_REMOVED: lambda data, names: (
        _("removed sealed evidence")
        if data.get("sealed")
        else _("removed evidence %(url)s") % {"url": data.get("url", "")}
    ),
    Verb.EVIDENCE_HEALTH: lambda data, names: (
        _("evidence flagged: %(flags)s") % {"flags": health_flag_names(data.get("flags", []))}
    ),
    Verb.EVIDENCE_RECHECK_REQUESTED: _counted(
        ngettext_lazy(
            "queued a fresh check of %(n)d evidence URL",
            "queued a fresh check of %(n)d evidence URLs",
            "n",
        ),
        n="checks",
    ),
    Verb.COMMENT_ADDED: lambda data, names: (
        _("commented: %(body)s") % {"body": _clipped(data.get("body"))}
    ),
    Verb.SOURCE_CHECK_REQUESTED: lambda data, names: _("asked for the sources to be checked"),
    Verb.SOURCE_CHECK_FINISHED: lambda data, names: (
        _("checked the source of sealed evidence")
        if data.get("sealed")
        else _("source check of %(source)s: %(status)s")
        % {
            "source": data.get("url") or _("the attribution"),
            "status": _check_status(data.get("status", "")),
        }
    ),
    Verb.SUGGESTION_ACCEPTED: lambda data, names: (
        _("accepted the suggestion and marked the span as %(label)s")
        % {"label": names.label(data.get("label"))}
    ),
    Verb.PAGE_NOTE_CREATED: lambda data, names: _("added a note on the article"),
    Verb.PAGE_NOTE_UPDATED: lambda data, names: _("edited a note on the article"),
    Verb.PAGE_NOTE_WITHDRAWN: lambda data, names: _("withdrew a note on the article"),
    Verb.SUGGESTION_DISMISSED: lambda data, names: (
        _("dismissed the suggestion “%(exact)s”") % {"exact": _clipped(data.get("exact"))}
    ),
    Verb.JOBS_SWEPT: _counted(
        ngettext_lazy(
            "sent %(n)d unfinished background job again (%(failed)d given up)",
            "sent %(n)d unfinished background jobs again (%(failed)d given up)",
            "n",
        ),
        n="sent",
        failed="failed",
    ),
    Verb.WORKER_PING: lambda data, names: _("the background worker answered"),
    Verb.WEBHOOK_CREATED: lambda data, names: (
        _("subscribed %(url)s to webhooks") % {"url": _clipped(data.get("url"))}
    ),
    Verb.WEBHOOK_UPDATED: lambda data, names: (
        _("changed the webhook subscription %(id)s") % {"id": data.get("webhook")}
    ),
    Verb.WEBHOOK_SECRET_ROTATED: lambda data, names: (
        _("rotated the secret of the webhook subscription %(id)s") % {"id": data.get("webhook")}
    ),
    Verb.WEBHOOK_DELETED: lambda data, names: (
        _("deleted the webhook subscription for %(url)s") % {"url": _clipped(data.get("url"))}
    ),
    Verb.WEBHOOK_DISABLED: lambda data, names: (
        _("disabled the webhook subscription for %(url)s: it failed for a day")
        % {"url": _clipped(data.get("url"))}
    ),
    Verb.WEBHOOK_REDELIVERED: lambda data, names: (
        _("sent webhook deliveries of subscription %(id)s again") % {"id": data.get("webhook")}
    ),
    Verb.CLAIMANT_CREATED: lambda data, names: (
        _("created the claimant %(name)s") % {"name": _clipped(data.get("name"))}
    ),
    Verb.CLAIMANT_UPDATED: _claimant_updated,
    Verb.CLAIMANT_MERGED: lambda data, names: (
        _("merged the claimant %(duplicate)s into %(name)s")
        % {"duplicate": _clipped(data.get("duplicate_name")), "name": _clipped(data.get("name"))}
    ),
    Verb.SUGGESTION_MODEL_TRAINED: lambda data, names: _model_trained(data),
    Verb.SUGGESTION_MODEL_ROLLED_BACK: lambda data, names: (
        _("rolled the suggestion model (%(language)s) back from version %(from)s to %(to)s")
        % {"language": data.get("language"), "from": data.get("from"), "to": data.get("to")}
    ),
}


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
    """What the event did, in words. A verb outside Event.Verb (a row written before the
    choices, by hand) is shown as it is stored."""
    try:
        sentence = SENTENCES[Event.Verb(event.verb)]
    except ValueError:
        return event.verb
    return sentence(event.data or {}, names)
