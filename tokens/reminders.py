"""E-mail reminders before personal access tokens expire.

A token gets a reminder 7 days before it expires and another 1 day before.
Each reminder is claimed with a conditional UPDATE of
`expiry_reminder_days` in the transaction that sends it, so a second run,
even a concurrent one, sends nothing twice, and a failed send is retried
by the next run.
"""

import logging
import math
import smtplib
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from tokens.models import PersonalAccessToken

logger = logging.getLogger(__name__)

REMINDER_DAYS = (7, 1)


def due_reminder(token: PersonalAccessToken, now) -> int | None:
    """Return the reminder (7 or 1 days) that the token is due for, or None."""
    days_left = math.ceil((token.expires_at - now) / timedelta(days=1))
    for days in sorted(REMINDER_DAYS):
        if days_left <= days:
            already_sent = token.expiry_reminder_days is not None
            if already_sent and token.expiry_reminder_days <= days:
                return None
            return days
    return None


def send_expiry_reminders(now=None) -> int:
    """Send every due reminder, one e-mail per token; return how many were sent."""
    now = now or timezone.now()
    horizon = now + timedelta(days=max(REMINDER_DAYS))
    tokens = (
        PersonalAccessToken.objects.active()
        .filter(expires_at__lte=horizon, user__is_active=True)
        .select_related("user")
        .order_by("expires_at")
    )
    sent = 0
    for token in tokens:
        days = due_reminder(token, now)
        if days is None:
            continue
        try:
            sent += send_reminder(token, days)
        except (smtplib.SMTPException, OSError):
            # The claim rolled back with the failed send, so the next run retries.
            logger.exception(
                "Failed to send expiry reminder for token %s", token.prefix
            )
    return sent


def send_reminder(token: PersonalAccessToken, days: int) -> bool:
    with transaction.atomic():
        claimed = PersonalAccessToken.objects.filter(
            pk=token.pk, expiry_reminder_days=token.expiry_reminder_days
        ).update(expiry_reminder_days=days)
        if not claimed:
            return False  # Another run sent this reminder first.

        context = {
            "token": token,
            "days": days,
            "similar_url": settings.PRIORITYVOTE_BASE_URL
            + reverse("token-create")
            + f"?similar_to={token.pk}",
            "list_url": settings.PRIORITYVOTE_BASE_URL + reverse("token-list"),
        }
        subject = f"Your Priority.vote token “{token.name}” expires in {days} day(s)"
        body = render_to_string("tokens/email/expiry_reminder.txt", context)
        send_mail(subject, body, None, [token.user.email])
    logger.info("Sent %d-day expiry reminder for token %s", days, token.prefix)
    return True
