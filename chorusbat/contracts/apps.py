from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "chorusbat.contracts"
    label = "contracts"
    verbose_name = "Contract life: late-payment interest, price indices"
