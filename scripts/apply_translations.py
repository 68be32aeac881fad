"""Fill the ko, zh_Hans, vi and ja catalogues from translation JSON files, after `make messages`:

    .venv/bin/python scripts/apply_translations.py one.json [two.json ...]

Each file is a list of {"msgid", optional "msgctxt", "ko", "zh_Hans", "vi", "ja"} (a list of forms
for a plural). Prints what it could not place and what is still untranslated; then run
`manage.py compilemessages`.
"""

import json
import sys

import polib

entries = []
for path in sys.argv[1:]:
    with open(path, encoding="utf-8") as handle:
        entries += json.load(handle)
for lang in ["ko", "zh_Hans", "vi", "ja"]:
    po = polib.pofile(f"locale/{lang}/LC_MESSAGES/django.po")
    index = {(e.msgctxt, e.msgid): e for e in po if not e.obsolete}
    missing = []
    for item in entries:
        e = index.get((item.get("msgctxt"), item["msgid"]))
        if e is None:
            missing.append(item["msgid"][:60])
            continue
        value = item[lang]
        if e.msgid_plural:
            forms = value if isinstance(value, list) else [value]
            e.msgstr_plural = {i: f for i, f in enumerate(forms)}
        else:
            e.msgstr = value if isinstance(value, str) else value[0]
        if "fuzzy" in e.flags:
            e.flags.remove("fuzzy")
        e.previous_msgid = None
        e.previous_msgctxt = None
        e.previous_msgid_plural = None
    po.save()
    left = [
        e.msgid[:60]
        for e in po
        if not e.obsolete
        and ((not e.msgstr and not any(e.msgstr_plural.values())) or "fuzzy" in e.flags)
    ]
    print(lang, "not in catalogue:", missing, "untranslated:", left)
