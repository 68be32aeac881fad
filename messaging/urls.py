from django.urls import path

from messaging import views

app_name = "messaging"

urlpatterns = [
    path("api/chat/rooms/", views.rooms_api, name="rooms_api"),
]
