"""Trip pages: an itinerary time in the host city's clock and the reader's, and the trip card
on a student's application page."""

import zoneinfo
from datetime import date, datetime, time

from django import template
from django.utils.translation import gettext as _

from core.templatetags.moments import place_name

register = template.Library()


def _clock(moment: datetime | time) -> str:
    # A 24-hour clock in every language, as the chat and the sessions show times.
    return moment.strftime("%H:%M")


def local_time_label(*, day: date, at: time | None, host_city, reader_city=None) -> str:
    """ "14:00 in Zibo (15:00 in Gwangju)": an itinerary time in the host city's clock, with the
    reader's home city's clock beside it when the two differ at that moment."""
    if at is None:
        return ""
    host_zone = zoneinfo.ZoneInfo(host_city.time_zone)
    moment = datetime.combine(day, at, tzinfo=host_zone)
    label = _("%(time)s in %(city)s") % {"time": _clock(at), "city": place_name(host_city)}
    if reader_city is None or reader_city.pk == host_city.pk:
        return label
    theirs = moment.astimezone(zoneinfo.ZoneInfo(reader_city.time_zone))
    if theirs.replace(tzinfo=None) == moment.replace(tzinfo=None):
        return label
    local = _clock(theirs)
    if theirs.date() != day:
        local = f"{theirs:%m-%d} {local}"
    return _("%(time)s in %(city)s (%(local)s in %(home)s)") % {
        "time": _clock(at),
        "city": place_name(host_city),
        "local": local,
        "home": place_name(reader_city),
    }


@register.simple_tag
def trip_time(day, at, host_city, reader_city=None) -> str:
    return local_time_label(day=day, at=at, host_city=host_city, reader_city=reader_city)


@register.simple_tag
def trip_card(application) -> dict:
    """What the student's application page shows about their trip (the _my_card slot)."""
    from exchange.models import PARTICIPATING, EmergencyInfo
    from exchange.selectors import trips as selectors

    if application.state not in PARTICIPATING:
        return {}
    status = selectors.travel_status(application=application)
    return {
        "status": status,
        "label": selectors.travel_status_label(status),
        "leg": selectors.travel_leg(application=application),
        "emergency_given": EmergencyInfo.objects.filter(application=application).exists(),
    }
