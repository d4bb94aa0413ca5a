"""Who may do what: one `can_<action>` per action, asked by views, the API and services.

Roles are Django groups. A user may hold several; four eyes are checked per verdict.
The rules need the caller's groups, which are read once per user object and cached on it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .models import NEWSROOM_ROLES, ROLE_CHIEF, ROLE_EDITOR, ROLE_REVIEWER, Annotation, Assignment

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    from .models import Verdict

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


def can_read(user: User) -> bool:
    return is_newsroom_member(user)


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


def can_accept_suggestion(user: User) -> bool:
    return is_editor_or_chief(user)
