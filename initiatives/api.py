"""API views for backlogs, members, initiatives and votes.

Every view starts from Backlog.objects.reachable_by(), so another user's
backlog, or one outside a token's restriction, is a 404 like a missing one.
"""

from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from initiatives import services
from initiatives.models import EDITING_ROLES, Backlog, Initiative, Role, Status
from initiatives.serializers import (
    BacklogSerializer,
    InitiativeSerializer,
    MemberInputSerializer,
    MemberSerializer,
)
from priorityvote.api import ApiView, GenericApiView, validate_no_body
from priorityvote.models import normalize_email
from tokens.models import Scope

User = get_user_model()

READ_ONLY = {"GET": Scope.READ}


def get_backlog(request, backlog_id) -> Backlog:
    backlogs = Backlog.objects.reachable_by(request.user, request.auth)
    return get_object_or_404(backlogs, pk=backlog_id)


def require_role(backlog: Backlog, roles, action: str) -> None:
    if backlog.role not in roles:
        allowed = " and ".join(sorted(f"{role}s" for role in roles))
        raise PermissionDenied(f"Only {allowed} of this backlog can {action}.")


class BacklogScopedMixin:
    """Return 404 to OPTIONS for a backlog or object out of reach, as GET does.

    DRF's OPTIONS describes the view without looking anything up, so it
    would show an outsider a path that GET reports as not found.
    """

    def options(self, request, *args, **kwargs):
        backlog = get_backlog(request, kwargs["backlog_id"])
        if "initiative_id" in kwargs:
            get_object_or_404(backlog.initiatives, pk=kwargs["initiative_id"])
        if "user_id" in kwargs:
            get_object_or_404(backlog.memberships, user_id=kwargs["user_id"])
        return super().options(request, *args, **kwargs)


class BacklogList(GenericApiView):
    serializer_class = BacklogSerializer
    token_scopes = READ_ONLY

    def get_queryset(self):
        return Backlog.objects.reachable_by(self.request.user, self.request.auth)

    @extend_schema(responses=BacklogSerializer(many=True))
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def post(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)

        backlog = services.create_backlog(request.user, **serializer.validated_data)
        return Response(
            self.get_serializer(backlog).data, status=status.HTTP_201_CREATED
        )


class BacklogDetail(BacklogScopedMixin, GenericApiView):
    serializer_class = BacklogSerializer
    token_scopes = READ_ONLY

    def get(self, request, backlog_id):
        backlog = get_backlog(request, backlog_id)
        return Response(self.get_serializer(backlog).data)

    def patch(self, request, backlog_id):
        backlog = get_backlog(request, backlog_id)
        require_role(backlog, {Role.OWNER}, "change it")
        serializer = self.get_serializer(backlog, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)

        serializer.save()
        return Response(serializer.data)

    @extend_schema(responses={204: None})
    def delete(self, request, backlog_id):
        backlog = get_backlog(request, backlog_id)
        require_role(backlog, {Role.OWNER}, "delete it")

        backlog.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class MemberList(BacklogScopedMixin, GenericApiView):
    serializer_class = MemberSerializer
    token_scopes = READ_ONLY

    @extend_schema(responses=MemberSerializer(many=True))
    def get(self, request, backlog_id):
        backlog = get_backlog(request, backlog_id)
        memberships = backlog.memberships.select_related("user").order_by("user__email")
        page = self.paginate_queryset(memberships)
        return self.get_paginated_response(MemberSerializer(page, many=True).data)

    @extend_schema(
        request=MemberInputSerializer,
        responses={200: MemberSerializer, 201: MemberSerializer},
    )
    def post(self, request, backlog_id):
        """Add a member by e-mail address, or change the role of an existing one."""
        backlog = get_backlog(request, backlog_id)
        require_role(backlog, {Role.OWNER}, "manage members")
        serializer = MemberInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        email = normalize_email(serializer.validated_data["email"])
        user = User.objects.filter(email=email, is_active=True).first()
        if user is None:
            raise ValidationError(
                {"email": ["No active account has this e-mail address."]}
            )

        try:
            membership, created = services.set_member_role(
                backlog, user, serializer.validated_data["role"]
            )
        except services.LastOwnerError as error:
            raise ValidationError({"role": [error.message]}) from None
        response_status = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(MemberSerializer(membership).data, status=response_status)


