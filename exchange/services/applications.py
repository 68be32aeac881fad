"""State changes for applications.

`set_application_state` performs every transition: it checks the move is allowed, writes the
audit entry and sends the email after commit. The other functions here are the doors students
and coordinators use (start, save, submit, confirm, stage and release decisions...); each one
validates, then calls it.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import User
from accounts.selectors import consent_is_given
from core.mail import build_templated_email, send_batch
from core.models import Language, Theme
from exchange.audit import audit
from exchange.models import (
    Application,
    ApplicationDocument,
    ApplicationEvent,
    ApplicationLanguage,
    AuditEntry,
    Diet,
    Program,
    ProgramCity,
    Reminder,
    RequiredDocument,
)
from exchange.services.certificates import (
    attendance_shortfall,
    attendance_shortfall_error,
    certificate_issue_on_completion,
)
from exchange.signals import application_state_changed
from exchange.uploads import clean_upload

State = Application.State

APPLICATION_TRANSITIONS: dict[str, set[str]] = {
    State.DRAFT: {State.SUBMITTED, State.WITHDRAWN},
    State.SUBMITTED: {State.UNDER_REVIEW, State.WITHDRAWN},
    State.UNDER_REVIEW: {State.ACCEPTED, State.WAITLISTED, State.REJECTED, State.WITHDRAWN},
    State.WAITLISTED: {State.ACCEPTED, State.REJECTED, State.WITHDRAWN},
    State.ACCEPTED: {State.CONFIRMED, State.DECLINED, State.WITHDRAWN},
    State.CONFIRMED: {State.COMPLETED, State.WITHDRAWN},
    State.REJECTED: set(),
    State.DECLINED: set(),
    State.COMPLETED: set(),
    State.WITHDRAWN: set(),
}
# States that take one of the city's places.
HOLDS_PLACE = {State.ACCEPTED, State.CONFIRMED, State.COMPLETED}
# States the student is told about by email (a confirmed place too: issue 14).
NOTIFY_STATES = {
    State.SUBMITTED,
    State.ACCEPTED,
    State.WAITLISTED,
    State.REJECTED,
    State.CONFIRMED,
}
# Decisions a coordinator can prepare, and the states they can be prepared from.
DECISIONS = {State.ACCEPTED, State.WAITLISTED, State.REJECTED}
DECIDABLE = {State.SUBMITTED, State.UNDER_REVIEW, State.WAITLISTED}

MOTIVATION_MIN = 50
MOTIVATION_MAX = 2000
AVAILABILITY_MAX = 1000

OFFER_REASON = gettext_noop("A place became free.")
EXPIRED_REASON = gettext_noop("The confirmation deadline passed.")


def _lock_program_city(application: Application) -> ProgramCity:
    # Every change to who holds a city's places locks that city's row first, so two
    # coordinators deciding at the same moment are serialised and can't over-fill the quota.
    return (
        ProgramCity.objects.select_for_update()
        .select_related("city")
        .get(program_id=application.program_id, city_id=application.city_id)
    )


def _places_taken(program_city: ProgramCity) -> int:
    return Application.objects.filter(
        program_id=program_city.program_id, city_id=program_city.city_id, state__in=HOLDS_PLACE
    ).count()


def _state_label(state: str) -> str:
    return str(State(state).label) if state in State.values else state


def set_application_state(
    application: Application, new_state: str, *, by: User | None, reason: str = ""
) -> Application:
    """Perform one transition: check it, write it and its audit entry, notify after commit.

    When a place is given up, the city's next waitlisted applicant is offered it.
    """
    return _transition(application, new_state, by=by, reason=reason, notify=True).application


@transaction.atomic
def _transition(
    application: Application, new_state: str, *, by: User | None, reason: str, notify: bool
) -> ApplicationEvent:
    # `notify=False` is for releasing decisions, which emails the whole batch itself.
    application = Application.objects.select_for_update().get(pk=application.pk)
    old_state = application.state
    if new_state not in APPLICATION_TRANSITIONS[old_state]:
        raise ValidationError(
            _("An application can’t go from “%(old)s” to “%(new)s”.")
            % {"old": _state_label(old_state), "new": _state_label(new_state)},
            code="illegal_transition",
        )
    program_city = None
    if (new_state in HOLDS_PLACE) != (old_state in HOLDS_PLACE):
        program_city = _lock_program_city(application)
        if new_state in HOLDS_PLACE and _places_taken(program_city) >= program_city.quota:
            raise ValidationError(
                _("%(city)s has no free place left (places: %(quota)d).")
                % {"quota": program_city.quota, "city": program_city.city.name_en},
                code="quota_full",
            )
    application.state = new_state
    fields = ["state", "updated_at"]
    if new_state == State.ACCEPTED:
        application.confirm_by = timezone.now() + timedelta(days=settings.APPLICATION_CONFIRM_DAYS)
        fields.append("confirm_by")
    if new_state == State.SUBMITTED:
        application.submitted_at = timezone.now()
        fields.append("submitted_at")
    if application.staged_decision:
        application.staged_decision = ""
        application.staged_by = None
        fields += ["staged_decision", "staged_by"]
    application.save(update_fields=fields)
    event = ApplicationEvent.objects.create(
        application=application, actor=by, from_state=old_state, to_state=new_state, reason=reason
    )
    application_state_changed.send(
        sender=Application, application=application, old_state=old_state, new_state=new_state
    )
    if notify and new_state in NOTIFY_STATES:
        _notify_after_commit([event.pk])
    if new_state == State.COMPLETED:
        # Completing a program earns the certificate: issued in this transaction, so a
        # completion never exists without it; its PDF is rendered by a task after commit.
        certificate_issue_on_completion(application=application, by=by)
    if program_city is not None and old_state in HOLDS_PLACE:
        _offer_next_waitlisted(program_city)
    return event


def _notify_after_commit(event_ids: list[int]) -> None:
    from exchange.tasks import notify_application_events

    transaction.on_commit(lambda: notify_application_events.delay(event_ids))


def _offer_next_waitlisted(program_city: ProgramCity) -> Application | None:
    """Offer a freed place to the city's longest-waiting waitlisted applicant."""
    candidate = (
        Application.objects.filter(
            program_id=program_city.program_id,
            city_id=program_city.city_id,
            state=State.WAITLISTED,
        )
        .order_by("updated_at", "id")
        .first()
    )
    if candidate is None:
        return None
    return set_application_state(candidate, State.ACCEPTED, by=None, reason=OFFER_REASON)


