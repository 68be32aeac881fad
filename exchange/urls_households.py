"""URLs of the duty-of-care part: households (issue 15). Included in the exchange namespace."""

from django.urls import path

from exchange.views import households

urlpatterns: list = [
    path("me/household/", households.my_household, name="my_household"),
    path("me/household/submit/", households.my_household_submit, name="my_household_submit"),
    path(
        "me/household/guardian-link/",
        households.my_household_guardian_link,
        name="my_household_guardian_link",
    ),
    path(
        "household/guardian/<str:token>/",
        households.household_guardian,
        name="household_guardian",
    ),
    path("coordinate/households/", households.household_list, name="household_list"),
    path("coordinate/households/<int:pk>/", households.household_detail, name="household_detail"),
    path(
        "coordinate/households/<int:pk>/approve/",
        households.household_approve,
        name="household_approve",
    ),
    path(
        "coordinate/households/<int:pk>/refuse/",
        households.household_refuse,
        name="household_refuse",
    ),
    path("coordinate/cities/<int:pk>/care-policy/", households.care_policy, name="care_policy"),
    path(
        "coordinate/programs/<int:pk>/matching/groups/<int:group_pk>/backup/<int:visitor_pk>/",
        households.backup_name,
        name="backup_name",
    ),
]
