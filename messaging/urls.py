from django.urls import path

from messaging import moderation_views, views

app_name = "messaging"

MODERATION = "coordinate/programs/<int:pk>/moderation/"

urlpatterns = [
    path("chat/", views.rooms, name="rooms"),
    path("chat/<int:room_id>/", views.room, name="room"),
    path("api/chat/rooms/", views.rooms_api, name="rooms_api"),
    path(
        "api/chat/rooms/<int:room_id>/messages/",
        views.room_messages_api,
        name="room_messages_api",
    ),
    # Coordinators: the moderation queue, rooms and log of a program.
    path(MODERATION, moderation_views.moderation, name="moderation"),
    path(MODERATION + "log/", moderation_views.moderation_log, name="moderation_log"),
    path(
        MODERATION + "reports/<int:report_pk>/resolve/",
        moderation_views.moderation_resolve,
        name="moderation_resolve",
    ),
    path(
        MODERATION + "messages/<int:message_pk>/delete/",
        moderation_views.moderation_delete,
        name="moderation_delete",
    ),
    path(
        MODERATION + "rooms/<int:room_pk>/mute/",
        moderation_views.moderation_mute,
        name="moderation_mute",
    ),
    path(
        MODERATION + "rooms/<int:room_pk>/unmute/",
        moderation_views.moderation_unmute,
        name="moderation_unmute",
    ),
    path(
        MODERATION + "rooms/<int:room_pk>/close/",
        moderation_views.moderation_room,
        {"closed": True},
        name="moderation_close",
    ),
    path(
        MODERATION + "rooms/<int:room_pk>/reopen/",
        moderation_views.moderation_room,
        {"closed": False},
        name="moderation_reopen",
    ),
]
