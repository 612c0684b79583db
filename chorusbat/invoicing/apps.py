from django.apps import AppConfig


class InvoicingConfig(AppConfig):
    name = "chorusbat.invoicing"
    label = "invoicing"
    verbose_name = "Factur-X documents of situations"

    def ready(self) -> None:
        from chorusbat.invoicing import signals  # noqa: F401 - connects the receivers
