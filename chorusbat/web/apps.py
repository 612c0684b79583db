from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "chorusbat.web"
    label = "web"
    verbose_name = "Web layout"
