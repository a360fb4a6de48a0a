from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from logbook.models import Entry


class ActorSerializer(serializers.Serializer):
    id = serializers.IntegerField(
        allow_null=True, help_text="Null once the user is deleted."
    )
    display_name = serializers.CharField()


class TargetSerializer(serializers.Serializer):
    type = serializers.CharField()
    id = serializers.IntegerField(allow_null=True)
    label = serializers.CharField()


class TokenReferenceSerializer(serializers.Serializer):
    name = serializers.CharField()
    prefix = serializers.CharField()


class EntrySerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()
    target = serializers.SerializerMethodField()
    token = serializers.SerializerMethodField()
    summary = serializers.CharField(read_only=True)

    class Meta:
        model = Entry
        fields = [
            "id",
            "created_at",
            "action",
            "actor",
            "target",
            "changes",
            "token",
            "summary",
        ]

    @extend_schema_field(ActorSerializer(allow_null=True))
    def get_actor(self, entry):
        # A deleted actor keeps their captured name, with a null id.
        if entry.actor_id is None and not entry.actor_name:
            return None
        return {"id": entry.actor_id, "display_name": entry.actor_name}

    @extend_schema_field(TargetSerializer)
    def get_target(self, entry):
        return {
            "type": entry.target_type,
            "id": entry.target_id,
            "label": entry.target_label,
        }

    @extend_schema_field(TokenReferenceSerializer(allow_null=True))
    def get_token(self, entry):
        if not entry.token_prefix:
            return None
        return {"name": entry.token_name, "prefix": entry.token_prefix}
