from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.utils import timezone

from tokens import values


class Scope(models.TextChoices):
    READ = "read", "read: list and read backlogs, initiatives and the logbook"
    WRITE_INITIATIVES = (
        "write:initiatives",
        "write:initiatives: create and update initiatives, cast and withdraw votes",
    )


# Scopes that come with another: a token that may write may also read.
IMPLIED_SCOPES = {Scope.WRITE_INITIATIVES: {Scope.READ}}


class TokenLimitReached(Exception):
    """The user already has the maximum number of active tokens."""


class TokenQuerySet(models.QuerySet):
    def active(self):
        now = timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )

    def create_token(self, user, *, name, scopes, backlogs, expires_in_days):
        """Create a token and return it with its value, which is not stored.

        `backlogs` empty means every backlog of the user, now and later.
        Raise TokenLimitReached when the user has
        PRIORITYVOTE_MAX_ACTIVE_TOKENS active tokens already. The owner's row
        stays locked until the transaction ends, so concurrent requests
        count one after another (PostgreSQL; SQLite allows one writer anyway).
        """
        expires_at = None
        if expires_in_days:
            expires_at = timezone.now() + timedelta(days=expires_in_days)

        with transaction.atomic():
            get_user_model().objects.select_for_update().get(pk=user.pk)
            if self.filter(user=user).active().count() >= max_active_tokens():
                raise TokenLimitReached

            value = values.generate_token()
            token = self.create(
                user=user,
                name=name,
                prefix=values.public_prefix(value),
                digest=values.digest(value),
                scopes=sorted(scopes, key=Scope.values.index),
                all_backlogs=not backlogs,
                expires_at=expires_at,
            )
            token.backlogs.set(backlogs)
        return token, value


def max_active_tokens() -> int:
    return settings.PRIORITYVOTE_MAX_ACTIVE_TOKENS


class PersonalAccessToken(models.Model):
    """A bearer credential for the API, owned by one user.

    Only the SHA-256 digest of the value is stored (see tokens.values), so
    nothing here can recover it.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access_tokens"
    )
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=values.PUBLIC_PREFIX_LENGTH, db_index=True)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    scopes = models.JSONField(default=list)
    all_backlogs = models.BooleanField(
        default=True,
        help_text="Reaches every backlog of its owner, including ones joined later.",
    )
    backlogs = models.ManyToManyField(
        "initiatives.Backlog", blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # Days before expiry of the last reminder e-mailed (7 or 1), so that a
    # second run of the reminder command sends nothing twice.
    expiry_reminder_days = models.PositiveSmallIntegerField(null=True, blank=True)

    objects = TokenQuerySet.as_manager()

    class Meta:
        verbose_name = "personal access token"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "revoked_at"], name="token_owner_revoked")
        ]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def status(self) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.is_expired:
            return "expired"
        return "active"

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    def has_scope(self, scope: str) -> bool:
        return any(
            granted == scope or scope in IMPLIED_SCOPES.get(granted, ())
            for granted in self.scopes
        )

    def restrict_backlogs(self, backlogs):
        """Narrow a Backlog queryset to the backlogs this token may reach.

        A restricted token whose backlogs were all deleted reaches nothing,
        never everything.
        """
        if self.all_backlogs:
            return backlogs
        return backlogs.filter(pk__in=self.backlogs.values("pk"))

    def revoke(self) -> bool:
        """Revoke the token. Return False if it was revoked already."""
        if self.revoked_at is not None:
            return False
        self.revoked_at = timezone.now()
        self.save(update_fields=["revoked_at"])
        return True