# --- Students ----------------------------------------------------------------------------


def _check_window(program: Program) -> None:
    now = timezone.now()
    if program.status != Program.Status.OPEN or not (
        program.applications_open <= now < program.applications_close
    ):
        raise ValidationError(
            _("This program is not taking applications now."), code="window_closed"
        )


def _check_eligible(program: Program, student: User) -> None:
    if not student.profile_is_complete:
        raise ValidationError(
            _("Complete your profile (names, date of birth and home city) before applying."),
            code="profile_incomplete",
        )
    if not program.program_cities.filter(city_id=student.home_city_id).exists():
        raise ValidationError(
            _("This program is for residents of its cities, and your home city is not one."),
            code="not_resident",
        )
    age = student.age(on=program.starts_on)
    if not program.min_age <= age <= program.max_age:
        raise ValidationError(
            _("You will be %(age)d when the program starts; it is for ages %(min)d to %(max)d.")
            % {"age": age, "min": program.min_age, "max": program.max_age},
            code="age",
        )


@transaction.atomic
def application_start(*, program: Program, student: User) -> Application:
    """Open a draft, filled in from the student's profile. Drafts stay private."""
    _check_window(program)
    _check_eligible(program, student)
    if Application.objects.filter(program=program, student=student).exists():
        raise ValidationError(
            _("You have already applied to this program."), code="already_applied"
        )
    try:
        with transaction.atomic():
            application = Application.objects.create(
                program=program, student=student, city_id=student.home_city_id
            )
    except IntegrityError as error:  # a double click racing the check above
        raise ValidationError(
            _("You have already applied to this program."), code="already_applied"
        ) from error
    application.interests.set(student.interests.all())
    ApplicationLanguage.objects.bulk_create(
        ApplicationLanguage(application=application, language_id=s.language_id, level=s.level)
        for s in student.spoken_languages.all()
    )
    return application


