"""Project URLs. Paths have no trailing slash, except Django admin's own."""

from django.contrib import admin
from django.urls import include, path, re_path, register_converter

from priorityvote import views
from priorityvote.api import api_not_found
from priorityvote.converters import IdConverter

register_converter(IdConverter, "id")

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/", include("priorityvote.account_urls")),
    path("", include("initiatives.urls")),
    path("", include("tokens.urls")),
    path("", include("logbook.urls")),
    path("api/v1/", include("priorityvote.api_urls")),
    re_path(r"^api(/.*)?$", api_not_found),
    path("admin/", admin.site.urls),
]

handler400 = "priorityvote.views.bad_request"
handler500 = "priorityvote.views.server_error"
