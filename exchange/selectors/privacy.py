"""The exchange's part of a person's data download: their applications with answers,
history and documents, matching placements, attendance, certificates and the audit
entries about them. Nothing of another student: placements give the group, not its
members; audit entries give what happened, not who else was involved."""

from django.db.models import Q
from django.db.models.fields.files import FieldFile

from accounts.models import User
from exchange.models import (
    Application,
    Attendance,
    AuditEntry,
    Certificate,
    CheckIn,
    EmergencyInfo,
    Household,
    MatchMember,
    TripConsent,
    TripMessageDelivery,
)
from exchange.models.trips import EMERGENCY_FIELDS


def _when(value):
    return value.isoformat() if value else None


def _safe_name(name: str) -> str:
    return "".join(c if c.isalnum() or c in "._-" else "_" for c in name)[-80:] or "file"


def student_data(*, student: User) -> tuple[dict, list[tuple[str, FieldFile]]]:
    """The records as JSON-ready data, and the files to put beside them (name in the ZIP,
    stored file)."""
    files: list[tuple[str, FieldFile]] = []
    applications = []
    queryset = (
        Application.objects.filter(student=student)
        .select_related("program", "city")
        .prefetch_related(
            "interests",
            "practise_languages",
            "languages",
            "events",
            "documents__requirement",
        )
        .order_by("created_at", "id")
    )
    for application in queryset:
        documents = []
        for document in application.documents.all():
            arcname = f"documents/{document.pk}-{_safe_name(document.original_name)}"
            files.append((arcname, document.file))
            documents.append(
                {
                    "requirement": document.requirement.kind,
                    "original_name": document.original_name,
                    "content_type": document.content_type,
                    "size": document.size,
                    "uploaded_at": _when(document.uploaded_at),
                    "file": arcname,
                }
            )
        applications.append(
            {
                "id": application.pk,
                "program": application.program.title,
                "city": application.city.name_en,
                "state": application.state,
                "submitted_at": _when(application.submitted_at),
                "created_at": _when(application.created_at),
                "answers": {
                    "motivation": application.motivation,
                    "availability": application.availability,
                    "interests": sorted(t.slug for t in application.interests.all()),
                    "practise_languages": sorted(
                        language.code for language in application.practise_languages.all()
                    ),
                    "languages": [
                        {"language": spoken.language_id, "level": spoken.level}
                        for spoken in application.languages.all()
                    ],
                    "gender": application.gender,
                    "can_host": application.can_host,
                    "other_children": application.other_children,
                    "household_pets": application.household_pets,
                    "household_smokers": application.household_smokers,
                    "own_room": application.own_room,
                    "diets_offered": application.diets_offered,
                    "pet_allergy": application.pet_allergy,
                    "dietary_needs": application.dietary_needs,
                    "dietary_notes": application.dietary_notes,
                    "medical_needs": application.medical_needs,
                    "passport": application.passport,
                },
                "events": [
                    {
                        "from": event.from_state,
                        "to": event.to_state,
                        "reason": event.reason,
                        "at": _when(event.created_at),
                    }
                    for event in application.events.all()
                ],
                "documents": documents,
            }
        )

    placements = [
        {
            "application": member.application_id,
            "program": member.matching.program.title,
            "group": member.group.number,
            "kind": member.group.kind,
            "role": member.role,
            "published": member.matching.status == "published",
        }
        for member in MatchMember.objects.filter(application__student=student)
        .select_related("group", "matching__program")
        .order_by("application_id")
    ]
    attendance = [
        {
            "application": row.application_id,
            "session": row.session.title,
            "starts_at": _when(row.session.starts_at),
            "ends_at": _when(row.session.ends_at),
            "seconds_present": row.seconds_present,
            "attended": row.counts(row.session),
        }
        for row in Attendance.objects.filter(application__student=student)
        .select_related("session")
        .order_by("session__starts_at", "id")
    ]
    certificates = []
    for certificate in (
        Certificate.objects.filter(application__student=student)
        .select_related("application__program")
        .order_by("issued_at", "id")
    ):
        entry = {
            "serial": certificate.serial,
            "program": certificate.application.program.title,
            "issued_at": _when(certificate.issued_at),
            "revoked_at": _when(certificate.revoked_at),
            "file": None,
        }
        if certificate.pdf:
            entry["file"] = f"certificates/{_safe_name(certificate.serial)}.pdf"
            files.append((entry["file"], certificate.pdf))
        certificates.append(entry)

    # An entry is written once per city that sees it: the person sees each event once.
    seen = set()
    audit_entries = []
    for entry in (
        AuditEntry.objects.filter(Q(application__student=student) | Q(subject=student))
        .select_related("program")
        .order_by("created_at", "id")
    ):
        key = (entry.action, entry.created_at, entry.detail, entry.program_id)
        if key in seen:
            continue
        seen.add(key)
        audit_entries.append(
            {
                "action": entry.action,
                "program": entry.program.title if entry.program_id else None,
                "application": entry.application_id,
                "by_you": entry.actor_id == student.pk,
                "detail": entry.detail,
                "at": _when(entry.created_at),
            }
        )
    data = {
        "applications": applications,
        **_trip_data(student),
        "matching_placements": placements,
        "attendance": attendance,
        "certificates": certificates,
        "audit_entries": audit_entries,
    }
    return data, files


