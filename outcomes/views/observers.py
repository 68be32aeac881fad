"""Observers: a city's coordinators name and remove them (outcomes.services.observers)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from rules.contrib.views import permission_required

from accounts.models import ObserverMembership
from core.forms import add_validation_error
from core.models import City
from outcomes.forms_observers import ObserverAddForm
from outcomes.selectors.observers import city_observers
from outcomes.services import observers as services


def _city(request, slug: str, **_other) -> City | None:
    return City.objects.filter(slug=slug).first()


@login_required
@permission_required("outcomes.manage_observers", fn=_city, raise_exception=True)
def observer_list(request, slug: str):
    city = _city(request, slug)
    form = ObserverAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.observer_add(
                city=city, email=form.cleaned_data["email"], by=request.user
            )
        except ValidationError as error:
            add_validation_error(form, error)
        else:
            messages.success(
                request,
                _("%(person)s now observes %(city)s.")
                % {"person": membership.user.display_name, "city": city},
            )
            return redirect("outcomes:observer_list", slug=city.slug)
    return render(
        request,
        "outcomes/observers/list.html",
        {"city": city, "form": form, "memberships": city_observers(city=city)},
    )


@require_POST
@login_required
@permission_required("outcomes.manage_observers", fn=_city, raise_exception=True)
def observer_remove(request, slug: str, membership_pk: int):
    city = _city(request, slug)
    membership = get_object_or_404(ObserverMembership, pk=membership_pk, city=city)
    person = membership.user.display_name
    services.observer_remove(membership=membership, by=request.user)
    messages.success(
        request, _("%(person)s no longer observes %(city)s.") % {"person": person, "city": city}
    )
    return redirect("outcomes:observer_list", slug=city.slug)
