"""Signal receivers that write a logbook entry for each change.

They run inside the transaction of the change (every request is atomic,
see ATOMIC_REQUESTS), so a change and its entry commit or roll back together.

Old values come from a snapshot taken when the instance was loaded
(post_init), so a diff costs no query. Deletions are recorded only where
they started: deleting a backlog writes backlog.deleted, not one entry per
initiative, vote and membership that the cascade takes along.
"""

from django.db.models import QuerySet
from django.db.models.signals import post_delete, post_init, post_save
from django.dispatch import receiver

from initiatives.models import Backlog, Initiative, Membership, Vote
from logbook.context import current_actor
from logbook.models import Action, Entry
from tokens.models import PersonalAccessToken

TRACKED_FIELDS = {
    Initiative: ("title", "description", "status"),
    Backlog: ("name", "description"),
    Membership: ("role",),
    PersonalAccessToken: ("revoked_at",),
}


def write_entry(
    action,
    target,
    *,
    label=None,
    backlog=None,
    backlog_name="",
    target_user=None,
    changes=None,
):
    actor = current_actor()
    Entry.objects.create(
        action=action,
        actor=actor.user,
        actor_name=actor.user.display_name if actor.user else "",
        backlog=backlog,
        backlog_name=backlog.name if backlog else backlog_name,
        target_type=target._meta.model_name,
        target_id=target.pk,
        target_label=(label or str(target))[:200],
        target_user=target_user,
        changes=changes or {},
        token=actor.token,
        token_name=actor.token.name if actor.token else "",
        token_prefix=actor.token.prefix if actor.token else "",
    )


def take_snapshot(instance):
    # Read __dict__, not the attributes, so a deferred field is skipped
    # instead of being loaded with a query.
    fields = TRACKED_FIELDS[type(instance)]
    instance._logbook_snapshot = {
        name: instance.__dict__[name] for name in fields if name in instance.__dict__
    }


def changed_fields(instance) -> dict:
    snapshot = getattr(instance, "_logbook_snapshot", {})
    return {
        name: [old, getattr(instance, name)]
        for name, old in snapshot.items()
        if getattr(instance, name) != old
    }


def created_fields(instance) -> dict:
    return {
        name: [None, getattr(instance, name)] for name in TRACKED_FIELDS[type(instance)]
    }


def started_here(instance, origin) -> bool:
    """Tell whether a deletion started at `instance` rather than in a cascade."""
    if isinstance(origin, QuerySet):
        return origin.model is type(instance)
    return origin is instance


for model in TRACKED_FIELDS:
    post_init.connect(
        lambda sender, instance, **kwargs: take_snapshot(instance),
        sender=model,
        weak=False,
        dispatch_uid=f"logbook_snapshot_{model._meta.label}",
    )


@receiver(post_save, sender=Initiative, dispatch_uid="logbook_initiative_saved")
def initiative_saved(sender, instance, created, **kwargs):
    changes = created_fields(instance) if created else changed_fields(instance)
    if changes:
        action = Action.INITIATIVE_CREATED if created else Action.INITIATIVE_UPDATED
        write_entry(action, instance, backlog=instance.backlog, changes=changes)
    take_snapshot(instance)


@receiver(post_delete, sender=Initiative, dispatch_uid="logbook_initiative_deleted")
def initiative_deleted(sender, instance, origin=None, **kwargs):
    if started_here(instance, origin):
        write_entry(Action.INITIATIVE_DELETED, instance, backlog=instance.backlog)


@receiver(post_save, sender=Vote, dispatch_uid="logbook_vote_cast")
def vote_cast(sender, instance, created, **kwargs):
    if created:
        initiative = instance.initiative
        write_entry(Action.VOTE_CAST, initiative, backlog=initiative.backlog)


@receiver(post_delete, sender=Vote, dispatch_uid="logbook_vote_withdrawn")
def vote_withdrawn(sender, instance, origin=None, **kwargs):
    if started_here(instance, origin):
        initiative = instance.initiative
        write_entry(Action.VOTE_WITHDRAWN, initiative, backlog=initiative.backlog)


@receiver(post_save, sender=Membership, dispatch_uid="logbook_membership_saved")
def membership_saved(sender, instance, created, **kwargs):
    changes = created_fields(instance) if created else changed_fields(instance)
    if changes:
        action = Action.MEMBER_ADDED if created else Action.MEMBER_CHANGED
        write_entry(
            action,
            instance.user,
            label=instance.user.display_name,
            backlog=instance.backlog,
            target_user=instance.user,
            changes=changes,
        )
    take_snapshot(instance)


@receiver(post_delete, sender=Membership, dispatch_uid="logbook_membership_deleted")
def membership_deleted(sender, instance, origin=None, **kwargs):
    if started_here(instance, origin):
        write_entry(
            Action.MEMBER_REMOVED,
            instance.user,
            label=instance.user.display_name,
            backlog=instance.backlog,
            target_user=instance.user,
        )


@receiver(post_save, sender=Backlog, dispatch_uid="logbook_backlog_saved")
def backlog_saved(sender, instance, created, **kwargs):
    changes = created_fields(instance) if created else changed_fields(instance)
    if changes:
        action = Action.BACKLOG_CREATED if created else Action.BACKLOG_UPDATED
        write_entry(action, instance, backlog=instance, changes=changes)
    take_snapshot(instance)


@receiver(post_delete, sender=Backlog, dispatch_uid="logbook_backlog_deleted")
def backlog_deleted(sender, instance, origin=None, **kwargs):
    if started_here(instance, origin):
        # The backlog row is gone, so the entry keeps only its name.
        write_entry(Action.BACKLOG_DELETED, instance, backlog_name=instance.name)


@receiver(post_save, sender=PersonalAccessToken, dispatch_uid="logbook_token_saved")
def token_saved(sender, instance, created, **kwargs):
    if created:
        write_entry(Action.TOKEN_CREATED, instance, target_user=instance.user)
    elif "revoked_at" in changed_fields(instance) and instance.revoked_at is not None:
        write_entry(Action.TOKEN_REVOKED, instance, target_user=instance.user)
    take_snapshot(instance)
