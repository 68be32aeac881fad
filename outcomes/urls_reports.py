"""Pages: reports."""

from django.urls import path

from outcomes.views import reports

urlpatterns = [
    path(
        "outcomes/partnerships/<int:pk>/reports/",
        reports.partnership_reports,
        name="partnership_reports",
    ),
    path(
        "outcomes/partnerships/<int:pk>/reports/request/",
        reports.report_request,
        name="report_request",
    ),
    path("outcomes/reports/<int:pk>/download/", reports.report_download, name="report_download"),
]
