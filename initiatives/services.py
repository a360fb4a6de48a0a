"""Changes that both the pages and the API make, written once."""

from django.db import IntegrityError, transaction

from initiatives.models import Backlog, Initiative, Membership, Role, Vote


class LastOwnerError(Exception):
    """The change would leave the backlog without an owner."""

    message = "A backlog needs at least one owner. Make someone else owner first."


def create_backlog(user, *, name: str, description: str = "") -> Backlog:
    backlog = Backlog.objects.create(name=name, description=description)
    Membership.objects.create(backlog=backlog, user=user, role=Role.OWNER)
    backlog.role = Role.OWNER
    return backlog


def set_member_role(backlog: Backlog, user, role: str) -> tuple[Membership, bool]:
    """Add `user` to the backlog with `role`, or change their role.

    Return the membership and whether it was created. Raise LastOwnerError
    when this would demote the only owner.
    """
    membership = backlog.memberships.select_for_update().filter(user=user).first()
    if membership is None:
        try:
            with transaction.atomic():
                created = Membership.objects.create(
                    backlog=backlog, user=user, role=role
                )
            return created, True
        except IntegrityError:
            # A concurrent request added them first, so change that membership.
            membership = backlog.memberships.select_for_update().get(user=user)

    if membership.role == Role.OWNER and role != Role.OWNER:
        ensure_another_owner(membership)
    if membership.role != role:
        membership.role = role
        membership.save(update_fields=["role"])
    return membership, False


def remove_member(membership: Membership) -> None:
    if membership.role == Role.OWNER:
        ensure_another_owner(membership)
    membership.delete()


def ensure_another_owner(membership: Membership) -> None:
    # Locking the owners' rows makes two owners who demote each other at the
    # same time wait for one another, so one of them keeps the role.
    owners = Membership.objects.select_for_update().filter(
        backlog_id=membership.backlog_id, role=Role.OWNER
    )
    if not owners.exclude(pk=membership.pk).exists():
        raise LastOwnerError


def cast_vote(initiative: Initiative, user) -> None:
    """Record the user's vote. Casting it twice changes nothing."""
    if initiative.votes.filter(user=user).exists():
        return
    try:
        with transaction.atomic():
            Vote.objects.create(initiative=initiative, user=user)
    except IntegrityError:
        pass  # A concurrent request cast the same vote first.


def withdraw_vote(initiative: Initiative, user) -> None:
    """Delete the user's vote. Withdrawing a vote that was not cast changes nothing."""
    for vote in initiative.votes.filter(user=user):
        vote.delete()
