"""URLs under /api/v1. Paths have no trailing slash."""

from django.http import HttpResponse
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.negotiation import DefaultContentNegotiation

from logbook.api import BacklogLogbook
from priorityvote import account_api
from priorityvote.api import api_not_found


class ApiDocsView(SpectacularSwaggerView):
    """Swagger UI for the schema, with files served by this site, not a CDN."""

    def options(self, request, *args, **kwargs):
        # The HTML-only renderer cannot render DRF's OPTIONS metadata, so
        # respond as Django's generic views do: an empty 200 with Allow.
        return HttpResponse(headers={"Allow": "GET, HEAD, OPTIONS"})


urlpatterns = [
    path("auth/sign-up", account_api.SignUpView.as_view(), name="api-sign-up"),
    path("auth/sign-in", account_api.SignInView.as_view(), name="api-sign-in"),
    path("auth/sign-out", account_api.SignOutView.as_view(), name="api-sign-out"),
    path(
        "auth/password-reset",
        account_api.PasswordResetView.as_view(),
        name="api-password-reset",
    ),
    path(
        "auth/password-reset/confirm",
        account_api.PasswordResetConfirmView.as_view(),
        name="api-password-reset-confirm",
    ),
    path("me", account_api.MeView.as_view(), name="api-me"),
    path("", include("initiatives.api_urls")),
    path(
        "backlogs/<id:backlog_id>/logbook", BacklogLogbook.as_view(), name="api-logbook"
    ),
    # The schema honours Accept (YAML by default, JSON on request), unlike
    # the rest of the API, which always returns JSON.
    path(
        "schema",
        SpectacularAPIView.as_view(content_negotiation_class=DefaultContentNegotiation),
        name="api-schema",
    ),
    path("docs", ApiDocsView.as_view(url_name="api-schema"), name="api-docs"),
    re_path(r"^.*$", api_not_found),
]
