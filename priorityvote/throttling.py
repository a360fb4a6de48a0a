from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle


class AuthRateThrottle(SimpleRateThrottle):
    """Limit the account endpoints per client address to PRIORITYVOTE_AUTH_RATE.

    The rate is read on each request, so tests and operators can change the
    setting without a restart of the module. None turns the limit off.
    """

    scope = "auth"

    def get_rate(self):
        return settings.PRIORITYVOTE_AUTH_RATE

    def get_cache_key(self, request, view):
        return self.cache_format % {
            "scope": self.scope,
            "ident": self.get_ident(request),
        }
