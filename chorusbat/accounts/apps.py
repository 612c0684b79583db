from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "chorusbat.accounts"
    label = "accounts"
    verbose_name = "Companies and subscriptions"
