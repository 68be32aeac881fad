"""Themes and languages are fixed vocabularies: their labels live in code, translated."""

from django.db import migrations

THEMES = [
    "culture-arts", "ceramics", "sports", "agriculture", "ai-tech", "media",
    "languages", "history", "environment", "music", "tourism",
]
LANGUAGES = ["ko", "zh", "vi", "ja", "en", "es", "fr", "de", "ru"]


def forwards(apps, schema_editor):
    Theme = apps.get_model("core", "Theme")
    Language = apps.get_model("core", "Language")
    for slug in THEMES:
        Theme.objects.get_or_create(slug=slug)
    for code in LANGUAGES:
        Language.objects.get_or_create(code=code)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
