"""Emails sent by the `notify` task, after commit, never inside a request.

Each kind has two templates, `templates/emails/<kind>_subject.txt` and `<kind>_body.txt`,
written with gettext and rendered in each recipient's language (services/preferences.py):
recipients who share a language get one message, so a kind sends one message per language.
The templates turn autoescape off on purpose: the mail is text/plain, where HTML escaping
would print "&amp;" into a title; a subject is collapsed to one line, so no user text can
start a header of its own.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from . import machine_text
from .history import health_flag_names
from .models import ROLE_CHIEF, Assignment, Event, SourceCheck, Verdict, WebhookSubscription
from .services.preferences import user_languages

User = get_user_model()

KINDS = ("assigned", "proposed", "rejected", "evidence_health", "set_aside", "webhook_disabled")


def _chiefs(exclude_id: int | None = None) -> list[Any]:
    chiefs = User.objects.filter(groups__name=ROLE_CHIEF, is_active=True).exclude(email="")
    if exclude_id is not None:
        chiefs = chiefs.exclude(pk=exclude_id)
    return list(chiefs.distinct().order_by("pk"))


def _quote(exact: str) -> str:
    return exact if len(exact) <= 140 else exact[:139] + "…"


def _label_noun(name: str) -> str:
    """A label's name inside a sentence: "a claim" in English; German capitalises nouns."""
    return name if (translation.get_language() or "").startswith("de") else name.lower()


def _send(kind: str, recipients: Iterable[Any], context: dict[str, Any]) -> int:
    """Render `kind` once per language among `recipients` (users; those without an address
    are skipped, an address is written to once) and send; the number of messages sent."""
    users = [user for user in recipients if user.email]
    languages = user_languages([user.pk for user in users])
    addresses_by_language: dict[str, set[str]] = defaultdict(set)
    seen: set[str] = set()
    for user in users:
        if user.email not in seen:
            seen.add(user.email)
            addresses_by_language[languages[user.pk]].add(user.email)
    messages = []
    for language, addresses in sorted(addresses_by_language.items()):
        with translation.override(language):
            subject = render_to_string(f"emails/{kind}_subject.txt", context)
            body = render_to_string(f"emails/{kind}_body.txt", context)
            # A subject is one line, whatever the template's layout.
            subject = " ".join(subject.split())
            messages.append(
                EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, sorted(addresses))
            )
    if not messages:
        return 0
    # Rendered first and sent over one connection: a template error sends nothing at all.
    # (A mail server that fails between two languages' messages fails the job, and its
    # retry sends the first language's message again.)
    return get_connection().send_messages(messages) or 0


def _assigned(assignment_id: int) -> int:
    assignment = Assignment.objects.select_related(
        "annotation__article", "annotation__label", "reviewer", "assigned_by"
    ).get(pk=assignment_id)
    annotation = assignment.annotation
    return _send(
        "assigned",
        [assignment.reviewer],
        {
            "assignment": assignment,
            "article": annotation.article,
            # Callables, so that the template calls them in the recipient's language.
            "label_noun": lambda: _label_noun(annotation.label.display_name),
            "quote": _quote(annotation.exact),
        },
    )


def _verdict(kind: str, verdict_id: int) -> int:
    verdict = Verdict.objects.select_related(
        "annotation__article", "author", "decided_by", "rating"
    ).get(pk=verdict_id)
    annotation = verdict.annotation
    context = {
        "verdict": verdict,
        "article": annotation.article,
        "quote": _quote(annotation.exact),
    }
    if kind == "proposed":
        # The author, a chief too perhaps, is not asked to approve their own verdict.
        return _send(kind, _chiefs(exclude_id=verdict.author_id), context)
    if kind == "rejected":
        return _send(kind, [verdict.author], context)
    # set_aside: the chiefs, who approved it, and its author, whose queue it is back in. A
    # sealed blind proposal is its author's alone (policy.can_see_verdict): only they hear.
    context["old_quote"] = _quote(verdict.approved_quote or verdict.quote)
    if verdict.is_sealed:
        return _send(kind, [verdict.author], context)
    # A double review's decision set aside starts a new blind round
    # (services.double_review.double_review_reopen): the chiefs and both reviewers hear.
    new_round = (
        Event.objects.filter(
            annotation=annotation,
            verb=Event.Verb.DOUBLE_REVIEW_REQUESTED,
            data__set_aside=verdict.pk,
        )
        .order_by("-pk")
        .first()
    )
    if new_round is None:
        return _send(kind, [*_chiefs(), verdict.author], context)
    names = new_round.data.get("reviewers") or []
    missing = new_round.data.get("needs_reviewer") or []
    reviewers = User.objects.filter(username__in=names, is_active=True).order_by("pk")
    # Callables, so that the template joins the names in the recipient's language.
    context["new_round"] = True
    context["round_reviewers"] = lambda: _(" and ").join(names)
    context["needs_reviewer"] = lambda: _(" and ").join(missing) if missing else ""
    return _send(kind, [*_chiefs(), *reviewers], context)


def _evidence_health(check_id: int) -> int:
    check = SourceCheck.objects.select_related("annotation__article").get(pk=check_id)
    codes = [f["code"] for f in check.flags if f.get("code") in ("changed", "unreachable")]
    if not codes:
        return 0
    # The check the source was compared with, as its `evidence.health` event names it.
    event = (
        Event.objects.filter(verb=Event.Verb.EVIDENCE_HEALTH, data__check=check.pk)
        .order_by("-pk")
        .first()
    )
    previous = None
    if event is not None and event.data.get("previous_check"):
        previous = SourceCheck.objects.filter(pk=event.data["previous_check"]).first()
    return _send(
        "evidence_health",
        _chiefs(),
        {
            "check": check,
            "article": check.annotation.article,
            "quote": _quote(check.annotation.exact),
            "flags": lambda: health_flag_names(codes),
            # Worded in the recipient's language, like the flags.
            "error": lambda: machine_text.check_error(check) or check.get_status_display(),
            "changed": "changed" in codes,
            "unreachable": "unreachable" in codes,
            "checked_before": previous.finished_at if previous is not None else None,
        },
    )


def _webhook_disabled(subscription_id: int) -> int:
    subscription = WebhookSubscription.objects.filter(pk=subscription_id).first()
    if subscription is None:
        return 0  # deleted since
    return _send(
        "webhook_disabled",
        _chiefs(),
        {"subscription": subscription, "page_url": reverse("annotations:webhooks")},
    )


def send(kind: str, object_id: int) -> int:
    """Send the email for one workflow step; returns the number of messages sent (one per
    language among its recipients). Raises ValueError for an unknown kind."""
    if kind == "assigned":
        return _assigned(object_id)
    if kind in ("proposed", "rejected", "set_aside"):
        return _verdict(kind, object_id)
    if kind == "evidence_health":
        return _evidence_health(object_id)
    if kind == "webhook_disabled":
        return _webhook_disabled(object_id)
    raise ValueError(f"unknown notification kind {kind!r}")
