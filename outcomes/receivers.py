"""How outcomes reacts to what the exchange announces (exchange.signals). Each receiver is
connected here, once, and stays thin: it calls a service."""

from django.dispatch import receiver

from exchange.models import Application, Certificate
from exchange.signals import application_state_changed, certificate_extra_pages


@receiver(application_state_changed, dispatch_uid="outcomes.surveys.pre_survey")
def send_pre_survey(sender, application, old_state, new_state, **kwargs) -> None:
    """A confirmed place: the pre-survey (its email goes out after commit)."""
    if new_state == Application.State.CONFIRMED:
        from outcomes.services.surveys import survey_on_application_confirmed

        survey_on_application_confirmed(application=application)


@receiver(certificate_extra_pages, sender=Certificate, dispatch_uid="outcomes.learning_page")
def learning_page(sender, certificate, languages, **kwargs) -> str:
    """The certificate's second page: the learning outcomes, when agreed and confirmed."""
    from outcomes.services.learning import certificate_learning_page

    return certificate_learning_page(certificate=certificate, languages=languages)
