from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("consent/", views.consent, name="consent"),
    path("guardian/<str:token>/", views.guardian_consent, name="guardian_consent"),
    path("guardian/<str:token>/withdraw/", views.guardian_withdraw, name="guardian_withdraw"),
    path("language/", views.set_language, name="set_language"),
]
