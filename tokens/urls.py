from django.urls import path

from tokens import views

urlpatterns = [
    path("settings/tokens", views.token_list, name="token-list"),
    path("settings/tokens/new", views.token_create, name="token-create"),
    path(
        "settings/tokens/<id:token_id>/revoke", views.token_revoke, name="token-revoke"
    ),
]
