from django.urls import path

from messaging import views

app_name = "messaging"

urlpatterns = [
    path("chat/", views.rooms, name="rooms"),
    path("chat/<int:room_id>/", views.room, name="room"),
    path("api/chat/rooms/", views.rooms_api, name="rooms_api"),
    path(
        "api/chat/rooms/<int:room_id>/messages/",
        views.room_messages_api,
        name="room_messages_api",
    ),
]
