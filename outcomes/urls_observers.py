"""Pages: observers (a city's coordinators name and remove them)."""

from django.urls import path

from outcomes.views import observers

urlpatterns = [
    path(
        "coordinate/cities/<slug:slug>/observers/",
        observers.observer_list,
        name="observer_list",
    ),
    path(
        "coordinate/cities/<slug:slug>/observers/<int:membership_pk>/remove/",
        observers.observer_remove,
        name="observer_remove",
    ),
]
