from django.core.management.base import BaseCommand

from tokens.reminders import send_expiry_reminders


class Command(BaseCommand):
    help = (
        "E-mail the owners of tokens that expire within 7 days, and again within "
        "1 day. Safe to run as often as you like: no reminder is sent twice."
    )

    def handle(self, *args, **options):
        sent = send_expiry_reminders()
        self.stdout.write(f"Sent {sent} expiry reminder(s).")
