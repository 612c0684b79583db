"""Re-encrypt every stored secret with the first key of CHORUSBAT_ENCRYPTION_KEYS.

Rotation: put the new key first in CHORUSBAT_ENCRYPTION_KEYS (keep the old ones after it), run this command,
then remove the old keys. Every column declared as ``crypto.EncryptedTextField``, in every model, is rotated
(the technical passwords, the companies' own PISTE client secrets, and any encrypted column added later).
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from chorusbat import crypto


class Command(BaseCommand):
    help = "Re-encrypt every stored secret with the current (first) encryption key."

    def handle(self, *args, **options):
        count = 0
        with transaction.atomic():
            for model, field in crypto.encrypted_fields():
                rows = model._default_manager.select_for_update().exclude(**{field.attname: ""}).exclude(
                    **{f"{field.attname}__isnull": True})
                for pk, token in rows.values_list("pk", field.attname):
                    model._default_manager.filter(pk=pk).update(**{field.attname: crypto.rotate(token)})
                    count += 1
        self.stdout.write(f"{count} secret(s) re-encrypted with the current key.")
