"""Who may do what: one `can_<action>` per action, asked by views, the API and services.

Roles are Django groups. A user may hold several; four eyes are checked per verdict.
The rules need the caller's groups, which are read once per user object and cached on it.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import (
    NEWSROOM_ROLES,
    ROLE_CHIEF,
    ROLE_EDITOR,
    ROLE_REVIEWER,
    Annotation,
    Article,
    Assignment,
    Evidence,
    Verdict,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    User = AbstractBaseUser | AnonymousUser


def roles(user: User) -> frozenset[str]:
    if not user or not user.is_authenticated or not user.is_active:
        return frozenset()
    cached = getattr(user, "_factcheck_roles", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._factcheck_roles = cached
    return cached


def has_role(user: User, role: str) -> bool:
    return role in roles(user)


def is_newsroom_member(user: User) -> bool:
    """Every editor, reviewer and chief reads every article: one desk, one team."""
    return bool(roles(user) & set(NEWSROOM_ROLES))


def is_editor_or_chief(user: User) -> bool:
    return bool(roles(user) & {ROLE_EDITOR, ROLE_CHIEF})


def landing_page(user: User) -> str:
    """The URL name a user lands on after logging in: a chief's approvals, a reviewer's
    queue, everyone else the article list. A user with several roles gets the first of
    chief > reviewer > editor: the work that waits on them alone."""
    if has_role(user, ROLE_CHIEF):
        return "annotations:approvals"
    if has_role(user, ROLE_REVIEWER):
        return "annotations:queue"
    return "annotations:article-list"


def can_view_archived_copy(user: User, article: Article, *, is_on_public_report: bool) -> bool:
    """The archived copy of a source: the newsroom always; the public where the evidence
    is one of a verdict's sources on a report they may read (published or withdrawn)."""
    if is_newsroom_member(user):
        return True
    return is_on_public_report and article.status in (
        Article.Status.PUBLISHED,
        Article.Status.WITHDRAWN,
    )


def can_download_bundle(user: User, article: Article, *, is_on_public_report: bool) -> bool:
    """A verdict's evidence bundle goes to whoever may read the verdict: the newsroom any;
    the public one that a report they may read shows (published or withdrawn)."""
    return can_view_archived_copy(user, article, is_on_public_report=is_on_public_report)


def can_edit_article(user: User) -> bool:
    return is_editor_or_chief(user)


def can_publish_article(user: User) -> bool:
    return has_role(user, ROLE_CHIEF)


def can_edit_annotation(user: User) -> bool:
    return is_editor_or_chief(user)


def can_assign(user: User) -> bool:
    return is_editor_or_chief(user)


def can_be_assigned(user: User) -> bool:
    return has_role(user, ROLE_REVIEWER)


def is_assigned(user: User, annotation: Annotation, *, pending_only: bool = True) -> bool:
    """Holds a pending assignment; with `pending_only=False` any assignment the reviewer
    has not declined (one that proposed and was answered counts, a declined one not)."""
    if not user.is_authenticated:
        return False
    assignments = Assignment.objects.filter(annotation=annotation, reviewer=user)
    if pending_only:
        assignments = assignments.filter(state=Assignment.State.PENDING)
    else:
        assignments = assignments.exclude(state=Assignment.State.DECLINED)
    return assignments.exists()


def can_propose_verdict(user: User, annotation: Annotation) -> bool:
    return has_role(user, ROLE_REVIEWER) and is_assigned(user, annotation)


def can_decline(user: User, annotation: Annotation) -> bool:
    return has_role(user, ROLE_REVIEWER) and is_assigned(user, annotation)


def can_work_on_evidence(user: User, annotation: Annotation) -> bool:
    """Editors and chiefs gather evidence on any span; a reviewer on spans assigned to them."""
    if is_editor_or_chief(user):
        return True
    return has_role(user, ROLE_REVIEWER) and is_assigned(user, annotation, pending_only=False)


def can_change_evidence(user: User, annotation: Annotation) -> bool:
    """Add, remove or reuse evidence: as `can_work_on_evidence`, while the span is live
    and its verdict not yet approved (services refuse the same with a Conflict)."""
    frozen = {Annotation.Status.WITHDRAWN, Annotation.Status.APPROVED}
    return annotation.status not in frozen and can_work_on_evidence(user, annotation)


def can_request_check(user: User, annotation: Annotation) -> bool:
    return can_work_on_evidence(user, annotation)


def can_comment(user: User) -> bool:
    return is_newsroom_member(user)


def can_decide_verdict(user: User, verdict: Verdict) -> bool:
    """Chiefs approve or reject, never a verdict they wrote themselves."""
    return has_role(user, ROLE_CHIEF) and verdict.author_id != user.pk


def can_edit_claimants(user: User) -> bool:
    """Create, edit and merge claimants, and name a claim's: editors and chiefs."""
    return is_editor_or_chief(user)


def can_accept_suggestion(user: User) -> bool:
    return is_editor_or_chief(user)


def can_work_queue(user: User) -> bool:
    """The queue page is a reviewer's."""
    return has_role(user, ROLE_REVIEWER)


