"""The core domain's data, one module per part: the network, programs, applications, review,
matching, certificates."""

from exchange.models.applications import (
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
from exchange.models.network import City, Country, Language, LanguageLevel, Partnership, Theme
from exchange.models.programs import Program, ProgramCity
from exchange.models.review import Review, ReviewComment, ReviewScore, RubricCriterion

__all__ = [
    "Application",
    "ApplicationDocument",
    "ApplicationEvent",
    "ApplicationLanguage",
    "AuditEntry",
    "Certificate",
    "CertificateBatch",
    "City",
    "CityBranding",
    "Country",
    "Diet",
    "Language",
    "LanguageLevel",
    "MatchApproval",
    "MatchGroup",
    "MatchLeftover",
    "MatchMember",
    "Matching",
    "Partnership",
    "Program",
    "ProgramCity",
    "Reminder",
    "RequiredDocument",
    "Review",
    "ReviewComment",
    "ReviewScore",
    "RubricCriterion",
    "Theme",
]
