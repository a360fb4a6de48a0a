from django.apps import AppConfig


class PriorityVoteConfig(AppConfig):
    name = "priorityvote"
    verbose_name = "Accounts"

    def ready(self):
        from priorityvote import checks  # noqa: F401  (registers the checks)
