from rest_framework import serializers

from initiatives.models import Backlog, Initiative, Role, Status
from priorityvote.api import (
    StrictCharField,
    StrictEmailField,
    StrictModelSerializer,
    StrictSerializer,
)


class BacklogSerializer(StrictModelSerializer):
    name = StrictCharField(max_length=100)
    description = StrictCharField(max_length=2000, allow_blank=True, required=False)
    role = serializers.CharField(read_only=True)

    class Meta:
        model = Backlog
        fields = ["id", "name", "description", "role", "created_at", "updated_at"]


class MemberSerializer(serializers.Serializer):
    """A membership as the API shows it; its `id` is the member's user id."""

    id = serializers.IntegerField(source="user.id", read_only=True)
    email = serializers.EmailField(source="user.email", read_only=True)
    display_name = serializers.CharField(source="user.display_name", read_only=True)
    role = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)


class MemberInputSerializer(StrictSerializer):
    email = StrictEmailField(max_length=254)
    role = serializers.ChoiceField(choices=Role.choices)


class AuthorSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    display_name = serializers.CharField(read_only=True)


class InitiativeSerializer(StrictModelSerializer):
    title = StrictCharField(max_length=200)
    description = StrictCharField(max_length=10_000, allow_blank=True, required=False)
    status = serializers.ChoiceField(choices=Status.choices, required=False)
    backlog = serializers.IntegerField(source="backlog_id", read_only=True)
    author = AuthorSerializer(read_only=True, allow_null=True)
    voted = serializers.BooleanField(read_only=True, default=False)

    class Meta:
        model = Initiative
        fields = [
            "id",
            "backlog",
            "title",
            "description",
            "status",
            "author",
            "vote_count",
            "voted",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["vote_count", "created_at", "updated_at"]
