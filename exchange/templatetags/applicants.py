"""`{% applicant application %}`: an applicant's name as the signed-in viewer may see it."""

from django import template

from exchange.redaction import applicant_html

register = template.Library()


@register.simple_tag(takes_context=True)
def applicant(context, application):
    return applicant_html(context["request"].user, application)
