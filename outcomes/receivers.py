"""How outcomes reacts to what the exchange announces (exchange.signals). Each receiver is
connected here, once, and stays thin: it calls a service."""


# --- Learning outcomes (issue 16, reports): the certificate's second page ----------------

from django.dispatch import receiver

from exchange.models import Certificate
from exchange.signals import certificate_extra_pages


@receiver(certificate_extra_pages, sender=Certificate, dispatch_uid="outcomes.learning_page")
def learning_page(sender, certificate, languages, **kwargs) -> str:
    from outcomes.services.learning import certificate_learning_page

    return certificate_learning_page(certificate=certificate, languages=languages)
