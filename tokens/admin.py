from datetime import timedelta

from django.contrib import admin, messages
from django.utils import timezone

from tokens.models import PersonalAccessToken


class StatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [("active", "Active"), ("expired", "Expired"), ("revoked", "Revoked")]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "active":
            return queryset.active()
        if self.value() == "expired":
            return queryset.filter(revoked_at__isnull=True, expires_at__lte=now)
        if self.value() == "revoked":
            return queryset.filter(revoked_at__isnull=False)
        return queryset


class ExpiryFilter(admin.SimpleListFilter):
    title = "expiry"
    parameter_name = "expiry"

    def lookups(self, request, model_admin):
        return [
            ("7d", "Within 7 days"),
            ("30d", "Within 30 days"),
            ("never", "Never expires"),
        ]

    def queryset(self, request, queryset):
        now = timezone.now()
        days = {"7d": 7, "30d": 30}.get(self.value())
        if days:
            return queryset.filter(
                expires_at__gt=now, expires_at__lte=now + timedelta(days=days)
            )
        if self.value() == "never":
            return queryset.filter(expires_at__isnull=True)
        return queryset


@admin.register(PersonalAccessToken)
class PersonalAccessTokenAdmin(admin.ModelAdmin):
    """Operators list, search, revoke and delete tokens here.

    Admin cannot add a token, and shows no digest.
    """

    list_display = [
        "name",
        "prefix",
        "user",
        "scope_list",
        "backlog_list",
        "status",
        "last_used_at",
        "expires_at",
        "created_at",
    ]
    list_filter = [StatusFilter, ExpiryFilter]
    search_fields = ["name", "prefix", "user__email", "user__display_name"]
    list_select_related = ["user"]
    actions = ["revoke_selected"]
    fields = [
        "name",
        "prefix",
        "user",
        "scopes",
        "all_backlogs",
        "backlogs",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("backlogs")

    def has_add_permission(self, request):
        return False

    def lookup_allowed(self, lookup, value, request=None):
        # Filters in the URL such as ?digest__startswith= would let someone
        # recover a digest one character at a time.
        if lookup.split("__")[0] == "digest":
            return False
        return super().lookup_allowed(lookup, value, request)

    def has_change_permission(self, request, obj=None):
        # The detail page is read-only. Revoking is the "revoke" action.
        return False

    @admin.display(description="scopes")
    def scope_list(self, token):
        return ", ".join(token.scopes)

    @admin.display(description="backlogs")
    def backlog_list(self, token):
        if token.all_backlogs:
            return "all"
        return (
            ", ".join(backlog.name for backlog in token.backlogs.all()) or "none left"
        )

    @admin.action(description="Revoke selected tokens", permissions=["revoke"])
    def revoke_selected(self, request, queryset):
        revoked = sum(
            token.revoke() for token in queryset.filter(revoked_at__isnull=True)
        )
        self.message_user(request, f"Revoked {revoked} token(s).", messages.SUCCESS)

    def has_revoke_permission(self, request):
        return request.user.has_perm("tokens.change_personalaccesstoken")
