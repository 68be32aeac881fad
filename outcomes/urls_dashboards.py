"""Pages: dashboards (programs, partnerships, a city's network) and their exports."""

from django.urls import path

from outcomes.views import dashboards

urlpatterns = [
    path("outcomes/", dashboards.home, name="home"),
]
