from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView

from exchange import views

app_patterns = (
    [
        path("cities/", views.city_list, name="city_list"),
        path("cities/<slug:slug>/", views.city_detail, name="city_detail"),
        path("programs/", views.program_list, name="program_list"),
        path("programs/new/", views.program_create, name="program_create"),
        path("programs/<int:pk>/", views.program_detail, name="program_detail"),
        path("programs/<int:pk>/edit/", views.program_edit, name="program_edit"),
        path("programs/<int:pk>/status/", views.program_status, name="program_status"),
        path("coordinate/", views.coordinator_dashboard, name="coordinator_dashboard"),
    ],
    "exchange",
)

urlpatterns = [
    path("", views.home, name="home"),
    path("", include(app_patterns)),
    path("me/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path(
        "robots.txt",
        TemplateView.as_view(template_name="robots.txt", content_type="text/plain"),
    ),
]
