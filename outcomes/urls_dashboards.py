"""Pages: dashboards (programs, partnerships, a city's network) and their exports."""

from django.urls import path

from outcomes.views import dashboards

urlpatterns = [
    path("outcomes/", dashboards.home, name="home"),
    path("outcomes/programs/<int:pk>/", dashboards.program, name="program_dashboard"),
    path(
        "outcomes/programs/<int:pk>/export/<slug:key>.<export_format:fmt>",
        dashboards.program_export,
        name="program_export",
    ),
    path("outcomes/partnerships/<int:pk>/", dashboards.partnership, name="partnership_dashboard"),
    path(
        "outcomes/partnerships/<int:pk>/export/<slug:key>.<export_format:fmt>",
        dashboards.partnership_export,
        name="partnership_export",
    ),
    path("outcomes/cities/<slug:slug>/", dashboards.city, name="city_network"),
    path(
        "outcomes/cities/<slug:slug>/export/<slug:key>.<export_format:fmt>",
        dashboards.city_export,
        name="city_export",
    ),
]
