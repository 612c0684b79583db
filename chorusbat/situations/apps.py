from django.apps import AppConfig


class SituationsConfig(AppConfig):
    name = "chorusbat.situations"
    label = "situations"
    verbose_name = "Monthly situations"
