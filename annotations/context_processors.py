"""What every template knows about the user's roles."""

from . import policy
from .models import ROLE_CHIEF, ROLE_EDITOR, ROLE_REVIEWER


def roles(request):
    """The header shows the user's roles and the links those roles need."""
    user_roles = policy.roles(request.user) if hasattr(request, "user") else frozenset()
    return {
        "user_roles": sorted(user_roles),
        "is_editor": bool(user_roles & {ROLE_EDITOR, ROLE_CHIEF}),
        "is_reviewer": ROLE_REVIEWER in user_roles,
        "is_chief": ROLE_CHIEF in user_roles,
    }
