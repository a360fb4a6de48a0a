"""Bearer authentication for the API with personal access tokens (RFC 6750).

Only the ``Authorization`` header carries a token: a value in the query
string or a cookie is not a credential. A header with another scheme is
left to the next authentication class. A ``Bearer`` header decides alone,
so a bad token is rejected even when a session cookie comes along.
"""

import logging
from datetime import timedelta

from django.utils import timezone
from rest_framework import authentication, exceptions

from tokens import values
from tokens.models import PersonalAccessToken

logger = logging.getLogger(__name__)

REALM = "priority.vote"

# last_used_at is written at most this often per token, so that reads do
# not turn into a write per request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def bearer_challenge(error: str | None = None, **params: str) -> str:
    """Build the WWW-Authenticate value of RFC 6750, section 3."""
    parts = [f'realm="{REALM}"']
    if error:
        parts.append(f'error="{error}"')
    parts.extend(f'{name}="{value}"' for name, value in params.items())
    return "Bearer " + ", ".join(parts)


class InvalidToken(exceptions.AuthenticationFailed):
    default_code = "invalid_token"
    default_detail = "The access token is invalid."

    def __init__(self, description: str):
        super().__init__(description)
        self.challenge = bearer_challenge(
            "invalid_token", error_description=description
        )


class BearerTokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        value = self.get_bearer_value(request)
        if value is None:
            return None

        if not values.is_well_formed(value):
            self.reject("malformed", None, "The access token is malformed.")
        token = find_token(value)
        if token is None:
            self.reject(
                "unknown", values.public_prefix(value), "The access token is invalid."
            )
        if token.revoked_at is not None:
            self.reject("revoked", token.prefix, "The access token was revoked.")
        if token.is_expired:
            self.reject("expired", token.prefix, "The access token has expired.")
        if not token.user.is_active:
            self.reject(
                "owner inactive", token.prefix, "The owner of the token is inactive."
            )

        record_use(token)
        return token.user, token

    def authenticate_header(self, request):
        return bearer_challenge()

    @staticmethod
    def get_bearer_value(request) -> str | None:
        """Return the credentials of a Bearer header, "" if empty, None if no Bearer."""
        header = request.META.get("HTTP_AUTHORIZATION", "")
        # Split on any whitespace: "Bearer<TAB>value" is a Bearer header too,
        # and must not pass as another scheme that a session cookie overrides.
        parts = header.split(maxsplit=1)
        if not parts or parts[0].lower() != "bearer":
            return None
        return parts[1].strip() if len(parts) == 2 else ""

    @staticmethod
    def reject(reason: str, prefix: str | None, description: str):
        # The prefix identifies the token to its owner and reveals nothing
        # that could be used to authenticate.
        if prefix is None:
            logger.warning("Rejected a malformed access token")
        else:
            logger.warning("Rejected access token %s: %s", prefix, reason)
        raise InvalidToken(description)


def find_token(value: str) -> PersonalAccessToken | None:
    """Load the token with this value and its owner: one query, on the digest index."""
    try:
        return PersonalAccessToken.objects.select_related("user").get(
            digest=values.digest(value)
        )
    except PersonalAccessToken.DoesNotExist:
        return None


def record_use(token: PersonalAccessToken) -> None:
    """Set last_used_at, unless it was set less than a minute ago.

    The UPDATE is conditional, so concurrent requests write it once.
    """
    now = timezone.now()
    if (
        token.last_used_at is not None
        and now - token.last_used_at < LAST_USED_RESOLUTION
    ):
        return
    PersonalAccessToken.objects.filter(pk=token.pk).exclude(
        last_used_at__gte=now - LAST_USED_RESOLUTION
    ).update(last_used_at=now)
    token.last_used_at = now