class MemberDetail(BacklogScopedMixin, GenericApiView):
    @extend_schema(responses={204: None})
    def delete(self, request, backlog_id, user_id):
        backlog = get_backlog(request, backlog_id)
        require_role(backlog, {Role.OWNER}, "manage members")
        membership = get_object_or_404(backlog.memberships, user_id=user_id)

        try:
            services.remove_member(membership)
        except services.LastOwnerError as error:
            raise ValidationError({"user": [error.message]}) from None
        return Response(status=status.HTTP_204_NO_CONTENT)


class InitiativeList(BacklogScopedMixin, GenericApiView):
    serializer_class = InitiativeSerializer
    token_scopes = {"GET": Scope.READ, "POST": Scope.WRITE_INITIATIVES}

    @extend_schema(
        parameters=[OpenApiParameter("status", enum=Status.values)],
        responses=InitiativeSerializer(many=True),
    )
    def get(self, request, backlog_id):
        """List the backlog's initiatives, most votes first, then oldest first."""
        backlog = get_backlog(request, backlog_id)
        initiatives = (
            backlog.initiatives.with_voted(request.user)
            .select_related("author")
            .ranked()
        )
        status_filter = request.query_params.get("status")
        if status_filter is not None:
            if status_filter not in Status.values:
                raise ValidationError(
                    {"status": [f"Must be one of: {', '.join(Status.values)}."]}
                )
            initiatives = initiatives.filter(status=status_filter)

        page = self.paginate_queryset(initiatives)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def post(self, request, backlog_id):
        backlog = get_backlog(request, backlog_id)
        require_role(backlog, EDITING_ROLES, "create initiatives")
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)

        initiative = serializer.save(backlog=backlog, author=request.user)
        initiative.voted = False
        return Response(
            self.get_serializer(initiative).data, status=status.HTTP_201_CREATED
        )


class InitiativeDetail(BacklogScopedMixin, GenericApiView):
    serializer_class = InitiativeSerializer
    token_scopes = {"GET": Scope.READ, "PATCH": Scope.WRITE_INITIATIVES}

    def get_initiative(self, backlog: Backlog) -> Initiative:
        initiatives = backlog.initiatives.with_voted(self.request.user).select_related(
            "author"
        )
        return get_object_or_404(initiatives, pk=self.kwargs["initiative_id"])

    def get(self, request, backlog_id, initiative_id):
        initiative = self.get_initiative(get_backlog(request, backlog_id))
        return Response(self.get_serializer(initiative).data)

    def patch(self, request, backlog_id, initiative_id):
        backlog = get_backlog(request, backlog_id)
        initiative = self.get_initiative(backlog)
        require_role(backlog, EDITING_ROLES, "change initiatives")
        serializer = self.get_serializer(initiative, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)

        serializer.save()
        return Response(serializer.data)

    @extend_schema(responses={204: None})
    def delete(self, request, backlog_id, initiative_id):
        backlog = get_backlog(request, backlog_id)
        initiative = self.get_initiative(backlog)
        require_role(backlog, {Role.OWNER}, "delete initiatives")

        initiative.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class VoteView(BacklogScopedMixin, ApiView):
    """PUT casts the caller's vote and DELETE withdraws it; both are idempotent."""

    token_scopes = {
        "PUT": Scope.WRITE_INITIATIVES,
        "DELETE": Scope.WRITE_INITIATIVES,
        "OPTIONS": Scope.READ,
    }

    @extend_schema(request=None, responses={204: None})
    def put(self, request, backlog_id, initiative_id):
        initiative = self.get_initiative(request, backlog_id, initiative_id)
        validate_no_body(request)

        services.cast_vote(initiative, request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, backlog_id, initiative_id):
        initiative = self.get_initiative(request, backlog_id, initiative_id)
        validate_no_body(request)

        services.withdraw_vote(initiative, request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @staticmethod
    def get_initiative(request, backlog_id, initiative_id) -> Initiative:
        backlog = get_backlog(request, backlog_id)
        return get_object_or_404(backlog.initiatives, pk=initiative_id)
