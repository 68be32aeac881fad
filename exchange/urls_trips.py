"""URLs of the duty-of-care part: trips (issue 15). Included in the exchange namespace."""

from django.urls import path

from exchange.views import trips

urlpatterns: list = [
    # Coordinators of either city: the Trip page, its legs and itinerary.
    path("coordinate/programs/<int:pk>/trip/", trips.trip, name="trip"),
    path(
        "coordinate/programs/<int:pk>/trip/legs/<int:city_pk>/",
        trips.leg_edit,
        name="trip_leg_edit",
    ),
    path(
        "coordinate/programs/<int:pk>/trip/legs/<int:leg_pk>/items/new/",
        trips.item_add,
        name="trip_item_add",
    ),
    path(
        "coordinate/programs/<int:pk>/trip/items/<int:item_pk>/",
        trips.item_edit,
        name="trip_item_edit",
    ),
    path(
        "coordinate/programs/<int:pk>/trip/items/<int:item_pk>/delete/",
        trips.item_delete,
        name="trip_item_delete",
    ),
    path(
        "coordinate/applications/<int:pk>/emergency/",
        trips.emergency_view,
        name="trip_emergency_view",
    ),
    path(
        "coordinate/applications/<int:pk>/trip-consent/resend/",
        trips.consent_resend,
        name="trip_consent_resend",
    ),
    # The traveller.
    path("me/applications/<int:pk>/trip/", trips.my_trip, name="my_trip"),
    path(
        "me/applications/<int:pk>/trip/guardian/",
        trips.my_trip_guardian,
        name="my_trip_guardian",
    ),
    path("me/applications/<int:pk>/trip/resend/", trips.my_trip_resend, name="my_trip_resend"),
    path("me/applications/<int:pk>/emergency/", trips.my_emergency, name="my_emergency"),
    # The guardian: signed links, no account.
    path("trip-consent/<str:token>/", trips.trip_consent, name="trip_consent"),
    path(
        "trip-consent/withdraw/<str:token>/",
        trips.trip_consent_withdraw,
        name="trip_consent_withdraw",
    ),
]
