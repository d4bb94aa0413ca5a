"""Users: by name or id, by role, and with their open assignments."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from ..models import NEWSROOM_ROLES, ROLE_REVIEWER, Annotation, Assignment


def user_named(username: str) -> Any:
    """The user with this username, or None."""
    return get_user_model().objects.filter(username=username).first()


def first_editor() -> Any:
    """The longest-standing active editor or chief, or None (for operators' commands)."""
    return (
        get_user_model()
        .objects.filter(groups__name__in=["editor", "chief"], is_active=True)
        .order_by("pk")
        .first()
    )


def newsroom_users(role: str | None = None) -> QuerySet:
    """Active users with a newsroom role (or the given one), each with `open_assignments`:
    their pending assignments on live annotations."""
    user_model = get_user_model()
    users = (
        users_with_role(role)
        if role
        else user_model.objects.filter(
            is_active=True,
            pk__in=user_model.objects.filter(groups__name__in=NEWSROOM_ROLES).values("pk"),
        ).order_by("username")
    )
    pending = (
        Assignment.objects.filter(reviewer=OuterRef("pk"), state=Assignment.State.PENDING)
        .exclude(annotation__status=Annotation.Status.WITHDRAWN)
        .order_by()
        .values("reviewer")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return users.annotate(open_assignments=Coalesce(Subquery(pending), 0)).prefetch_related(
        "groups"
    )


def reviewers_with_workload() -> QuerySet:
    """Reviewers with `open_items`: their pending assignments on live spans (one query)."""
    open_items = Q(assignments__state="pending") & ~Q(
        assignments__annotation__status=Annotation.Status.WITHDRAWN
    )
    return (
        get_user_model()
        .objects.filter(groups__name=ROLE_REVIEWER, is_active=True)
        .annotate(open_items=Count("assignments", filter=open_items, distinct=True))
        .order_by("username")
    )


def users_with_role(role: str) -> QuerySet:
    """Active users in the group `role`, by username."""
    return get_user_model().objects.filter(groups__name=role, is_active=True).order_by("username")


def user_by_name_or_id(value: Any) -> Any:
    """The user whose id (a string of decimal digits) or username is `value`; None if none."""
    # isdecimal, not isdigit: "²" is a digit that int() refuses (a 500, found by schemathesis).
    lookup = {"pk": int(value)} if str(value).isdecimal() else {"username": str(value)}
    return get_user_model().objects.filter(**lookup).first()
