from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone


class Action(models.TextChoices):
    INITIATIVE_CREATED = "initiative.created"
    INITIATIVE_UPDATED = "initiative.updated"
    INITIATIVE_DELETED = "initiative.deleted"
    VOTE_CAST = "vote.cast"
    VOTE_WITHDRAWN = "vote.withdrawn"
    MEMBER_ADDED = "member.added"
    MEMBER_CHANGED = "member.changed"
    MEMBER_REMOVED = "member.removed"
    BACKLOG_CREATED = "backlog.created"
    BACKLOG_UPDATED = "backlog.updated"
    BACKLOG_DELETED = "backlog.deleted"
    TOKEN_CREATED = "token.created"  # noqa: S105 (an action name, not a secret)
    TOKEN_REVOKED = "token.revoked"  # noqa: S105


class AppendOnlyError(Exception):
    pass


class EntryQuerySet(models.QuerySet):
    def for_user_activity(self, user):
        """Return the entries the user made and the entries about the user.

        Entries about the user are their tokens' lifecycle and their role changes.
        """
        return self.filter(models.Q(actor=user) | models.Q(target_user=user))


class Entry(models.Model):
    """One change, as it was when it happened.

    Every name is copied at write time, so the entry reads the same after
    the actor, backlog, target or token is renamed or deleted. The foreign
    keys only link to what still exists.
    """

    created_at = models.DateTimeField(default=timezone.now, editable=False)
    action = models.CharField(max_length=40, choices=Action.choices)

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    actor_name = models.CharField(max_length=100, blank=True)

    backlog = models.ForeignKey(
        "initiatives.Backlog", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    backlog_name = models.CharField(max_length=100, blank=True)

    target_type = models.CharField(max_length=20)
    target_id = models.BigIntegerField(null=True)
    target_label = models.CharField(max_length=200, blank=True)
    # The user the entry is about: the member whose role changed, or the
    # owner of a created or revoked token. Their activity page shows it.
    target_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    # {field: [old, new]}, with old null on creation.
    changes = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)

    # The token that authenticated the request, if one did.
    token = models.ForeignKey(
        "tokens.PersonalAccessToken",
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    token_name = models.CharField(max_length=100, blank=True)
    token_prefix = models.CharField(max_length=15, blank=True)

    objects = EntryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "entries"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["backlog", "-created_at", "-id"], name="entry_backlog_newest"
            ),
            models.Index(
                fields=["actor", "-created_at", "-id"], name="entry_actor_newest"
            ),
            models.Index(
                fields=["target_user", "-created_at", "-id"],
                name="entry_target_user_newest",
            ),
        ]

    def __str__(self):
        return self.summary

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Logbook entries cannot be changed once written.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Logbook entries cannot be deleted.")

    @property
    def summary(self) -> str:
        """The summary as plain text, with labels in double quotes."""
        return "".join(
            f'"{text}"' if is_label else text for text, is_label in self.summary_parts()
        )

    def summary_parts(self) -> list[tuple[str, bool]]:
        from logbook.summaries import summary_parts

        return summary_parts(self)
