"""Fields encrypted at rest: emergency, medical and insurance details, and home addresses.

`cryptography`'s Fernet (AES-128-CBC with an HMAC-SHA256, a timestamp and a version byte) does
the work; this module is only the Django glue. The keys come from FIELD_ENCRYPTION_KEYS
(settings): the first encrypts, every one decrypts, so a key is rotated by putting the new one
first and running `manage.py reencrypt_fields` before the old one is dropped.
"""

from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is empty.")
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except ValueError as error:
        raise ImproperlyConfigured(
            "Each FIELD_ENCRYPTION_KEYS entry must be a Fernet key "
            "(python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key())')."
        ) from error


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(text: str) -> str:
    return fernet().encrypt(text.encode()).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode("ascii")).decode()
    except InvalidToken as error:
        # A value no configured key opens: refuse loudly rather than show an empty field.
        raise ImproperlyConfigured(
            "An encrypted field could not be decrypted with FIELD_ENCRYPTION_KEYS."
        ) from error


class EncryptedTextField(models.TextField):
    """Text stored as a Fernet token. It can't be searched, filtered or ordered by: only
    read back whole by someone who may see it. An empty value is stored empty."""

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return encrypt(str(value))

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return value
        return decrypt(value)

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "core.crypto.EncryptedTextField", args, kwargs
