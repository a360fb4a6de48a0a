from django.urls import path

from logbook import views

urlpatterns = [
    path(
        "backlogs/<id:backlog_id>/logbook",
        views.backlog_logbook,
        name="backlog-logbook",
    ),
    path("settings/activity", views.activity, name="activity"),
]
