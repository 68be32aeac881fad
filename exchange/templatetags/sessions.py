from django import template
from django.utils import timezone

from core.times import utc_offset as offset_of

register = template.Library()


@register.filter
def utc_offset(moment):
    """The UTC offset of a moment in the current time zone (set with `{% timezone %}`)."""
    if not moment:
        return ""
    return offset_of(timezone.localtime(moment))


@register.filter
def clock(seconds) -> str:
    """Seconds as h:mm:ss, the same in every language: 2525 → "0:42:05"."""
    seconds = int(seconds or 0)
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}"
