"""Evening check-ins during a visit (issue 15, part 6).

Every second evening of a leg, counting the departure day as day 0, each traveller of the leg
gets a one-tap check-in: the evenings of days 1, 3, 5… before the return day (the evening of
the return day they sleep at home). A 5-day leg (back on day 5) has check-ins on the evenings
of days 1 and 3; a one-night leg has none.

The beat job (`check_ins_run`, every 15 minutes) opens the evening's check-ins from 17:00 in
the host city's local time and alerts on those still unanswered at the host city's
CityCarePolicy.check_in_answer_by (21:00 by default). An answer other than "all good" alerts
at once, from `check_in_answer`. An alert is an email to every coordinator of both cities (the
traveller's and the host city), in each one's language, an audit entry CHECK_IN_ALERT and
`alerted_at` set; a row locked while it is alerted makes the job safe to run twice at once.
"""

import zoneinfo
from datetime import datetime, time, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.mail import build_templated_email, send_batch
from core.policy import require
from exchange.audit import audit
from exchange.models import PARTICIPATING, AuditEntry, CheckIn, Program, VisitLeg
from exchange.selectors.checkins import (
    OPENS_AT,
    answer_by,
    check_in_evenings,
    check_in_is_open,
    host_zone,
    local_moment,
)


def _travellers(leg: VisitLeg):
    from exchange.models import Application

    return (
        Application.objects.filter(program_id=leg.program_id, state__in=PARTICIPATING)
        .exclude(city_id=leg.host_city_id)
        .filter(student__erased_at__isnull=True)
    )


def _running_legs(now: datetime) -> list[VisitLeg]:
    # Every time zone's today is within a day of UTC's.
    today = now.astimezone(zoneinfo.ZoneInfo("UTC")).date()
    return list(
        VisitLeg.objects.filter(
            program__kind=Program.Kind.MUTUAL_VISIT,
            departs_on__lte=today + timedelta(days=1),
            returns_on__gte=today - timedelta(days=1),
        ).select_related("host_city")
    )


def check_ins_open(*, now: datetime) -> int:
    """Create tonight's check-in of each traveller on a leg whose host city is at or past
    17:00 on one of its check-in evenings. Returns how many rows were created; running it
    again creates none (one check-in per traveller and evening, a unique constraint)."""
    created = 0
    for leg in _running_legs(now):
        local = now.astimezone(host_zone(leg))
        evening = local.date()
        if evening not in check_in_evenings(leg) or local.time() < OPENS_AT:
            continue
        existing = set(
            CheckIn.objects.filter(leg=leg, evening=evening).values_list(
                "application_id", flat=True
            )
        )
        new = [
            CheckIn(application_id=pk, leg=leg, evening=evening)
            for pk in _travellers(leg).values_list("pk", flat=True)
            if pk not in existing
        ]
        # ignore_conflicts: a run overlapping this one may have created some meanwhile.
        CheckIn.objects.bulk_create(new, ignore_conflicts=True)
        created += len(new)
    return created


def _alert(*, check_in: CheckIn, now: datetime, detail: str) -> None:
    """Inside the caller's transaction, with the row locked: record and send one alert."""
    check_in.alerted_at = now
    check_in.save(update_fields=["alerted_at"])
    application = check_in.application
    audit(
        action=AuditEntry.Action.CHECK_IN_ALERT,
        by=None,
        program_id=application.program_id,
        city_ids=[application.city_id, check_in.leg.host_city_id],
        application_id=application.pk,
        detail=detail,
    )
    from exchange.tasks import send_check_in_alert

    check_in_id = check_in.pk
    transaction.on_commit(lambda: send_check_in_alert.delay(check_in_id))


def _locked(check_in_id: int, *, skip_locked: bool = False) -> CheckIn | None:
    return (
        CheckIn.objects.select_for_update(of=("self",), skip_locked=skip_locked)
        .select_related("application__student", "application__city", "leg__host_city")
        .filter(pk=check_in_id)
        .first()
    )


