from django.conf import settings
from django.db import models
from django.db.models import Exists, F, OuterRef


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    EDITOR = "editor", "Editor"
    VIEWER = "viewer", "Viewer"


# Roles that may create and update initiatives.
EDITING_ROLES = {Role.OWNER, Role.EDITOR}


class Status(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    DROPPED = "dropped", "Dropped"


class BacklogQuerySet(models.QuerySet):
    def reachable_by(self, user, token=None):
        """Return the backlogs `user` is a member of, each annotated with `role`.

        This is row isolation: every page and endpoint starts here. A personal
        access token narrows the set further to the backlogs it is restricted to.
        """
        if not user.is_authenticated:
            return self.none()
        backlogs = self.filter(memberships__user=user).annotate(
            role=F("memberships__role")
        )
        if token is not None:
            backlogs = token.restrict_backlogs(backlogs)
        return backlogs


class Backlog(models.Model):
    name = models.CharField(max_length=100)
    description = models.TextField(max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = BacklogQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]

    def __str__(self):
        return self.name


class Membership(models.Model):
    backlog = models.ForeignKey(
        Backlog, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["backlog", "user"], name="one_membership_per_user"
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="membership_role_valid"
            ),
        ]
        ordering = ["backlog", "user__email"]

    def __str__(self):
        return f"{self.user} is {self.role} of {self.backlog}"


class InitiativeQuerySet(models.QuerySet):
    def ranked(self):
        """Order by votes, most first, then by age, oldest first."""
        return self.order_by("-vote_count", "created_at", "id")

    def with_voted(self, user):
        """Annotate `voted`: whether `user` has voted for each initiative."""
        user_votes = Vote.objects.filter(initiative=OuterRef("pk"), user=user)
        return self.annotate(voted=Exists(user_votes))


class Initiative(models.Model):
    backlog = models.ForeignKey(
        Backlog, on_delete=models.CASCADE, related_name="initiatives"
    )
    title = models.CharField(max_length=200)
    description = models.TextField(max_length=10_000, blank=True)
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.PROPOSED
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="initiatives",
    )
    # Kept in step with the Vote rows by cast_vote and withdraw_vote, so that
    # ranking is an index scan instead of a count per initiative.
    vote_count = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = InitiativeQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(
                fields=["backlog", "-vote_count", "created_at"],
                name="initiative_ranking",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=Status.values),
                name="initiative_status_valid",
            ),
        ]

    def __str__(self):
        return self.title


class Vote(models.Model):
    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="votes"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="votes"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["initiative", "user"], name="one_vote_per_user"
            ),
        ]

    def __str__(self):
        return f"{self.user} votes for {self.initiative}"
