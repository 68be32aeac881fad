"""Dashboards: thin doors into outcomes.selectors.dashboards."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from rules.contrib.views import permission_required


@login_required
@permission_required("outcomes.view_outcomes", raise_exception=True)
def home(request):
    """The outcomes of the cities the user coordinates or observes."""
    return render(request, "outcomes/dashboards/home.html", {})