def check_ins_alert_missing(*, now: datetime) -> int:
    """Alert, once, on every opened check-in still unanswered at its host city's answer-by
    time. Returns how many alerts were raised. A run that finds a row locked by another
    leaves it to that one; an evening missed while the job was down is alerted late."""
    today = now.astimezone(zoneinfo.ZoneInfo("UTC")).date()
    waiting = list(
        CheckIn.objects.filter(
            answer="", alerted_at__isnull=True, evening__lte=today + timedelta(days=1)
        ).select_related("leg__host_city")
    )
    deadlines: dict[int, time] = {}
    alerted = 0
    for candidate in waiting:
        leg = candidate.leg
        if leg.pk not in deadlines:
            deadlines[leg.pk] = answer_by(leg)
        due = local_moment(candidate.evening, deadlines[leg.pk], host_zone(leg))
        if now < due:
            continue
        with transaction.atomic():
            check_in = _locked(candidate.pk, skip_locked=True)
            if check_in is None or check_in.answer or check_in.alerted_at is not None:
                continue
            _alert(
                check_in=check_in,
                now=now,
                detail=f"Evening of {check_in.evening}: no answer by {deadlines[leg.pk]:%H:%M}",
            )
            alerted += 1
    return alerted


def check_ins_run(*, now: datetime) -> dict[str, int]:
    """The beat job: open tonight's check-ins, then alert on the overdue ones."""
    return {"opened": check_ins_open(now=now), "alerted": check_ins_alert_missing(now=now)}


@transaction.atomic
def check_in_answer(
    *, check_in: CheckIn, answer: str, by: User, now: datetime | None = None
) -> CheckIn:
    """The traveller's one tap. Anything but "all good" alerts both cities' coordinators at
    once (even when a missing answer was alerted before: this is news)."""
    from django.core.exceptions import ValidationError

    require(
        by,
        "exchange.answer_check_in",
        check_in,
        message=_("Only the traveller answers their own check-in."),
    )
    if answer not in CheckIn.Answer.values:
        raise ValidationError(_("Choose one of the three answers."), code="unknown_answer")
    now = now or timezone.now()
    check_in = _locked(check_in.pk)
    if check_in.answer:
        raise ValidationError(_("You already answered this check-in."), code="answered")
    if not check_in_is_open(check_in, now=now):
        raise ValidationError(_("This check-in is closed."), code="closed")
    check_in.answer = answer
    check_in.answered_at = now
    check_in.save(update_fields=["answer", "answered_at"])
    if answer != CheckIn.Answer.ALL_GOOD:
        _alert(check_in=check_in, now=now, detail=f"Evening of {check_in.evening}: answer {answer}")
    return check_in


def _coordinators(city_ids: set[int]) -> list[tuple[User, str]]:
    """Every active coordinator of the cities, once, with their city's time zone."""
    from accounts.models import CoordinatorMembership

    seen: dict[int, tuple[User, str]] = {}
    memberships = (
        CoordinatorMembership.objects.filter(
            city_id__in=city_ids, user__is_active=True, user__erased_at__isnull=True
        )
        .select_related("user", "city")
        .order_by("user_id", "city_id")
    )
    for membership in memberships:
        seen.setdefault(membership.user_id, (membership.user, membership.city.time_zone))
    return list(seen.values())


def check_in_send_alert_emails(*, check_in_id: int) -> int:
    """Email the alert to every coordinator of both cities, each in their language."""
    check_in = (
        CheckIn.objects.select_related(
            "application__student", "application__city", "application__program", "leg__host_city"
        )
        .filter(pk=check_in_id)
        .exclude(Q(alerted_at__isnull=True))
        .first()
    )
    if check_in is None:
        return 0
    application = check_in.application
    leg = check_in.leg
    context = {
        "check_in": check_in,
        "application": application,
        "student": application.student,
        "program": application.program,
        "leg": leg,
        "answer_by": answer_by(leg),
    }
    messages = [
        build_templated_email(
            to=user.email,
            template="exchange/email/check_in_alert",
            context=context,
            language=user.preferred_language,
            time_zone=zone,
        )
        for user, zone in _coordinators({application.city_id, leg.host_city_id})
    ]
    return send_batch(messages)
