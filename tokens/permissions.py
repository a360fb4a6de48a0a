"""Permissions of personal access tokens, decided per view and method.

An API view lists the scope each method needs in ``token_scopes``, for
example ``{"GET": Scope.READ, "PATCH": Scope.WRITE_INITIATIVES}``. A method
that is not listed, or a view without the attribute, is closed to tokens:
the default denies, so a new view cannot forget the check. HEAD follows GET,
and OPTIONS follows GET unless the view lists it.

This class is first in DEFAULT_PERMISSION_CLASSES. Sessions pass through it
untouched; what a user may do is decided by their role.
"""

from rest_framework import exceptions, permissions

from tokens.authentication import bearer_challenge
from tokens.models import PersonalAccessToken


class TokenNotAllowed(exceptions.PermissionDenied):
    default_code = "token_not_allowed"
    default_detail = (
        "Personal access tokens cannot be used here. Sign in with a browser session."
    )


class InsufficientScope(exceptions.PermissionDenied):
    default_code = "insufficient_scope"

    def __init__(self, required_scope: str, token: PersonalAccessToken):
        required_scope = str(required_scope)
        super().__init__(
            f"This request needs a token with the '{required_scope}' scope."
        )
        self.challenge = bearer_challenge("insufficient_scope", scope=required_scope)
        self.extra = {"required_scope": required_scope, "scopes": list(token.scopes)}


def required_scope(view, method: str) -> str | None:
    """Return the scope a token needs for `method` on `view`, or None if never."""
    scopes = getattr(view, "token_scopes", {})
    if method == "HEAD":
        method = "GET"
    if method == "OPTIONS" and "OPTIONS" not in scopes:
        method = "GET"
    return scopes.get(method)


class TokenScopePermission(permissions.BasePermission):
    def has_permission(self, request, view):
        token = request.auth
        if not isinstance(token, PersonalAccessToken):
            return True

        scope = required_scope(view, request.method)
        if scope is None:
            raise TokenNotAllowed
        if not token.has_scope(scope):
            raise InsufficientScope(scope, token)
        return True
