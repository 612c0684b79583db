from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "chorusbat.api"
    label = "api"
    verbose_name = "Integration API"

    def ready(self):
        from chorusbat.api import signals  # here: models may be imported only once the app registry is ready

        signals.connect()
