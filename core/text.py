"""What text a person may type: the characters refused in chat messages and in names.

Control characters (C0 and C1, but tab and line breaks) and lone surrogates can't be stored
or shown safely anywhere. A name is stricter: Unicode format characters (zero-width spaces and
joiners, the byte-order mark, bidirectional overrides and isolates, which can make a name read
backwards or look like someone else's) are refused too, and a name needs at least one letter.
Combining marks stay allowed: Vietnamese and decomposed Hangul use them.
"""

import re
import unicodedata

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

# C0 controls but \t \n \r, DEL and the C1 controls, and the surrogate halves.
_UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def _interpolate(message, values) -> str:
    return str(message) % values


#: `message % values`, translated when shown rather than when the module loads: for help texts
#: and labels on form classes, which are built once, before anyone's language is active.
interpolate_lazy = lazy(_interpolate, str)


def has_unstorable_characters(text: str) -> bool:
    return _UNSTORABLE.search(text) is not None


def name_problem(name: str) -> str | None:
    """Why this name is refused, in words for the person typing it, or None."""
    if any(unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Cn") for char in name):
        return _(
            "Names can’t hold invisible or direction-changing characters. Type the name "
            "again without copying it from elsewhere."
        )
    if not any(unicodedata.category(char).startswith("L") for char in name):
        return _("A name needs at least one letter.")
    return None


class NameField(forms.CharField):
    """A person's name as typed into a form: trimmed, with letters, nothing invisible."""

    def validate(self, value):
        super().validate(value)
        if value in self.empty_values:
            return
        problem = name_problem(value)
        if problem:
            raise forms.ValidationError(problem, code="bad_name")
