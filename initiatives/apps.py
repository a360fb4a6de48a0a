from django.apps import AppConfig


class InitiativesConfig(AppConfig):
    name = "initiatives"

    def ready(self):
        from initiatives import receivers  # noqa: F401  (connects the receivers)
