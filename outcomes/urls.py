"""The outcomes' pages, one module per part (each part owns its own)."""

from django.urls import include, path

app_name = "outcomes"

urlpatterns = [
    path("", include("outcomes.urls_dashboards")),
    path("", include("outcomes.urls_surveys")),
    path("", include("outcomes.urls_learning")),
    path("", include("outcomes.urls_plans")),
    path("", include("outcomes.urls_reports")),
    path("", include("outcomes.urls_observers")),
]
