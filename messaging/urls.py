from django.urls import path

from messaging import views

app_name = "messaging"

urlpatterns = [
    path("api/chat/rooms/", views.rooms_api, name="rooms_api"),
    # Coordinators: an online program's live sessions and their attendance.
    path("coordinate/programs/<int:pk>/sessions/", views.program_sessions, name="sessions"),
    path(
        "coordinate/programs/<int:pk>/sessions/<int:session_pk>/",
        views.session_edit,
        name="session_edit",
    ),
    path(
        "coordinate/programs/<int:pk>/sessions/<int:session_pk>/delete/",
        views.session_delete,
        name="session_delete",
    ),
    path(
        "coordinate/programs/<int:pk>/sessions/<int:session_pk>/attendance/<int:application_pk>/",
        views.attendance_correct,
        name="attendance_correct",
    ),
]
