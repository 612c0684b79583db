from django.apps import AppConfig


class GatewayConfig(AppConfig):
    name = "chorusbat.gateway"
    label = "gateway"
    verbose_name = "Transmission to Chorus Pro"

    def ready(self):
        from chorusbat.accounts.signals import subscription_verified

        def resume(sender, subscription, **kwargs):
            from chorusbat.gateway.services import resume_held

            resume_held(subscription.company_id)

        subscription_verified.connect(resume, dispatch_uid="gateway-resume-held", weak=False)
