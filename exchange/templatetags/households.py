"""Template helpers for host households."""

from django import template

register = template.Library()


@register.filter
def age_in(member, year: int) -> int:
    """A household member's age in `year` (by year of birth)."""
    return member.age_in(year)


@register.simple_tag(takes_context=True)
def household_card(context, application):
    """What the student's application page shows of households: their own home's status,
    and once the matching is published, the home they will stay in (rule
    exchange.view_household: the published guest)."""
    from django.utils import timezone

    from exchange.selectors.households import household_of, program_placements

    user = context["request"].user
    if application.student_id != user.pk:
        return None
    stay = None
    for placement in program_placements(program=application.program):
        if placement.visitor_id == application.pk and placement.household is not None:
            if user.has_perm("exchange.view_household", placement.household):
                stay = placement.household
            break
    year = timezone.localdate().year
    return {
        "own": household_of(user),
        "own_section": True,
        "stay": stay,
        "members": [
            {"get_relation_display": m.get_relation_display(), "age": m.age_in(year)}
            for m in stay.members.all()
        ]
        if stay
        else [],
    }
