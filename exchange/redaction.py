"""What a viewer may see of an applicant: every page, export and log that shows one asks here.

Whether an application is blind for someone is decided by `exchange.rules.is_blind_for`; this
module only turns that answer into what is shown. Under blind review the applicant is the
application's anonymous label ("Applicant #12") everywhere: as the row of a list, as the
actor of a history event or an audit entry, and in exports (name, school and email empty).
"""

from dataclasses import dataclass

from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from accounts.models import User
from exchange.models import Application
from exchange.rules import is_blind_for


@dataclass(frozen=True)
class Applicant:
    blind: bool
    label: str  # the name to show in running text: display name, or the anonymous label
    native_name: str
    latin_name: str
    school: str
    email: str


def anonymous_label(application: Application) -> str:
    return _("Applicant #%(number)s") % {"number": application.pk}


def applicant_for(viewer: User, application: Application) -> Applicant:
    if is_blind_for(viewer, application):
        return Applicant(
            blind=True,
            label=anonymous_label(application),
            native_name="",
            latin_name="",
            school="",
            email="",
        )
    student = application.student
    return Applicant(
        blind=False,
        label=student.display_name,
        native_name=student.native_name,
        latin_name=student.latin_name,
        school=student.school,
        email=student.email,
    )


def applicant_html(viewer: User, application: Application) -> SafeString:
    """The name in native script with the Latin form beside it, or the anonymous label."""
    applicant = applicant_for(viewer, application)
    if applicant.blind:
        return format_html("{}", applicant.label)
    return format_html(
        '{} <span class="latin">{}</span>', applicant.native_name, applicant.latin_name
    )


def actor_name(viewer: User, actor: User | None, application: Application | None) -> str:
    """Who did something to `application`: the applicant under blind review is its label.
    "" for the portal itself (no actor)."""
    if actor is None:
        return ""
    if (
        application is not None
        and actor.pk == application.student_id
        and is_blind_for(viewer, application)
    ):
        return anonymous_label(application)
    return actor.display_name
