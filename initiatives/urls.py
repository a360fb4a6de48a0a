from django.urls import path

from initiatives import views

backlog = "backlogs/<id:backlog_id>"
initiative = f"{backlog}/initiatives/<id:initiative_id>"

urlpatterns = [
    path("backlogs", views.dashboard, name="dashboard"),
    path("backlogs/new", views.backlog_create, name="backlog-create"),
    path(backlog, views.backlog_detail, name="backlog"),
    path(f"{backlog}/edit", views.backlog_edit, name="backlog-edit"),
    path(f"{backlog}/delete", views.backlog_delete, name="backlog-delete"),
    path(
        f"{backlog}/initiatives/new", views.initiative_create, name="initiative-create"
    ),
    path(f"{initiative}/edit", views.initiative_edit, name="initiative-edit"),
    path(f"{initiative}/delete", views.initiative_delete, name="initiative-delete"),
    path(f"{initiative}/vote", views.vote, name="vote"),
    path(f"{initiative}/unvote", views.unvote, name="unvote"),
    path(f"{backlog}/members", views.members, name="members"),
    path(f"{backlog}/members/<id:user_id>/role", views.member_role, name="member-role"),
    path(
        f"{backlog}/members/<id:user_id>/remove",
        views.member_remove,
        name="member-remove",
    ),
]
