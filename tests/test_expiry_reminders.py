import io
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from tokens.models import PersonalAccessToken
from tokens.reminders import send_expiry_reminders


@pytest.fixture
def expiring_token(owner, make_token):
    """A token of the owner's that expires in 6 days and 12 hours."""
    token, _ = make_token(owner, name="jira-sync", expires_in_days=30)
    token.expires_at = timezone.now() + timedelta(days=6, hours=12)
    token.save(update_fields=["expires_at"])
    return token


def move_expiry(token, delta):
    token.expires_at = timezone.now() + delta
    token.save(update_fields=["expires_at"])


def test_seven_day_reminder_is_sent(expiring_token):
    output = io.StringIO()
    call_command("send_token_expiry_reminders", stdout=output)

    assert output.getvalue() == "Sent 1 expiry reminder(s).\n"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ada@example.com"]
    assert "jira-sync" in mail.outbox[0].subject
    assert "7 day" in mail.outbox[0].subject


def test_reminder_links_to_a_similar_token(expiring_token, settings):
    settings.PRIORITYVOTE_BASE_URL = "https://vote.example.com"

    send_expiry_reminders()

    expected = (
        f"https://vote.example.com/settings/tokens/new?similar_to={expiring_token.pk}"
    )
    assert expected in mail.outbox[0].body


def test_reminder_names_the_prefix_and_never_a_value(expiring_token):
    send_expiry_reminders()

    assert expiring_token.prefix in mail.outbox[0].body
    assert expiring_token.digest not in mail.outbox[0].body


def test_second_run_sends_nothing(expiring_token):
    send_expiry_reminders()
    send_expiry_reminders()

    assert len(mail.outbox) == 1


def test_one_day_reminder_follows_the_seven_day_one(expiring_token):
    send_expiry_reminders()
    move_expiry(expiring_token, timedelta(hours=20))

    send_expiry_reminders()
    send_expiry_reminders()

    assert len(mail.outbox) == 2
    assert "1 day" in mail.outbox[1].subject


def test_late_first_run_sends_one_day_reminder_only(expiring_token):
    move_expiry(expiring_token, timedelta(hours=3))

    send_expiry_reminders()
    send_expiry_reminders()

    assert len(mail.outbox) == 1
    assert "1 day" in mail.outbox[0].subject


def test_token_far_from_expiry_gets_no_reminder(expiring_token):
    move_expiry(expiring_token, timedelta(days=8))

    send_expiry_reminders()

    assert mail.outbox == []


@pytest.mark.parametrize(
    "change",
    [
        {"revoked_at": timezone.now()},
        {"expires_at": timezone.now() - timedelta(minutes=1)},
        {"expires_at": None},
    ],
    ids=["revoked", "expired", "never-expires"],
)
def test_inactive_or_unexpiring_token_gets_no_reminder(expiring_token, change):
    PersonalAccessToken.objects.filter(pk=expiring_token.pk).update(**change)

    send_expiry_reminders()

    assert mail.outbox == []


def test_inactive_owner_gets_no_reminder(expiring_token, owner):
    owner.is_active = False
    owner.save(update_fields=["is_active"])

    send_expiry_reminders()

    assert mail.outbox == []


def test_failed_send_is_retried_next_run(expiring_token, monkeypatch):
    def fail(*args, **kwargs):
        raise ConnectionRefusedError("SMTP server is down")

    monkeypatch.setattr("tokens.reminders.send_mail", fail)
    assert send_expiry_reminders() == 0
    monkeypatch.undo()

    assert send_expiry_reminders() == 1
    assert len(mail.outbox) == 1
