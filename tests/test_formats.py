"""Times read the same way in every language: 24-hour, so a session's range is "19:00 – 20:00"
(never "19:00 – 오후 8:00") and a sentence never ends "9 a.m.." (core/formats)."""

from datetime import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.template.loader import render_to_string
from django.utils import timezone, translation

SEOUL = ZoneInfo("Asia/Seoul")
SESSION = SimpleNamespace(
    starts_at=datetime(2026, 12, 7, 19, 0, tzinfo=SEOUL),
    ends_at=datetime(2026, 12, 7, 20, 0, tzinfo=SEOUL),
)


@pytest.mark.parametrize(
    ("language", "shown"),
    [
        ("en", "12/07/2026 19:00</time> – <time"),
        ("ko", "2026-12-7 19:00</time> – <time"),
        ("zh-hans", "2026年12月7日 19:00</time> – <time"),
        ("vi", "19:00 07-12-2026</time> – <time"),
        ("ja", "2026/12/07 19:00</time> – <time"),
    ],
)
def test_session_range_is_24_hour_on_both_ends(language, shown):
    with translation.override(language), timezone.override(SEOUL):
        html = render_to_string("exchange/_session_times.html", {"session": SESSION})

    assert shown in html
    assert '">20:00</time>' in html


def test_a_sentence_ending_with_a_time_has_one_full_stop():
    template = Template(
        '{% load i18n %}{% blocktranslate with when=moment|date:"DATETIME_FORMAT" %}'
        "Published on {{ when }}.{% endblocktranslate %}"
    )
    moment = datetime(2026, 12, 7, 9, 0, tzinfo=SEOUL)

    with translation.override("en"), timezone.override(SEOUL):
        text = template.render(Context({"moment": moment}))

    assert text == "Published on Dec. 7, 2026, 09:00."