@dataclass(frozen=True)
class ApplicationAnswers:
    motivation: str
    availability: str
    languages: list[tuple[Language, int]]
    practise_languages: list[Language]
    interests: list[Theme]
    # Mutual visits only; None where the question was not asked.
    gender: str = ""
    can_host: bool | None = None
    other_children: int | None = None
    household_pets: bool | None = None
    household_smokers: bool | None = None
    own_room: bool | None = None
    diets_offered: tuple[str, ...] = ()
    pet_allergy: bool = False
    dietary_needs: tuple[str, ...] = ()
    dietary_notes: str = ""
    medical_needs: str = ""
    passport: str = ""


def _validate_answers(answers: ApplicationAnswers) -> None:
    errors: dict[str, list[str]] = {}
    if len(answers.motivation) > MOTIVATION_MAX:
        errors["motivation"] = [
            _("Keep your motivation under %(max)d characters.") % {"max": MOTIVATION_MAX}
        ]
    if len(answers.availability) > AVAILABILITY_MAX:
        errors["availability"] = [
            _("Keep this under %(max)d characters.") % {"max": AVAILABILITY_MAX}
        ]
    unknown = set(answers.dietary_needs) | set(answers.diets_offered)
    if unknown - set(Diet.values):
        errors["dietary_needs"] = [_("Choose dietary needs from the list.")]
    if any(not 1 <= level <= 4 for _language, level in answers.languages):
        errors["languages"] = [_("Choose a level for each language.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def application_save(
    *, application: Application, answers: ApplicationAnswers, by: User
) -> Application:
    """Save the student's answers. Only drafts change: a submitted application is final."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.state != State.DRAFT:
        raise ValidationError(
            _("This application was submitted and can no longer be changed."), code="not_draft"
        )
    _validate_answers(answers)
    for field in (
        "motivation",
        "availability",
        "gender",
        "pet_allergy",
        "dietary_notes",
        "medical_needs",
        "passport",
    ):
        setattr(application, field, getattr(answers, field))
    application.dietary_needs = sorted(set(answers.dietary_needs))
    application.save()
    application.interests.set(answers.interests)
    application.practise_languages.set(answers.practise_languages)
    ApplicationLanguage.objects.filter(application=application).delete()
    ApplicationLanguage.objects.bulk_create(
        ApplicationLanguage(application=application, language=language, level=level)
        for language, level in answers.languages
    )
    return application


def application_missing(application: Application) -> list[str]:
    """Everything that stands between this application and submitting it, in plain words."""
    missing: list[str] = []
    student = application.student
    if student.needs_guardian_consent and not consent_is_given(student=student):
        missing.append(_("Your guardian’s consent (ask for it on your consent page)."))
    if len(application.motivation.strip()) < MOTIVATION_MIN:
        missing.append(_("Your motivation: at least %(min)d characters.") % {"min": MOTIVATION_MIN})
    if not application.languages.all():
        missing.append(_("At least one language you speak, with your level."))
    if application.is_visit:
        if not application.gender:
            missing.append(_("Your gender, for matching homestays."))
        if not application.passport:
            missing.append(_("Your passport status."))
    uploaded = {document.requirement_id for document in application.documents.all()}
    for requirement in application.program.required_documents.all():
        if requirement.pk not in uploaded:
            missing.append(_("Document: %(document)s.") % {"document": requirement})
    return missing


@transaction.atomic
def application_submit(*, application: Application, by: User) -> Application:
    application = Application.objects.select_related("program", "student__home_city").get(
        pk=application.pk
    )
    _check_window(application.program)
    _check_eligible(application.program, application.student)
    missing = application_missing(application)
    if missing:
        raise ValidationError(
            [_("Before you can submit, add what is missing:"), *missing], code="incomplete"
        )
    return set_application_state(application, State.SUBMITTED, by=by)


@transaction.atomic
def application_withdraw(*, application: Application, by: User, reason: str = "") -> Application:
    return set_application_state(application, State.WITHDRAWN, by=by, reason=reason)


@transaction.atomic
def application_confirm(*, application: Application, by: User) -> Application:
    """The student takes the offered place, before the deadline."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    if (
        application.state == State.ACCEPTED
        and application.confirm_by
        and application.confirm_by <= timezone.now()
    ):
        raise ValidationError(
            _("The deadline to confirm this place has passed."), code="deadline_passed"
        )
    return set_application_state(application, State.CONFIRMED, by=by)


