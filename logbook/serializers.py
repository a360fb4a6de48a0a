from rest_framework import serializers

from logbook.models import Entry


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

    def get_actor(self, entry) -> dict | None:
        # A deleted actor keeps their captured name, with a null id.
        if entry.actor_id is None and not entry.actor_name:
            return None
        return {"id": entry.actor_id, "display_name": entry.actor_name}

    def get_target(self, entry) -> dict:
        return {
            "type": entry.target_type,
            "id": entry.target_id,
            "label": entry.target_label,
        }

    def get_token(self, entry) -> dict | None:
        if not entry.token_prefix:
            return None
        return {"name": entry.token_name, "prefix": entry.token_prefix}
