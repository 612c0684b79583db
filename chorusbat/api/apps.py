from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "chorusbat.api"
    label = "api"
    verbose_name = "Integration API"

    def ready(self):
        from chorusbat.api import signals

        signals.connect()
