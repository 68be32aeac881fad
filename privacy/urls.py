from django.urls import path

from privacy import views

app_name = "privacy"

urlpatterns = [
    path("me/data/", views.my_data, name="my_data"),
    path("me/data/download/", views.my_data_download, name="my_data_download"),
    path("me/data/delete/", views.my_data_delete, name="my_data_delete"),
    path("guardian-data/<str:token>/", views.guardian_data, name="guardian_data"),
    path(
        "guardian-data/<str:token>/download/",
        views.guardian_data_download,
        name="guardian_data_download",
    ),
    path(
        "guardian-data/<str:token>/delete/", views.guardian_data_delete, name="guardian_data_delete"
    ),
    path("coordinate/data-requests/", views.deletion_queue, name="queue"),
    path("coordinate/data-requests/<int:pk>/decide/", views.deletion_decide, name="decide"),
]
