"""How outcomes reacts to what the exchange announces (exchange.signals). Each receiver is
connected here, once, and stays thin: it calls a service."""

# --- Surveys (issue 16, point 1) ---------------------------------------------------------

from django.dispatch import receiver

from exchange.models import Application
from exchange.signals import application_state_changed


@receiver(application_state_changed, dispatch_uid="outcomes.surveys.pre_survey")
def send_pre_survey(sender, application, old_state, new_state, **kwargs) -> None:
    """A confirmed place: the pre-survey (its email goes out after commit)."""
    if new_state == Application.State.CONFIRMED:
        from outcomes.services.surveys import survey_on_application_confirmed

        survey_on_application_confirmed(application=application)
