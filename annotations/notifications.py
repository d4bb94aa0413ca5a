"""Emails sent by the `notify` task, after commit, never inside a request."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail

from .models import ROLE_CHIEF, Assignment, SourceCheck, Verdict

User = get_user_model()


def _chief_addresses(exclude_id: int | None = None) -> list[str]:
    chiefs = User.objects.filter(groups__name=ROLE_CHIEF, is_active=True).exclude(email="")
    if exclude_id is not None:
        chiefs = chiefs.exclude(pk=exclude_id)
    return sorted(set(chiefs.values_list("email", flat=True)))


def _quote(exact: str) -> str:
    return exact if len(exact) <= 140 else exact[:139] + "…"


def send(kind: str, object_id: int) -> int:
    """Send the email for one workflow step; returns the number of messages sent."""
    if kind == "assigned":
        assignment = Assignment.objects.select_related(
            "annotation__article", "annotation__label", "reviewer", "assigned_by"
        ).get(pk=object_id)
        if not assignment.reviewer.email:
            return 0
        annotation = assignment.annotation
        return send_mail(
            f"[Fact-check] New item in your queue: {annotation.article.title[:80]}",
            f"{assignment.assigned_by.username} assigned you a {annotation.label.name.lower()}:\n\n"
            f"“{_quote(annotation.exact)}”\n\nArticle: {annotation.article.title}\n"
            f"Due: {assignment.due_at or 'no due date'}\n",
            settings.DEFAULT_FROM_EMAIL,
            [assignment.reviewer.email],
        )
    if kind in ("proposed", "rejected"):
        verdict = Verdict.objects.select_related(
            "annotation__article", "author", "decided_by", "rating"
        ).get(pk=object_id)
        annotation = verdict.annotation
        if kind == "proposed":
            recipients = _chief_addresses(exclude_id=verdict.author_id)
            subject = f"[Fact-check] Verdict to approve: {annotation.article.title[:80]}"
            body = (
                f"{verdict.author.username} proposes “{verdict.rating.name}” for:\n\n"
                f"“{_quote(annotation.exact)}”\n\n{verdict.rationale}\n"
            )
        else:
            recipients = [verdict.author.email] if verdict.author.email else []
            subject = f"[Fact-check] Verdict returned: {annotation.article.title[:80]}"
            body = (
                f"{verdict.decided_by.username} rejected your verdict on:\n\n"
                f"“{_quote(annotation.exact)}”\n\nNote: {verdict.decision_note}\n"
            )
        if not recipients:
            return 0
        return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    if kind == "evidence_health":
        check = SourceCheck.objects.select_related("annotation__article").get(pk=object_id)
        recipients = _chief_addresses()
        health = [f for f in check.flags if f.get("code") in ("changed", "unreachable")]
        if not recipients or not health:
            return 0
        codes = ", ".join(f["code"] for f in health)
        reasons = "\n".join(f"- {f['explanation']}" for f in health)
        return send_mail(
            f"[Fact-check] Evidence {codes}: {check.annotation.article.title[:80]}",
            f"The evidence {check.url} behind an approved verdict is now: {codes}.\n\n"
            f"{reasons}\n\n"
            f"Claim: “{_quote(check.annotation.exact)}”\n"
            f"Article: {check.annotation.article.title}\n",
            settings.DEFAULT_FROM_EMAIL,
            recipients,
        )
    if kind == "set_aside":
        verdict = Verdict.objects.select_related("annotation__article", "author", "rating").get(
            pk=object_id
        )
        annotation = verdict.annotation
        recipients = sorted(
            set(_chief_addresses()) | ({verdict.author.email} if verdict.author.email else set())
        )
        if not recipients:
            return 0
        old = verdict.approved_quote or verdict.quote
        return send_mail(
            f"[Fact-check] Text changed under a verdict: {annotation.article.title[:80]}",
            f"The article's text changed under the verdict “{verdict.rating.name}”. The "
            "verdict is set aside and the claim is back in "
            f"{verdict.author.username}'s queue.\n\n"
            f"Before: “{_quote(old)}”\nNow: “{_quote(annotation.exact)}”\n\n"
            f"Article: {annotation.article.title}\n",
            settings.DEFAULT_FROM_EMAIL,
            recipients,
        )
    raise ValueError(f"unknown notification kind {kind!r}")