def can_decide_verdicts(user: User) -> bool:
    """Approve or reject verdicts, and see the approvals page: chiefs."""
    return has_role(user, ROLE_CHIEF)


def can_see_verdict(user: User, verdict: Verdict) -> bool:
    """A sealed proposal of a blind double review shows to its author alone until the
    other reviewer has proposed too; every other verdict to the whole desk."""
    return not verdict.is_sealed or verdict.author_id == user.pk


def can_see_evidence(user: User, evidence: Evidence) -> bool:
    """Evidence a blind double review's reviewer added while the round is sealed shows to
    its author alone until both have proposed (as their verdict does); all other evidence
    to the whole desk."""
    return not evidence.is_sealed or evidence.added_by_id == user.pk


def can_decide_double_review(user: User, annotation: Annotation) -> bool:
    """A chief decides a blind double review (approve one, or write the final verdict),
    unless they were one of its two reviewers: four eyes over both proposals."""
    if not has_role(user, ROLE_CHIEF):
        return False
    return not Verdict.objects.filter(
        annotation=annotation, is_blind=True, author_id=user.pk
    ).exists()


def can_view_insights(user: User) -> bool:
    """The desk's dashboard (/insights/ and its API): chiefs."""
    return has_role(user, ROLE_CHIEF)


def can_manage_webhooks(user: User) -> bool:
    """Webhook subscriptions and their delivery log (the secrets among them): chiefs."""
    return has_role(user, ROLE_CHIEF)


# --- who may act at all, and what they hear when they may not ---------------------------------

# One row per role-only action: the rule and the message of a refusal (a 403), so that the
# API's early refusal and the service's own check say the same words from one place.
ROLE_ACTIONS: dict[str, tuple[Callable[[User], bool], Any]] = {
    "article.create": (
        is_editor_or_chief,
        gettext_lazy("only editors and chiefs can create articles"),
    ),
    "article.import": (
        is_editor_or_chief,
        gettext_lazy("only editors and chiefs can import articles"),
    ),
    "article.edit": (is_editor_or_chief, gettext_lazy("only editors and chiefs can edit articles")),
    "article.archive": (
        is_editor_or_chief,
        gettext_lazy("only editors and chiefs can archive articles"),
    ),
    "article.restore": (
        is_editor_or_chief,
        gettext_lazy("only editors and chiefs can restore articles"),
    ),
    "article.publish": (can_publish_article, gettext_lazy("only chiefs can publish")),
    "annotation.create": (is_editor_or_chief, gettext_lazy("only editors and chiefs can annotate")),
    "annotation.edit": (
        is_editor_or_chief,
        gettext_lazy("only editors and chiefs can edit annotations"),
    ),
    "annotation.withdraw": (
        is_editor_or_chief,
        gettext_lazy("only editors and chiefs can withdraw annotations"),
    ),
    "annotation.assign": (is_editor_or_chief, gettext_lazy("only editors and chiefs can assign")),
    "suggestion.accept": (
        is_editor_or_chief,
        gettext_lazy("only editors and chiefs can accept suggestions"),
    ),
    "suggestion.dismiss": (
        is_editor_or_chief,
        gettext_lazy("only editors and chiefs can dismiss suggestions"),
    ),
    "claimant.create": (
        is_editor_or_chief,
        gettext_lazy("only editors and chiefs can create claimants"),
    ),
    "claimant.edit": (
        is_editor_or_chief,
        gettext_lazy("only editors and chiefs can edit claimants"),
    ),
    "claimant.merge": (
        is_editor_or_chief,
        gettext_lazy("only editors and chiefs can merge claimants"),
    ),
    "verdict.approve": (can_decide_verdicts, gettext_lazy("only chiefs can approve verdicts")),
    "verdict.reject": (can_decide_verdicts, gettext_lazy("only chiefs can reject verdicts")),
    "comment.add": (is_newsroom_member, gettext_lazy("you cannot comment")),
    "queue.view": (can_work_queue, gettext_lazy("The queue is for reviewers.")),
    "approvals.view": (can_decide_verdicts, gettext_lazy("Approvals are for chiefs.")),
    "webhook.manage": (can_manage_webhooks, gettext_lazy("only chiefs can manage webhooks")),
    "annotation.double_review": (
        can_decide_verdicts,
        gettext_lazy("only chiefs can ask for a blind double review"),
    ),
    "insights.view": (can_view_insights, gettext_lazy("The desk's dashboard is for chiefs.")),
    "api.use": (
        is_newsroom_member,
        gettext_lazy("You need a newsroom role (editor, reviewer or chief) to use the API."),
    ),
}


def role_refusal(user: User, action: str) -> str | None:
    """Why `user`'s roles do not allow `action` (a ROLE_ACTIONS key), or None."""
    rule, message = ROLE_ACTIONS[action]
    return None if rule(user) else str(message)


