"""Path converters that accept one of a few fixed words, as `<export_format:fmt>` does."""

import re
from collections.abc import Iterable

from django.urls import register_converter


class ChoiceConverter:
    """Matches one of `values` and passes it to the view unchanged."""

    regex: str

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


def register_choices(name: str, values: Iterable[str]) -> type[ChoiceConverter]:
    """Register `<name:...>` in URL patterns, matching exactly one of `values`."""
    regex = "|".join(re.escape(value) for value in values)
    converter = type(
        f"{name.title().replace('_', '')}Converter", (ChoiceConverter,), {"regex": regex}
    )
    register_converter(converter, name)
    return converter
