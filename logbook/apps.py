from django.apps import AppConfig


class LogbookConfig(AppConfig):
    name = "logbook"

    def ready(self):
        from logbook import receivers  # noqa: F401  (connects the receivers)