@transaction.atomic
def application_decline(*, application: Application, by: User) -> Application:
    return set_application_state(application, State.DECLINED, by=by)


@transaction.atomic
def application_complete(*, application: Application, by: User) -> Application:
    """A confirmed participant took part: possible once the program's last day has come, and
    in an online program once they attended enough of its live sessions."""
    application = Application.objects.select_related("program", "student").get(pk=application.pk)
    if timezone.localdate() < application.program.ends_on:
        raise ValidationError(
            _("The program ends on %(day)s: mark participants completed from then on.")
            % {"day": application.program.ends_on.isoformat()},
            code="too_early",
        )
    shortfall = attendance_shortfall(application)
    if shortfall is not None:
        raise attendance_shortfall_error(application, shortfall)
    return set_application_state(application, State.COMPLETED, by=by)


# --- Documents ---------------------------------------------------------------------------


@transaction.atomic
def document_upload(
    *, application: Application, requirement: RequiredDocument, uploaded, by: User
) -> ApplicationDocument:
    """Store a checked copy of the upload; a bad file raises and leaves nothing stored."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    if requirement.program_id != application.program_id:
        raise ValidationError(_("This program does not ask for that document."))
    if application.state != State.DRAFT:
        raise ValidationError(
            _("This application was submitted and can no longer be changed."), code="not_draft"
        )
    clean = clean_upload(uploaded)  # raises before anything is written
    previous = ApplicationDocument.objects.filter(
        application=application, requirement=requirement
    ).first()
    document = ApplicationDocument(
        application=application,
        requirement=requirement,
        content_type=clean.content_type,
        size=len(clean.content),
        original_name=clean.original_name,
    )
    document.file.save(f"upload{clean.extension}", ContentFile(clean.content), save=False)
    try:
        with transaction.atomic():
            if previous is not None:
                previous.delete()
            document.save()
            audit(
                action=AuditEntry.Action.DOCUMENT_UPLOAD,
                by=by,
                program_id=application.program_id,
                city_ids=[application.city_id],
                application_id=application.pk,
                detail=str(requirement),
            )
    except BaseException:
        document.file.delete(save=False)
        raise
    if previous is not None:
        # Only once the new row is committed: a rollback must not lose the old file.
        transaction.on_commit(lambda: previous.file.delete(save=False))
    return document


@transaction.atomic
def document_delete(*, document: ApplicationDocument, by: User) -> None:
    application = Application.objects.select_for_update().get(pk=document.application_id)
    if application.state != State.DRAFT:
        raise ValidationError(
            _("This application was submitted and can no longer be changed."), code="not_draft"
        )
    audit(
        action=AuditEntry.Action.DOCUMENT_DELETE,
        by=by,
        program_id=application.program_id,
        city_ids=[application.city_id],
        application_id=application.pk,
        detail=str(document.requirement),
    )
    file = document.file
    document.delete()
    transaction.on_commit(lambda: file.delete(save=False))


def document_open(*, document: ApplicationDocument, by: User):
    """Open the stored file for download, and record who downloaded it."""
    audit(
        action=AuditEntry.Action.DOCUMENT_DOWNLOAD,
        by=by,
        program_id=document.application.program_id,
        city_ids=[document.application.city_id],
        application_id=document.application.pk,
        # Not the file's own name: it often names the applicant, and reviewers read this log
        # under blind review.
        detail=str(document.requirement),
    )
    return document.file.open("rb")


def export_record(*, program: Program, city_ids: Iterable[int], by: User, detail: str) -> None:
    audit(
        action=AuditEntry.Action.EXPORT,
        by=by,
        program_id=program.pk,
        city_ids=city_ids,
        detail=detail,
    )


# --- Coordinators' decisions -------------------------------------------------------------


@transaction.atomic
def application_start_review(*, application: Application, by: User) -> Application:
    return set_application_state(application, State.UNDER_REVIEW, by=by)


@transaction.atomic
def decision_stage(*, application: Application, decision: str, by: User) -> Application:
    """Prepare a decision. Nothing reaches the student until the city's decisions are released."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    if decision == "":
        application.staged_decision = ""
        application.staged_by = None
    else:
        if decision not in DECISIONS:
            raise ValidationError(_("Choose accept, waitlist or reject."), code="bad_decision")
        if application.state not in DECIDABLE or (
            application.state == State.WAITLISTED and decision == State.WAITLISTED
        ):
            raise ValidationError(
                _("An application that is “%(state)s” can’t be given this decision.")
                % {"state": _state_label(application.state)},
                code="not_decidable",
            )
        application.staged_decision = decision
        application.staged_by = by
    application.save(update_fields=["staged_decision", "staged_by", "updated_at"])
    return application


