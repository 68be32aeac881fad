"""English and Korean stay complete; the compiled catalogues match their sources."""

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ["ko", "zh_Hans", "vi", "ja"]


def catalogue(locale: str) -> polib.POFile:
    return polib.pofile(str(ROOT / "locale" / locale / "LC_MESSAGES" / "django.po"))


def test_korean_catalogue_is_complete():
    po = catalogue("ko")
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []


@pytest.mark.parametrize("locale", LOCALES)
def test_compiled_catalogue_matches_its_source(locale):
    po = catalogue(locale)
    mo = polib.mofile(str(ROOT / "locale" / locale / "LC_MESSAGES" / "django.mo"))
    compiled = {(e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural) for e in mo if e.msgid}
    source = {(e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural) for e in po.translated_entries()}
    assert compiled == source


def test_catalogues_hold_every_string_marked_in_the_code(tmp_path):
    """makemessages on a copy of the code finds no string the Korean catalogue lacks."""
    for part in [
        "core",
        "exchange",
        "accounts",
        "messaging",
        "privacy",
        "matching",
        "demo",
        "templates",
        "locale",
        "manage.py",
    ]:
        source = ROOT / part
        if source.is_dir():
            shutil.copytree(source, tmp_path / part, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, tmp_path / part)
    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "ko", "--no-location"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        env={
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "exchange.settings",
            "PYTHONPATH": str(tmp_path),
            "VAR_DIR": str(tmp_path / "var"),
        },
    )
    assert result.returncode == 0, result.stderr
    fresh = polib.pofile(str(tmp_path / "locale" / "ko" / "LC_MESSAGES" / "django.po"))
    current = {(e.msgctxt, e.msgid) for e in catalogue("ko") if not e.obsolete}
    assert sorted(e.msgid for e in fresh if (e.msgctxt, e.msgid) not in current) == []
