"""What accounts announces to the apps above it. Sent inside the transaction of the change."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import Signal, receiver

from accounts.models import CoordinatorMembership
from core.memo import forget

# A city's coordinator team changed (someone joined or left), by any path: the service, the
# admin or the ORM. Sent with `city_id` and `user_id`. The chat rechecks open sockets.
coordinator_team_changed = Signal()


@receiver(post_save, sender=CoordinatorMembership, dispatch_uid="team_joined")
@receiver(post_delete, sender=CoordinatorMembership, dispatch_uid="team_left")
def _announce_team_change(sender, instance: CoordinatorMembership, **_kwargs) -> None:
    forget()
    coordinator_team_changed.send(
        sender=CoordinatorMembership, city_id=instance.city_id, user_id=instance.user_id
    )
