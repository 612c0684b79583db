from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "chorusbat.contracts"
    label = "contracts"
    verbose_name = "Contract life: late-payment interest, price indices"

    def ready(self):
        # Here, not at module level: models may be imported only once the app registry is ready. The situation form
        # (below contracts in the layers) takes the index of its month from the table through these two lookups.
        from chorusbat.contracts.indices import index_for, series_known
        from chorusbat.situations.forms import use_index_table

        use_index_table(index_for, series_known)