def _household(student: User) -> dict | None:
    """The family home as the family described it, with its status. The host city's
    screening notes and the adults' background checks are about those adults, not the
    student: they stay with the city (docs/decisions.md, *Duty of care*)."""
    household = (
        Household.objects.filter(student=student)
        .select_related("city")
        .prefetch_related("members", "languages")
        .first()
    )
    if household is None:
        return None
    return {
        "city": household.city.name_en,
        "family_name": household.family_name,
        "district": household.district,
        "address": household.address,
        "phone": household.phone,
        "guest_rooms": household.guest_rooms,
        "guest_beds": household.guest_beds,
        "own_room": household.own_room,
        "pets": household.pets,
        "smoking": household.smoking,
        "diets_offered": household.diets_offered,
        "languages": sorted(language.code for language in household.languages.all()),
        "members": [
            {
                "name": member.name,
                "relation": member.relation,
                "birth_year": member.birth_year,
                "phone": member.phone,
            }
            for member in household.members.all()
        ],
        "status": household.status,
        "approved_on": _when(household.approved_on),
        "approved_until": _when(household.approved_until),
    }


def _trip_data(student: User) -> dict:
    emergency = [
        {"application": info.application_id, **{f: getattr(info, f) for f in EMERGENCY_FIELDS}}
        for info in EmergencyInfo.objects.filter(application__student=student).order_by("pk")
    ]
    consents = [
        {
            "application": consent.application_id,
            "guardian_email": consent.guardian_email,
            "guardian_name": consent.guardian_name,
            "status": consent.status,
            "requested_at": _when(consent.requested_at),
            "signed_at": _when(consent.signed_at),
            "withdrawn_at": _when(consent.withdrawn_at),
        }
        for consent in TripConsent.objects.filter(application__student=student).order_by("pk")
    ]
    check_ins = [
        {
            "application": check_in.application_id,
            "evening": _when(check_in.evening),
            "answer": check_in.answer,
            "answered_at": _when(check_in.answered_at),
        }
        for check_in in CheckIn.objects.filter(application__student=student)
    ]
    messages = [
        {
            "program": delivery.message.program.title,
            "subject": delivery.message.subject,
            "body": delivery.message.body,
            "sent_at": _when(delivery.message.created_at),
            "read_at": _when(delivery.read_at),
        }
        for delivery in TripMessageDelivery.objects.filter(recipient=student)
        .select_related("message__program")
        .order_by("message__created_at", "pk")
    ]
    return {
        "household": _household(student),
        "emergency_information": emergency,
        "trip_consents": consents,
        "check_ins": check_ins,
        "messages_to_travellers": messages,
    }
