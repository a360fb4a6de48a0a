"""The actor of the change that a receiver records: user and token.

The actor comes from the request in priorityvote.context, which the
middleware sets once per request. Authentication fills in the rest later on
the same HttpRequest: Django's middleware sets ``request.user`` from the
session, and DRF sets ``request.user`` and ``request.auth`` (the token) when
a bearer token authenticates. Outside a request there is no actor.
"""

from dataclasses import dataclass

from priorityvote.context import current_request
from tokens.models import PersonalAccessToken


@dataclass(frozen=True)
class Actor:
    user: object | None
    token: PersonalAccessToken | None


def current_actor() -> Actor:
    request = current_request.get()
    if request is None:
        return Actor(user=None, token=None)

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        user = None
    token = getattr(request, "auth", None)
    if not isinstance(token, PersonalAccessToken):
        token = None
    return Actor(user=user, token=token)
