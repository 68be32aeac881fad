"""English and Korean stay complete; the compiled catalogues match their sources."""

import re
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
        "outcomes",
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


# --- Every catalogue complete and sound (issue 14) --------------------------------------


@pytest.mark.parametrize("locale", LOCALES)
def test_catalogue_has_no_untranslated_fuzzy_or_obsolete_entry(locale):
    po = catalogue(locale)
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []
    assert [e.msgid for e in po.obsolete_entries()] == []


@pytest.mark.parametrize("locale", LOCALES)
def test_plural_entries_have_the_languages_one_form(locale):
    """Korean, Chinese, Vietnamese and Japanese have one plural form."""
    po = catalogue(locale)
    assert po.metadata["Plural-Forms"] == "nplurals=1; plural=0;"
    plurals = [e for e in po if e.msgid_plural and not e.obsolete]
    assert plurals
    assert [e.msgid for e in plurals if sorted(e.msgstr_plural) != [0]] == []


PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%[sd]|\{[a-z_]+\}")


def placeholders(text: str) -> tuple[list[str], set[str]]:
    """Positional ones in their number; named ones may be repeated where a sentence needs."""
    found = PLACEHOLDER.findall(text.replace("%%", ""))
    return sorted(p for p in found if p in {"%s", "%d"}), {p for p in found if len(p) > 2}


@pytest.mark.parametrize("locale", LOCALES)
def test_translations_keep_the_placeholders_exactly(locale):
    """A lost %(name)s shows nothing; a new one crashes the page. The one plural form is
    written from the English plural."""
    wrong = []
    for entry in catalogue(locale).translated_entries():
        if entry.msgid_plural:
            pairs = [(entry.msgid_plural, entry.msgstr_plural[0])]
        else:
            pairs = [(entry.msgid, entry.msgstr)]
        wrong += [source for source, text in pairs if placeholders(source) != placeholders(text)]
    assert wrong == []


@pytest.mark.parametrize("locale", LOCALES)
def test_every_allauth_string_we_list_is_in_the_catalogue(locale):
    """accounts/allauth_strings.py (scripts/allauth_strings.py) keeps allauth's strings in our
    catalogues, so Vietnamese, which allauth lacks, is complete too."""
    from accounts.allauth_strings import STRINGS

    assert len(STRINGS) > 200
    translated = {(e.msgctxt, e.msgid) for e in catalogue(locale).translated_entries()}
    assert ("field label", "Login") in translated
    for text in ["Forgot your password?", "Verify Your Email Address", "Sign Out"]:
        assert (None, text) in translated


# --- Every template string marked for translation ----------------------------------------

TEMPLATE_DIRS = [ROOT / "templates", *sorted(p for p in ROOT.glob("*/templates"))]
# Not pages: robots.txt is read by crawlers.
NOT_PAGES = {"robots.txt"}
BLOCKTRANSLATE = re.compile(r"{%\s*blocktrans(?:late)?\b.*?{%\s*endblocktrans(?:late)?\s*%}", re.S)
COMMENT = re.compile(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}|{#.*?#}", re.S)
# A block holding a CSS class name ({% block main_class %}narrow{% endblock %}).
CLASS_BLOCK = re.compile(r"{%\s*block\s+\w*class\s*%}.*?{%\s*endblock\s*%}", re.S)
DJANGO_TAG = re.compile(r"{%.*?%}|{{.*?}}", re.S)
SCRIPT = re.compile(r"<(script|style)\b.*?</\1>", re.S | re.I)
VISIBLE_ATTRIBUTE = re.compile(r'\b(?:alt|title|placeholder|aria-label)\s*=\s*"([^"]*)"', re.I)
HTML_TAG = re.compile(r"<!DOCTYPE[^>]*>|<[^>]*>", re.S | re.I)
WORD = re.compile(r"[^\W\d_]{2,}")


def unmarked_text(source: str, *, html: bool) -> list[str]:
    """Visible text of a template that no translate / blocktranslate tag holds."""
    for pattern in (COMMENT, BLOCKTRANSLATE, CLASS_BLOCK, DJANGO_TAG):
        source = pattern.sub(" ", source)
    found = []
    if html:
        source = SCRIPT.sub(" ", source)
        found += [value.strip() for value in VISIBLE_ATTRIBUTE.findall(source)]
        source = HTML_TAG.sub("\n", source)
    found += [line.strip() for line in source.splitlines()]
    return [text for text in found if WORD.search(text)]


def test_the_template_scan_finds_unmarked_text():
    source = (
        '{% load i18n %}<p title="Hint">{% translate "Fine" %} Plain words</p>'
        "{% blocktranslate %}Also fine{% endblocktranslate %}{# note #}"
        "{% block main_class %}narrow{% endblock %}<script>let x = 1;</script> · → 12"
    )
    assert unmarked_text(source, html=True) == ["Hint", "Plain words"]


def test_every_template_string_is_marked_for_translation():
    unmarked = {}
    for directory in TEMPLATE_DIRS:
        for path in sorted(directory.rglob("*")):
            if path.suffix not in {".html", ".txt"} or path.name in NOT_PAGES:
                continue
            found = unmarked_text(path.read_text(encoding="utf-8"), html=path.suffix == ".html")
            if found:
                unmarked[str(path.relative_to(ROOT))] = found
    assert unmarked == {}
