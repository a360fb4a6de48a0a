from django.urls import path

from initiatives import api

urlpatterns = [
    path("backlogs", api.BacklogList.as_view(), name="api-backlogs"),
    path("backlogs/<id:backlog_id>", api.BacklogDetail.as_view(), name="api-backlog"),
    path(
        "backlogs/<id:backlog_id>/members", api.MemberList.as_view(), name="api-members"
    ),
    path(
        "backlogs/<id:backlog_id>/members/<id:user_id>",
        api.MemberDetail.as_view(),
        name="api-member",
    ),
    path(
        "backlogs/<id:backlog_id>/initiatives",
        api.InitiativeList.as_view(),
        name="api-initiatives",
    ),
    path(
        "backlogs/<id:backlog_id>/initiatives/<id:initiative_id>",
        api.InitiativeDetail.as_view(),
        name="api-initiative",
    ),
    path(
        "backlogs/<id:backlog_id>/initiatives/<id:initiative_id>/vote",
        api.VoteView.as_view(),
        name="api-vote",
    ),
]
