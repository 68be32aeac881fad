"""State changes of a mutual visit's trip (issue 15, parts 2–4): its legs and day-by-day
itinerary, the guardian's trip consent for each minor, and each traveller's emergency and
medical information (read by coordinators only through `emergency_info_open`, audited)."""

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from core.policy import require
from exchange.audit import audit
from exchange.models import Application, AuditEntry, EmergencyInfo, Program

EMERGENCY_FIELDS = (
    "contact_1_name",
    "contact_1_relation",
    "contact_1_phone",
    "contact_2_name",
    "contact_2_relation",
    "contact_2_phone",
    "medical_conditions",
    "allergies",
    "medications",
    "dietary_needs",
    "insurer",
    "policy_number",
    "insurance_phone",
)


def _program_city_ids(program: Program) -> list[int]:
    return list(program.program_cities.values_list("city_id", flat=True))


# --- Emergency and medical information (part 3) ---------------------------------------------


@transaction.atomic
def emergency_info_open(*, application: Application, by: User) -> EmergencyInfo | None:
    """A coordinator opens a traveller's emergency information: only the coordinators of the
    program's cities, only inside the window (exchange.view_emergency_info), and every look
    is written to both cities' audit logs. None when the traveller has not given it (nothing
    was seen, so nothing is audited)."""
    require(
        by,
        "exchange.view_emergency_info",
        application,
        message=_(
            "Emergency information is shown only to the program’s coordinators, from shortly "
            "before the traveller departs until they return."
        ),
    )
    info = EmergencyInfo.objects.filter(application=application).first()
    if info is None:
        return None
    audit(
        action=AuditEntry.Action.EMERGENCY_VIEW,
        by=by,
        program_id=application.program_id,
        city_ids=_program_city_ids(application.program),
        application_id=application.pk,
    )
    return info


@transaction.atomic
def emergency_info_save(*, application: Application, by: User, data: dict) -> EmergencyInfo:
    """The traveller gives or corrects their own emergency information."""
    require(
        by,
        "exchange.change_emergency_info",
        application,
        message=_("Only the traveller gives their own emergency information."),
    )
    unknown = set(data) - set(EMERGENCY_FIELDS)
    if unknown:
        raise ValueError(f"unknown emergency information fields {sorted(unknown)}")
    info = EmergencyInfo.objects.select_for_update().filter(application=application).first()
    if info is None:
        info = EmergencyInfo(application=application)
    for name in EMERGENCY_FIELDS:
        setattr(info, name, data.get(name, ""))
    info.full_clean(exclude=["application"])
    info.save()
    return info
