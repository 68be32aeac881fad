"""Local emergency numbers by country, printed on trip sheets (issue 15).

Checked against each country's official numbers: South Korea police 112, fire and ambulance
119; China police 110, fire 119, ambulance 120; Vietnam police 113, fire 114, ambulance 115;
Japan police 110, fire and ambulance 119; United States 911 for all three. Numbers are dialled
from any phone, a mobile without a SIM card included in most of them.
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core.models import Country

POLICE = _("Police")
FIRE = _("Fire")
AMBULANCE = _("Ambulance")
FIRE_AND_AMBULANCE = _("Fire and ambulance")
EVERY_EMERGENCY = _("Police, fire and ambulance")


@dataclass(frozen=True)
class EmergencyNumber:
    service: Promise  # translated when printed
    number: str


EMERGENCY_NUMBERS: dict[str, tuple[EmergencyNumber, ...]] = {
    Country.KOREA: (EmergencyNumber(POLICE, "112"), EmergencyNumber(FIRE_AND_AMBULANCE, "119")),
    Country.CHINA: (
        EmergencyNumber(POLICE, "110"),
        EmergencyNumber(AMBULANCE, "120"),
        EmergencyNumber(FIRE, "119"),
    ),
    Country.VIETNAM: (
        EmergencyNumber(POLICE, "113"),
        EmergencyNumber(FIRE, "114"),
        EmergencyNumber(AMBULANCE, "115"),
    ),
    Country.JAPAN: (EmergencyNumber(POLICE, "110"), EmergencyNumber(FIRE_AND_AMBULANCE, "119")),
    Country.USA: (EmergencyNumber(EVERY_EMERGENCY, "911"),),
}


def emergency_numbers(country: str) -> tuple[EmergencyNumber, ...]:
    """The country's numbers; () for a country the portal has no numbers for."""
    return EMERGENCY_NUMBERS.get(country, ())
