from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "messaging"
    verbose_name = _("Chat")

    def ready(self) -> None:
        # The chat sits above the exchange: it listens to what the exchange announces and
        # adds its figures to the coordinators' pages; the exchange never imports it.
        from accounts.signals import coordinator_team_changed
        from exchange import signals
        from exchange.selectors.programs import COORDINATOR_PROGRAM_FIGURES
        from messaging import receivers
        from messaging.selectors import open_reports_of_program

        signals.matching_published.connect(receivers.on_matching_published, dispatch_uid="rooms")
        signals.application_state_changed.connect(
            receivers.on_application_state_changed, dispatch_uid="rooms"
        )
        signals.program_cities_changed.connect(
            receivers.on_program_cities_changed, dispatch_uid="rooms"
        )
        coordinator_team_changed.connect(receivers.on_team_changed, dispatch_uid="rooms")
        COORDINATOR_PROGRAM_FIGURES["open_reports"] = open_reports_of_program
