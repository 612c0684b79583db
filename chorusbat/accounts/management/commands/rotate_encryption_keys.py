"""Re-encrypt every stored secret with the first key of CHORUSBAT_ENCRYPTION_KEYS.

Rotation: put the new key first in CHORUSBAT_ENCRYPTION_KEYS (keep the old ones after it), run this command,
then remove the old keys.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from chorusbat import crypto
from chorusbat.accounts.models import ChorusSubscription


class Command(BaseCommand):
    help = "Re-encrypt stored Chorus Pro secrets with the current (first) encryption key."

    def handle(self, *args, **options):
        count = 0
        with transaction.atomic():
            for sub in ChorusSubscription.objects.select_for_update():
                sub.password_encrypted = crypto.rotate(sub.password_encrypted)
                sub.save(update_fields=["password_encrypted"])
                count += 1
            from chorusbat.api.models import WebhookEndpoint  # webhook signing secrets (the API app)

            for endpoint in WebhookEndpoint.objects.select_for_update():
                endpoint.secret_encrypted = crypto.rotate(endpoint.secret_encrypted)
                endpoint.save(update_fields=["secret_encrypted"])
                count += 1
        self.stdout.write(f"{count} secret(s) re-encrypted with the current key.")