@dataclass(frozen=True)
class ReleaseResult:
    accepted: int
    waitlisted: int
    rejected: int


@transaction.atomic
def decisions_release(
    *, program: Program, city_id: int, by: User, expected: int | None = None
) -> ReleaseResult:
    """Apply every prepared decision of one city at once, then email everyone in one batch.

    All or nothing: if the accepted ones don't fit the city's free places, nothing changes.
    `expected` is the number of prepared decisions the coordinator confirmed; if another
    coordinator prepared or cleared one since, nothing changes either.
    """
    program_city = (
        ProgramCity.objects.select_for_update()
        .select_related("city")
        .get(program=program, city_id=city_id)
    )
    staged = list(
        Application.objects.select_for_update()
        .filter(program=program, city_id=city_id)
        .exclude(staged_decision="")
        .order_by("submitted_at", "id")
    )
    if not staged:
        raise ValidationError(_("There are no prepared decisions to release."), code="nothing")
    if expected is not None and len(staged) != expected:
        raise ValidationError(
            _("The prepared decisions changed since you confirmed. Check the numbers again."),
            code="changed",
        )
    accepting = sum(1 for a in staged if a.staged_decision == State.ACCEPTED)
    free = program_city.quota - _places_taken(program_city)
    if accepting > free:
        raise ValidationError(
            _(
                "You are accepting %(accepting)d applicants but %(city)s has %(free)d free "
                "places. Waitlist some of them, or raise the city’s places."
            )
            % {"accepting": accepting, "city": program_city.city.name_en, "free": free},
            code="quota_full",
        )
    events: list[int] = []
    counts = {State.ACCEPTED: 0, State.WAITLISTED: 0, State.REJECTED: 0}
    # Rejections and waitlistings first: they free nothing, and accepting last keeps the
    # quota check inside set_application_state meaningful.
    order = {State.REJECTED: 0, State.WAITLISTED: 1, State.ACCEPTED: 2}
    for application in sorted(staged, key=lambda a: order[a.staged_decision]):
        decision = application.staged_decision
        if application.state == State.SUBMITTED:
            _transition(application, State.UNDER_REVIEW, by=by, reason="", notify=False)
        events.append(_transition(application, decision, by=by, reason="", notify=False).pk)
        counts[decision] += 1
    audit(
        action=AuditEntry.Action.DECISIONS_RELEASE,
        by=by,
        program_id=program.pk,
        city_ids=[city_id],
        detail=f"accepted {counts[State.ACCEPTED]}, waitlisted {counts[State.WAITLISTED]}, "
        f"rejected {counts[State.REJECTED]}",
    )
    _notify_after_commit(events)
    return ReleaseResult(
        accepted=counts[State.ACCEPTED],
        waitlisted=counts[State.WAITLISTED],
        rejected=counts[State.REJECTED],
    )