# One row per action on one object (an annotation, a verdict, an article): the rule
# `can_<action>(user, obj)` and the message of a refusal (a 403). Services refuse with it
# (`services.base.require_allowed`); pages ask the same `can_*` to show or hide a control.
OBJECT_ACTIONS: dict[str, tuple[Callable[[User, Any], bool], Any]] = {
    "article.restore": (
        lambda user, article: can_restore_article(user, article),
        gettext_lazy("only a chief can publish a withdrawn fact-check again"),
    ),
    "annotation.decline": (can_decline, gettext_lazy("this item is not assigned to you")),
    "evidence.add": (
        can_work_on_evidence,
        gettext_lazy("only editors, chiefs and the assigned reviewer can add evidence"),
    ),
    "evidence.remove": (
        can_work_on_evidence,
        gettext_lazy("only editors, chiefs and the assigned reviewer can remove evidence"),
    ),
    "check.request": (
        can_request_check,
        gettext_lazy("only editors, chiefs and the assigned reviewer can request checks"),
    ),
    "verdict.propose": (
        can_propose_verdict,
        gettext_lazy("only the reviewer assigned to this item can propose a verdict"),
    ),
    "verdict.approve": (can_decide_verdict, gettext_lazy("you cannot approve your own verdict")),
    "verdict.reject": (can_decide_verdict, gettext_lazy("you cannot reject your own verdict")),
    "double_review.decide": (
        can_decide_double_review,
        gettext_lazy("you reviewed this claim yourself; another chief decides"),
    ),
}


def object_refusal(user: User, action: str, obj: Any) -> str | None:
    """Why `user` may not take `action` (an OBJECT_ACTIONS key) on `obj`, or None."""
    rule, message = OBJECT_ACTIONS[action]
    return None if rule(user, obj) else str(message)


# --- what each article state allows ----------------------------------------------------------


class Act(StrEnum):
    """What may be done to an article or to the annotations on it."""

    EDIT = "edit"  # the text and metadata
    ANNOTATE = "annotate"  # create, relabel, withdraw, assign spans; accept suggestions
    REVIEW = "review"  # evidence, checks, comments, proposing, declining
    DECIDE = "decide"  # approve or reject a verdict
    PUBLISH = "publish"
    ARCHIVE = "archive"  # archive, or withdraw a published fact-check
    RESTORE = "restore"  # undo an archive or a withdrawal
    REIMPORT = "reimport"  # fetch a failed import's URL again


_WORKING = {Act.EDIT, Act.ANNOTATE, Act.REVIEW, Act.DECIDE, Act.PUBLISH, Act.ARCHIVE}

# The one table of article states: which acts each allows, and which of those are a
# chief's alone there. Every door (pages, API, admin, commands) reaches it through the
# services, which call `article_refusal`, and the pages ask `can_act` to show or hide.
# A published article changes only through a chief's correction flow: the chief edits,
# annotates and assigns; the reviewer a chief assigned works the item as usual.
ARTICLE_STATES: dict[str, tuple[frozenset[Act], frozenset[Act]]] = {
    Article.Status.IMPORTING: (frozenset(), frozenset()),
    Article.Status.IMPORT_FAILED: (frozenset({Act.ARCHIVE, Act.REIMPORT}), frozenset()),
    Article.Status.DRAFT: (frozenset(_WORKING), frozenset()),
    Article.Status.IN_REVIEW: (frozenset(_WORKING), frozenset()),
    Article.Status.PUBLISHED: (
        frozenset({Act.EDIT, Act.ANNOTATE, Act.REVIEW, Act.DECIDE, Act.PUBLISH, Act.ARCHIVE}),
        frozenset({Act.EDIT, Act.ANNOTATE, Act.ARCHIVE}),
    ),
    Article.Status.WITHDRAWN: (frozenset({Act.RESTORE}), frozenset({Act.RESTORE})),
    Article.Status.ARCHIVED: (frozenset({Act.RESTORE}), frozenset()),
}


def article_refusal(user: User, status: str, act: Act) -> str | None:
    """Why the article's state does not let `user` do `act` (a 409 message), or None.

    Role rules (may this user edit at all?) are the `can_*` functions above; this answers
    the state's part only."""
    allowed, chief_only = ARTICLE_STATES.get(status, (frozenset(), frozenset()))
    label = str(dict(Article.Status.choices).get(status, status))
    if act not in allowed:
        if status == Article.Status.ARCHIVED:
            return _("the article is archived and read-only; a chief or editor can restore it")
        if status == Article.Status.WITHDRAWN:
            return _("the fact-check was withdrawn and is read-only; a chief can restore it")
        if status == Article.Status.IMPORTING:
            return _("the article is still importing")
        return _("the article is %(status)s; this is not possible now") % {"status": label}
    if act in chief_only and not has_role(user, ROLE_CHIEF):
        if status == Article.Status.PUBLISHED and act == Act.ARCHIVE:
            return _("the fact-check is published; only a chief can withdraw it")
        return _("the article is published; only a chief can change it now")
    return None


def can_act(user: User, article: Article, act: Act) -> bool:
    """The state's answer (article_refusal) for pages that show or hide a control."""
    return article_refusal(user, article.status, act) is None


def can_restore_article(user: User, article: Article) -> bool:
    if article.status == Article.Status.WITHDRAWN:
        return has_role(user, ROLE_CHIEF)
    return is_editor_or_chief(user)
