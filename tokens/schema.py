"""OpenAPI description of bearer authentication with personal access tokens."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension

from tokens.permissions import required_scope


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "tokens.authentication.BearerTokenAuthentication"
    name = "personalAccessToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "pv_pat_ followed by 49 letters and digits",
            "description": (
                "A personal access token, created at /settings/tokens/new. Each "
                "operation names the scope it needs, or says that tokens are "
                "not allowed."
            ),
        }

    def get_security_requirement(self, auto_schema):
        # Operations closed to tokens list only the session scheme.
        if required_scope(auto_schema.view, auto_schema.method) is None:
            return None
        return {self.name: []}
