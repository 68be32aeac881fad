"""How a service asks the rules: `require` refuses with a ValidationError (code "forbidden")
unless the person has the permission, as the app's rules.py defines it. Services call it
before they write; views ask `has_perm` or `permission_required` with the same names."""

from django.core.exceptions import ValidationError


def require(user, perm: str, obj=None, *, message: str) -> None:
    if user is None or not user.has_perm(perm, obj):
        raise ValidationError(message, code="forbidden")
