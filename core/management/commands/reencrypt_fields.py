"""Encrypt every encrypted field again with the first of FIELD_ENCRYPTION_KEYS, so an older key
can then be removed from the list (core.crypto)."""

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from core.crypto import EncryptedTextField


class Command(BaseCommand):
    help = "Re-encrypt the encrypted fields with the first FIELD_ENCRYPTION_KEYS key."

    def handle(self, *args, **options):
        total = 0
        for model in apps.get_models():
            fields = [f.attname for f in model._meta.fields if isinstance(f, EncryptedTextField)]
            if not fields:
                continue
            rows = 0
            with transaction.atomic():
                # Read back with any key, written with the first (get_prep_value encrypts).
                for row in model._base_manager.select_for_update().only("pk", *fields):
                    model._base_manager.filter(pk=row.pk).update(
                        **{name: getattr(row, name) for name in fields}
                    )
                    rows += 1
            total += rows
            self.stdout.write(f"{model._meta.label}: {rows}")
        self.stdout.write(self.style.SUCCESS(f"Re-encrypted {total} rows."))
