from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm

from priorityvote.models import User
from tokens.models import PersonalAccessToken


class TokenInline(admin.TabularInline):
    """The user's tokens, read-only, so that deactivating visibly revokes them."""

    model = PersonalAccessToken
    fields = ["name", "prefix", "scopes", "status", "last_used_at", "expires_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ["email", "display_name"]


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserEditForm
    add_form = UserCreationForm
    list_display = [
        "email",
        "display_name",
        "is_active",
        "is_staff",
        "date_joined",
        "last_login",
    ]
    list_filter = ["is_active", "is_staff", "is_superuser"]
    search_fields = ["email", "display_name"]
    ordering = ["email"]
    actions = ["deactivate_selected"]
    inlines = [TokenInline]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Profile", {"fields": ["display_name"]}),
        (
            "Permissions",
            {
                "fields": [
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                ]
            },
        ),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": [
                    "email",
                    "display_name",
                    "usable_password",
                    "password1",
                    "password2",
                ],
            },
        ),
    ]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data and not obj.is_active:
            revoked = revoke_tokens_of(obj)
            self.message_user(
                request,
                f"Deactivated {obj.email} and revoked {revoked} active token(s).",
            )

    @admin.action(description="Deactivate selected users and revoke their tokens")
    def deactivate_selected(self, request, queryset):
        users = list(queryset.filter(is_active=True))
        revoked = 0
        for user in users:
            user.is_active = False
            user.save(update_fields=["is_active"])
            revoked += revoke_tokens_of(user)
        self.message_user(
            request,
            f"Deactivated {len(users)} user(s) and revoked {revoked} token(s).",
            messages.SUCCESS,
        )


def revoke_tokens_of(user) -> int:
    """Revoke the user's active tokens, each with its logbook entry; return how many."""
    return sum(token.revoke() for token in user.access_tokens.active())
