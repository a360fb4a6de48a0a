from django.contrib import admin
from django.db.models import Count

from initiatives.models import Backlog, Initiative, Membership


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Backlog)
class BacklogAdmin(admin.ModelAdmin):
    list_display = ["name", "member_count", "initiative_count", "created_at"]
    search_fields = ["name"]
    inlines = [MembershipInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                member_count=Count("memberships", distinct=True),
                initiative_count=Count("initiatives", distinct=True),
            )
        )

    @admin.display(description="members", ordering="member_count")
    def member_count(self, backlog):
        return backlog.member_count

    @admin.display(description="initiatives", ordering="initiative_count")
    def initiative_count(self, backlog):
        return backlog.initiative_count


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "backlog", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__email", "backlog__name"]
    list_select_related = ["user", "backlog"]
    autocomplete_fields = ["user", "backlog"]


@admin.register(Initiative)
class InitiativeAdmin(admin.ModelAdmin):
    list_display = ["title", "backlog", "status", "vote_count", "author", "created_at"]
    list_filter = ["status"]
    search_fields = ["title", "backlog__name"]
    list_select_related = ["backlog", "author"]
    autocomplete_fields = ["backlog", "author"]
    readonly_fields = ["vote_count", "created_at", "updated_at"]
