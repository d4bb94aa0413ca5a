"""Newsroom accounts made by commands (the demo desk); people are managed in the admin."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from .base import User


def user_ensure(*, username: str, email: str, roles: list[str], password: str) -> tuple[User, bool]:
    """The user named `username`, created with `roles` (group names) and `password` when
    missing; an existing user is left as it is. Returns (user, created)."""
    with transaction.atomic():
        user, created = get_user_model().objects.get_or_create(
            username=username, defaults={"email": email}
        )
        if created:
            user.set_password(password)
            user.save()
            user.groups.set(Group.objects.filter(name__in=roles))
    return user, created
