"""Who may use the API at all: a newsroom role (401 anonymous, 403 without one)."""

from rest_framework.permissions import BasePermission

from .. import policy


class IsNewsroomMember(BasePermission):
    """Reading needs a newsroom role; what each role may write is decided by services."""

    message = "You need a newsroom role (editor, reviewer or chief) to use the API."

    def has_permission(self, request, view) -> bool:
        return policy.is_newsroom_member(request.user)
