"""The exchange's data, one module per part: programs, applications, review, matching,
certificates. Cities, languages and themes are the shared vocabulary in `core.models`."""

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

__all__ = [
    "PARTICIPATING",
    "Application",
    "ApplicationDocument",
    "ApplicationEvent",
    "ApplicationLanguage",
    "Attendance",
    "AuditEntry",
    "Certificate",
    "CertificateBatch",
    "CityBranding",
    "Diet",
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
]
