import logging

from django.core.mail.backends.base import BaseEmailBackend

logger = logging.getLogger(__name__)


class UnsentEmailBackend(BaseEmailBackend):
    """Drop e-mails and log that they were dropped, for production without SMTP.

    Django's console backend would print the whole message to the log,
    password reset links included, where anyone who reads the log could
    use them. This logs the subject and nothing else of the message.
    """

    def send_messages(self, email_messages):
        for message in email_messages:
            logger.warning(
                "E-mail not sent because EMAIL_HOST is not set: %r to %d recipient(s)",
                message.subject,
                len(message.recipients()),
            )
        return 0
