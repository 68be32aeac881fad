"""A deadline or appointment as the reader's clock shows it, saying whose clock it is."""

from django import template
from django.utils import timezone, translation
from django.utils.formats import date_format

from core.times import utc_offset

register = template.Library()


def place_name(city) -> str:
    """The city in the reader's script when it is their city's language, else in English."""
    language = (translation.get_language() or "en").split("-")[0]
    return city.name_local if city.main_language_id == language else city.name_en


@register.simple_tag(takes_context=True)
def moment(context, value, city=None, format="DATETIME_FORMAT"):
    """ "30 Nov 2026, 23:59 (Zibo, UTC+08:00)": `value` in the active time zone, which is the
    reader's (their home city's on a page, the recipient's city's in an email).

    Two cities read the same deadline, each in their own clock: the place and the offset say
    which clock it is. `city` names the zone's city; without it, the signed-in reader's home
    city when that is the active zone, else the zone's own name ("Asia/Seoul").
    """
    if not value:
        return ""
    local = timezone.localtime(value)
    zone = timezone.get_current_timezone_name()
    if city is None:
        user = getattr(context.get("request"), "user", None)
        home = (
            getattr(user, "home_city", None) if getattr(user, "is_authenticated", False) else None
        )
        if home is not None and home.time_zone == zone:
            city = home
    place = place_name(city) if city is not None else zone
    return f"{date_format(local, format)} ({place}, {utc_offset(local)})"
