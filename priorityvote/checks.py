from django.conf import settings
from django.core.checks import Warning, register


@register(deploy=True)
def check_email_configured(app_configs, **kwargs):
    if settings.EMAIL_HOST:
        return []
    return [
        Warning(
            "EMAIL_HOST is not set, so password reset and token expiry e-mails "
            "are not sent.",
            hint="Set EMAIL_HOST and the other EMAIL_* variables to an SMTP server.",
            id="priorityvote.W001",
        )
    ]
