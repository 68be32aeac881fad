#!/usr/bin/env python
"""Fill, in locale/*/django.po, the allauth strings (accounts/allauth_strings.py) still empty.

Korean, Chinese and Japanese come from allauth's own catalogues; Vietnamese, which allauth
lacks, from scripts/allauth_vi.json (msgid, or "context|msgid", to the msgstr, or to the list
of plural forms). Entries already translated are left alone, so a translation of ours wins.
Run after `make messages`, then compile: .venv/bin/python manage.py compilemessages -i .venv
"""

import json
import sys
from pathlib import Path

import polib

sys.path.insert(0, str(Path(__file__).resolve().parent))
from allauth_strings import allauth_catalogue, wanted

ROOT = Path(__file__).resolve().parent.parent


def key(entry: polib.POEntry) -> str:
    return f"{entry.msgctxt}|{entry.msgid}" if entry.msgctxt else entry.msgid


def translations(locale: str) -> dict:
    if locale == "vi":
        return json.loads((ROOT / "scripts" / "allauth_vi.json").read_text(encoding="utf-8"))
    found = {}
    for entry in allauth_catalogue(locale):
        if entry.obsolete or not entry.translated():
            continue
        found[key(entry)] = [entry.msgstr_plural[0]] if entry.msgid_plural else entry.msgstr
    return found


def main() -> int:
    ours = {key(entry) for entry in wanted()}
    missing = 0
    for locale in ["ko", "zh_Hans", "vi", "ja"]:
        path = ROOT / "locale" / locale / "LC_MESSAGES" / "django.po"
        po = polib.pofile(str(path), wrapwidth=79)
        known = translations(locale)
        changed = False
        for entry in po:
            if entry.obsolete or key(entry) not in ours:
                continue
            if entry.translated() and "fuzzy" not in entry.flags:
                continue
            text = known.get(key(entry))
            if text is None:
                print(f"{locale}: no translation for {entry.msgid!r}")
                missing += 1
                continue
            if entry.msgid_plural:
                entry.msgstr_plural = {0: text[0]}
            else:
                entry.msgstr = text
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
            changed = True
        if changed:  # `make messages` afterwards brings the file back to gettext's wrapping
            po.save(str(path))
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
