from django.apps import AppConfig


class PriorityVoteConfig(AppConfig):
    name = "priorityvote"
    verbose_name = "Accounts"