# --- Email and the periodic jobs ---------------------------------------------------------


def application_send_state_emails(*, events: list[ApplicationEvent]) -> int:
    messages = []
    for event in events:
        application = event.application
        student = application.student
        messages.append(
            build_templated_email(
                to=student.email,
                template="exchange/email/application_state",
                context={"application": application, "event": event, "student": student},
                language=student.preferred_language,
                time_zone=application.city.time_zone,
            )
        )
    return send_batch(messages)


REMINDER_LEAD = timedelta(days=2)


def reminders_send_due(*, now: datetime | None = None) -> int:
    """Remind drafts two days before applications close, and offers two days before expiry.

    Each reminder is recorded before it is sent, so a reminder goes out at most once even if
    two workers run the job at the same moment.
    """
    now = now or timezone.now()
    soon = now + REMINDER_LEAD
    apply_due = Q(
        state=State.DRAFT,
        program__status=Program.Status.OPEN,
        program__applications_close__gt=now,
        program__applications_close__lte=soon,
    ) & ~Exists(
        Reminder.objects.filter(application=OuterRef("pk"), kind=Reminder.Kind.APPLICATION_DEADLINE)
    )
    confirm_due = Q(state=State.ACCEPTED, confirm_by__gt=now, confirm_by__lte=soon) & ~Exists(
        Reminder.objects.filter(application=OuterRef("pk"), kind=Reminder.Kind.CONFIRM_DEADLINE)
    )
    with transaction.atomic():
        # Another worker's rows are skipped, not waited for: it is sending those reminders.
        due = list(
            Application.objects.filter(apply_due | confirm_due)
            .select_related("student", "city", "program")
            .select_for_update(skip_locked=True, of=("self",))
            .order_by("pk")
        )
        # A worker that committed between our snapshot and our lock has already recorded its
        # reminders; reading them again now, under the lock, sees them.
        done = set(
            Reminder.objects.filter(application__in=due).values_list("application_id", "kind")
        )
        reminders = []
        for application in due:
            kind = _reminder_kind(application)
            if (application.pk, kind) not in done:
                reminders.append(Reminder(application=application, kind=kind))
        Reminder.objects.bulk_create(reminders)
    return send_batch(
        build_templated_email(
            to=reminder.application.student.email,
            template=f"exchange/email/reminder_{reminder.kind}",
            context={"application": reminder.application, "student": reminder.application.student},
            language=reminder.application.student.preferred_language,
            time_zone=reminder.application.city.time_zone,
        )
        for reminder in reminders
    )


def _reminder_kind(application: Application) -> str:
    if application.state == State.DRAFT:
        return Reminder.Kind.APPLICATION_DEADLINE
    return Reminder.Kind.CONFIRM_DEADLINE


def offers_expire(*, now: datetime | None = None) -> int:
    """Offers not confirmed in time are declined, which passes the place on to the waitlist."""
    now = now or timezone.now()
    expired = Application.objects.filter(state=State.ACCEPTED, confirm_by__lte=now)
    count = 0
    for application in expired:
        try:
            set_application_state(application, State.DECLINED, by=None, reason=EXPIRED_REASON)
        except ValidationError:
            continue  # confirmed or withdrawn a moment ago
        count += 1
    return count
