"""Showing stored UTC moments in a city's time zone, with the UTC offset beside them."""

import zoneinfo
from datetime import datetime


def utc_offset(moment: datetime) -> str:
    """ "UTC+09:00", "UTC-07:00", "UTC+05:30": the offset of an aware datetime, as shown."""
    offset = moment.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    sign = "-" if minutes < 0 else "+"
    hours, minutes = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{minutes:02d}"


def local_moment(moment: datetime, zone: str) -> datetime:
    return moment.astimezone(zoneinfo.ZoneInfo(zone))


def local_label(moment: datetime, zone: str) -> str:
    """ "2026-11-23 18:00 (UTC+09:00)": a moment in a time zone, for messages."""
    local = local_moment(moment, zone)
    return f"{local:%Y-%m-%d %H:%M} ({utc_offset(local)})"
