"""Sending templated email in the recipient's language, with plain-text and HTML parts."""

import zoneinfo
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.utils import timezone, translation


def _plain(name: str, context: dict) -> str:
    """A plain-text template (subject, text part) rendered without HTML escaping: a program
    called "Tomato <Farm>" is written as such, not as "Tomato &lt;Farm&gt;"."""
    return get_template(name).template.render(Context(context, autoescape=False))


def build_templated_email(
    *, to: str, template: str, context: dict, language: str, time_zone: str = ""
) -> EmailMultiAlternatives:
    """Render `<template>_subject.txt`, `_message.txt` and `_message.html` into one message.

    Rendering happens with `language` active so every string is in the recipient's language,
    and with `time_zone` active (their city's) so deadlines are in their local time.
    """
    zone = zoneinfo.ZoneInfo(time_zone) if time_zone else timezone.get_default_timezone()
    with translation.override(language), timezone.override(zone):
        context = {**context, "site_url": settings.SITE_URL}
        subject = _plain(f"{template}_subject.txt", context).strip()
        subject = " ".join(subject.splitlines())
        text = _plain(f"{template}_message.txt", context)
        html = render_to_string(f"{template}_message.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[to])
    message.attach_alternative(html, "text/html")
    return message


def send_templated_email(*, to: str, template: str, context: dict, language: str) -> None:
    build_templated_email(to=to, template=template, context=context, language=language).send()


def send_batch(messages: Iterable[EmailMultiAlternatives]) -> int:
    """Send over one connection, so a released batch of decisions goes out together."""
    messages = list(messages)
    if not messages:
        return 0
    with get_connection() as connection:
        return connection.send_messages(messages)
