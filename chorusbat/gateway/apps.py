from django.apps import AppConfig


class GatewayConfig(AppConfig):
    name = "chorusbat.gateway"
    label = "gateway"
    verbose_name = "Transmission to Chorus Pro"
