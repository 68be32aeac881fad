"""The exchange's data, one module per part: programs, applications, review, matching,
certificates, host households and trips. Cities, languages and themes are the shared
vocabulary in `core.models`."""

from exchange.models.applications import (
    PARTICIPATING,
    Application,
    ApplicationDocument,
    ApplicationEvent,
    ApplicationLanguage,
    AuditEntry,
    Diet,
    Reminder,
    RequiredDocument,
)
from exchange.models.certificates import Certificate, CertificateBatch, CityBranding
from exchange.models.households import (
    BackupHousehold,
    CityCarePolicy,
    Household,
    HouseholdMember,
    HouseholdScreening,
)
from exchange.models.matching import (
    MatchApproval,
    MatchGroup,
    Matching,
    MatchLeftover,
    MatchMember,
)
from exchange.models.programs import Program, ProgramCity
from exchange.models.review import Review, ReviewComment, ReviewScore, RubricCriterion
from exchange.models.sessions import Attendance, LiveSession
from exchange.models.trips import (
    CheckIn,
    EmergencyInfo,
    HouseholdVisit,
    Incident,
    IncidentUpdate,
    ItineraryItem,
    TripConsent,
    TripMessage,
    TripMessageDelivery,
    TripSheetBatch,
    VisitLeg,
)

__all__ = [
    "PARTICIPATING",
    "Application",
    "ApplicationDocument",
    "ApplicationEvent",
    "ApplicationLanguage",
    "Attendance",
    "AuditEntry",
    "BackupHousehold",
    "Certificate",
    "CertificateBatch",
    "CheckIn",
    "CityBranding",
    "CityCarePolicy",
    "Diet",
    "EmergencyInfo",
    "Household",
    "HouseholdMember",
    "HouseholdScreening",
    "HouseholdVisit",
    "Incident",
    "IncidentUpdate",
    "ItineraryItem",
    "LiveSession",
    "MatchApproval",
    "MatchGroup",
    "MatchLeftover",
    "MatchMember",
    "Matching",
    "Program",
    "ProgramCity",
    "Reminder",
    "RequiredDocument",
    "Review",
    "ReviewComment",
    "ReviewScore",
    "RubricCriterion",
    "TripConsent",
    "TripMessage",
    "TripMessageDelivery",
    "TripSheetBatch",
    "VisitLeg",
]
