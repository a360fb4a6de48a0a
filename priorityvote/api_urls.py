"""URLs under /api/v1. Paths have no trailing slash."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from logbook.api import BacklogLogbook
from priorityvote import account_api
from priorityvote.api import api_not_found

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
    path("schema", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "docs", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"
    ),
    re_path(r"^.*$", api_not_found),
]
