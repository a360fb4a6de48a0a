from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from tokens.models import PersonalAccessToken


class TokenSerializer(serializers.ModelSerializer):
    """A token as /me shows it: never the value, never the digest."""

    backlogs = serializers.SerializerMethodField()

    class Meta:
        model = PersonalAccessToken
        fields = [
            "id",
            "name",
            "prefix",
            "scopes",
            "backlogs",
            "expires_at",
            "created_at",
            "last_used_at",
        ]

    @extend_schema_field(
        {
            "oneOf": [
                {"type": "string", "enum": ["all"]},
                {"type": "array", "items": {"type": "integer"}},
            ],
            "description": '"all", or the ids of the backlogs it is restricted to.',
        }
    )
    def get_backlogs(self, token):
        if token.all_backlogs:
            return "all"
        return sorted(token.backlogs.values_list("pk", flat=True))
