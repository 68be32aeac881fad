"""URLs of the duty-of-care part: checkins (issue 15). Included in the exchange namespace."""

from django.urls import path

from exchange.views import checkins

urlpatterns: list = [
    path("coordinate/programs/<int:pk>/check-ins/", checkins.check_ins, name="check_ins"),
    path("me/check-ins/<int:pk>/", checkins.check_in_answer, name="check_in_answer"),
]
