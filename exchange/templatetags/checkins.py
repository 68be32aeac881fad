"""The traveller's evening check-in on their application page (issue 15, sheets)."""

from django import template

from exchange.selectors.checkins import check_in_for_card

register = template.Library()


@register.simple_tag
def check_in_for(application):
    """The check-in to show on the application's page, or None."""
    return check_in_for_card(application=application)
