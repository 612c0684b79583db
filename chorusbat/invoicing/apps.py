from django.apps import AppConfig


class InvoicingConfig(AppConfig):
    name = "chorusbat.invoicing"
    label = "invoicing"
    verbose_name = "Factur-X documents of situations"

    def ready(self) -> None:
        from django.conf import settings

        from chorusbat.facturx import schematron

        # Where the Factur-X gate runs its schematrons: here, or in the machine's shared validator.
        schematron.use_validator(settings.CHORUSBAT_VALIDATOR_SOCKET or None)

        # Here, not at module level: the app registry must be ready before models are imported.
        from chorusbat.invoicing import signals  # noqa: F401 - connects the receivers
        from chorusbat.invoicing.services import DocumentError, invoice_data_for
        from chorusbat.situations import chorus_checks

        # situations checks, before validating, the very invoice invoicing will write (situations cannot import it)
        chorus_checks.use_invoice_builder(invoice_data_for, unavailable=DocumentError)
