"""Keep Initiative.vote_count equal to the number of its Vote rows.

Receivers instead of code in the vote views, because votes also disappear
through cascades (a deleted user takes their votes along), and each of those
deletions must lower the count too.
"""

from django.db.models import F
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from initiatives.models import Initiative, Vote


@receiver(post_save, sender=Vote, dispatch_uid="count_cast_vote")
def count_cast_vote(sender, instance, created, **kwargs):
    if created:
        Initiative.objects.filter(pk=instance.initiative_id).update(
            vote_count=F("vote_count") + 1
        )


@receiver(post_delete, sender=Vote, dispatch_uid="count_withdrawn_vote")
def count_withdrawn_vote(sender, instance, **kwargs):
    Initiative.objects.filter(pk=instance.initiative_id, vote_count__gt=0).update(
        vote_count=F("vote_count") - 1
    )
