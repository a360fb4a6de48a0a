from django.contrib import admin

from logbook.models import Entry


@admin.register(Entry)
class EntryAdmin(admin.ModelAdmin):
    """The logbook, read-only: entries cannot be added, changed or deleted here."""

    list_display = ["created_at", "summary", "backlog_name", "token_prefix"]
    list_filter = ["action"]
    search_fields = [
        "actor_name",
        "backlog_name",
        "target_label",
        "token_name",
        "token_prefix",
    ]
    date_hierarchy = "created_at"
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
