from django.apps import AppConfig


class MarketsConfig(AppConfig):
    name = "chorusbat.markets"
    label = "markets"
    verbose_name = "Markets (public works contracts)"
