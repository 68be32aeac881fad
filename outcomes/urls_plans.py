"""Pages: plans (a partnership's working groups, their action plans and indicators)."""

from django.urls import path

from outcomes.views import plans

urlpatterns = [
    path("outcomes/partnerships/<int:pk>/groups/", plans.groups, name="groups"),
    path("outcomes/groups/<int:pk>/", plans.plan, name="plan"),
    path("outcomes/groups/<int:pk>/settings/", plans.group_settings, name="group_settings"),
    path("outcomes/groups/<int:pk>/activities/new/", plans.activity_new, name="activity_new"),
    path("outcomes/activities/<int:pk>/", plans.activity, name="activity"),
    path("outcomes/groups/<int:pk>/indicators/new/", plans.indicator_new, name="indicator_new"),
    path("outcomes/indicators/<int:pk>/", plans.indicator, name="indicator"),
]
