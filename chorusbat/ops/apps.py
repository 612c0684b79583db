from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "chorusbat.ops"
    label = "ops"
    verbose_name = "Operations"
