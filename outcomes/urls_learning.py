"""Pages: learning."""

from django.urls import path

from outcomes.views import learning

urlpatterns = [
    path(
        "me/applications/<int:pk>/learning/",
        learning.learning_outcome,
        name="learning_outcome",
    ),
    path(
        "coordinate/programs/<int:pk>/learning/",
        learning.program_learning,
        name="program_learning",
    ),
    path(
        "coordinate/applications/<int:pk>/learning/confirm/",
        learning.learning_confirm,
        name="learning_confirm",
    ),
]
