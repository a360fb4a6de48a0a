"""OpenAPI 3 generation with the project's conventions.

Every operation names the token scope it needs, or that tokens are not
allowed, and lists the error responses it can return in the one error
format of priorityvote.api.exception_handler.
"""

import copy
import re

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework.permissions import AllowAny

from tokens.permissions import required_scope
from tokens.schema import BearerTokenScheme  # noqa: F401  (registers the scheme)

ERROR_CODES = [
    "validation_error",
    "not_authenticated",
    "invalid_token",
    "insufficient_scope",
    "token_not_allowed",
    "permission_denied",
    "not_found",
    "method_not_allowed",
    "unsupported_media_type",
    "throttled",
]
ERROR_SCHEMA = {
    "type": "object",
    "required": ["error", "detail"],
    "properties": {
        "error": {"type": "string", "enum": ERROR_CODES},
        "detail": {"type": "string", "description": "A message for people."},
        "fields": {
            "type": "object",
            "description": "On 400: the messages for each invalid or unknown field.",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
        "required_scope": {
            "type": "string",
            "description": "On 403 insufficient_scope: the scope the request needs.",
        },
        "scopes": {
            "type": "array",
            "items": {"type": "string"},
            "description": "On 403 insufficient_scope: the scopes the token has.",
        },
    },
}
ERROR_DESCRIPTIONS = {
    "400": "validation_error: the body or the query is invalid.",
    "401": "not_authenticated or invalid_token. The WWW-Authenticate header "
    "follows RFC 6750.",
    "403": "token_not_allowed, insufficient_scope, or permission_denied (role, "
    "or a session request without its CSRF token).",
    "404": "not_found: no such object, or outside the caller's reach.",
    "429": "throttled: too many requests from this address; see Retry-After.",
}


class AutoSchema(SpectacularAutoSchema):
    def get_operation_id(self):
        view_name = re.sub(r"(?<!^)(?=[A-Z])", "_", type(self.view).__name__).lower()
        return f"{view_name}_{self.method.lower()}"

    def get_description(self):
        description = super().get_description() or ""
        scope = required_scope(self.view, self.method)
        if scope is None:
            note = "Personal access tokens: not allowed (403 token_not_allowed)."
        else:
            note = f"Personal access tokens: scope `{scope}`."
        return f"{description}\n\n{note}".strip()

    def get_extensions(self):
        return {"x-token-scope": required_scope(self.view, self.method)}

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        error = self.error_component()
        for code in self.error_statuses():
            responses.setdefault(
                code,
                {
                    "description": ERROR_DESCRIPTIONS[code],
                    "content": {"application/json": {"schema": error.ref}},
                },
            )
        return responses

    def error_statuses(self) -> list[str]:
        statuses = ["400"] if self.method in ("POST", "PUT", "PATCH", "GET") else []
        open_to_anonymous = any(
            isinstance(p, AllowAny) for p in self.view.get_permissions()
        )
        if not open_to_anonymous:
            statuses.append("401")
        statuses.append("403")
        if "{" in self.path:
            statuses.append("404")
        if self.view.get_throttles():
            statuses.append("429")
        return statuses

    def error_component(self) -> ResolvedComponent:
        # A copy, because drf-spectacular's post-processing rewrites the schema
        # dicts in place (it moves the enum into its own component).
        component = ResolvedComponent(
            name="Error",
            type=ResolvedComponent.SCHEMA,
            object="Error",
            schema=copy.deepcopy(ERROR_SCHEMA),
        )
        self.registry.register_on_missing(component)
        return component
