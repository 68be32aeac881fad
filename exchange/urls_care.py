"""URLs of the duty-of-care part: care (issue 15). Included in the exchange namespace."""

from django.urls import path

from exchange.views import care

P = "coordinate/programs/<int:pk>/"

urlpatterns: list = [
    path(P + "locator/", care.locator, name="care_locator"),
    path(P + "locator/message/", care.message_compose, name="care_message_compose"),
    path(P + "trip-messages/", care.message_list, name="care_messages"),
    path(P + "trip-messages/<int:message_pk>/", care.message_detail, name="care_message"),
    path(P + "household-visits/", care.household_visit_legs, name="care_household_visit_legs"),
    path(
        P + "legs/<int:leg_pk>/household-visits/",
        care.household_visits,
        name="care_household_visits",
    ),
    path(P + "incidents/", care.incident_list, name="care_incidents"),
    path(P + "incidents/new/", care.incident_create, name="care_incident_create"),
    path(P + "incidents/export.csv", care.incident_export, name="care_incident_export"),
    path(P + "incidents/<int:incident_pk>/", care.incident_detail, name="care_incident"),
    path(
        P + "incidents/<int:incident_pk>/close/",
        care.incident_status,
        {"action": "close"},
        name="care_incident_close",
    ),
    path(
        P + "incidents/<int:incident_pk>/reopen/",
        care.incident_status,
        {"action": "reopen"},
        name="care_incident_reopen",
    ),
    path(
        P + "incidents/<int:incident_pk>/guardians/",
        care.incident_guardians,
        name="care_incident_guardians",
    ),
    path("me/applications/<int:pk>/trip-messages/", care.my_messages, name="care_my_messages"),
    path(
        "me/applications/<int:pk>/trip-messages/<int:delivery_pk>/read/",
        care.my_message_read,
        name="care_my_message_read",
    ),
]
