"""State changes for programs. One function per transition; each validates, then writes."""

from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.rules import SUPERVISING_ADULTS, coordinator_city_ids
from core.models import City, Language, Theme
from exchange.audit import audit
from exchange.models import Application, AuditEntry, Program, ProgramCity
from exchange.rules import places_locked_city_ids
from exchange.selectors.programs import partner_city_ids
from exchange.services.applications import HOLDS_PLACE
from exchange.signals import program_cities_changed

MAX_PLACES = 500


@dataclass(frozen=True)
class ProgramData:
    kind: str
    title: str
    description: str
    themes: list[Theme]
    quotas: dict[City, int]
    applications_open: datetime
    applications_close: datetime
    starts_on: date
    ends_on: date
    min_age: int
    max_age: int
    working_languages: list[Language]
    # Online exchanges: the share of live sessions to attend. None keeps the current value
    # (75 % for a new program).
    attendance_required_percent: int | None = None


def _validate_program(
    *, data: ProgramData, by: User, taking_part: frozenset[int] = frozenset()
) -> None:
    errors: dict[str, list[str]] = {}
    mine = coordinator_city_ids(by)
    chosen = {city.pk for city in data.quotas}
    if len(chosen) < 2:
        errors.setdefault("cities", []).append(_("A program needs at least two cities."))
    own = chosen & mine
    if not own:
        errors.setdefault("cities", []).append(
            _("Include at least one city whose coordinator team you belong to.")
        )
    else:
        # Cities already taking part stay allowed: a partner city's coordinator edits the same
        # program, and must be able to save it with the cities the other side invited.
        allowed = own | partner_city_ids(city_ids=frozenset(own)) | taking_part
        strangers = sorted(c.name_en for c in data.quotas if c.pk not in allowed)
        if strangers:
            errors.setdefault("cities", []).append(
                _("These cities are not active partners of your city: %(cities)s.")
                % {"cities": ", ".join(strangers)}
            )
    if any(not 1 <= quota <= MAX_PLACES for quota in data.quotas.values()):
        errors.setdefault("cities", []).append(
            _("Each city offers between 1 and %(max)d places.") % {"max": MAX_PLACES}
        )
    if data.applications_open >= data.applications_close:
        errors.setdefault("applications_close", []).append(
            _("Applications must close after they open.")
        )
    close_day = timezone.localdate(data.applications_close)
    if close_day > data.starts_on:
        errors.setdefault("applications_close", []).append(
            _("Applications must close before the program starts.")
        )
    if data.starts_on > data.ends_on:
        errors.setdefault("ends_on", []).append(_("The program can’t end before it starts."))
    if data.min_age > data.max_age:
        errors.setdefault("max_age", []).append(
            _("The maximum age can’t be below the minimum age.")
        )
    if not data.working_languages:
        errors.setdefault("working_languages", []).append(_("Choose at least one language."))
    if not data.themes:
        errors.setdefault("themes", []).append(_("Choose at least one theme."))
    percent = data.attendance_required_percent
    if percent is not None and not 0 <= percent <= 100:
        errors.setdefault("attendance_required_percent", []).append(
            _("Give a share between 0 and 100 %.")
        )
    if errors:
        raise ValidationError(errors)


def _check_places(*, program: Program, data: ProgramData, by: User) -> list[tuple]:
    """Places belong to their city: on an existing program, a city's places are changed only
    by that city's coordinators, never below the places its applicants hold, and a city is
    taken out of the program only by its own coordinators. Returns the changes to audit as
    (city, old, new), new None for a city taken out and old None for a city added."""
    locked = places_locked_city_ids(by, program)
    current = {pc.city: pc.quota for pc in program.program_cities.select_related("city")}
    held = dict(
        Application.objects.filter(program=program, state__in=HOLDS_PLACE)
        .values_list("city_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    errors = []
    changes = []
    unstaffed = set(
        City.objects.filter(pk__in=[c.pk for c in current] + [c.pk for c in data.quotas])
        .filter(coordinator_memberships__isnull=True)
        .values_list("pk", flat=True)
    )
    for city, old in sorted(current.items(), key=lambda item: item[0].name_en):
        new = data.quotas.get(city)
        if new == old:
            continue
        if new is None and city.pk in unstaffed and not held.get(city.pk, 0):
            pass  # nobody coordinates it and it holds no place: the program's team may drop it
        elif city.pk in locked:
            errors.append(
                _(
                    "Only the coordinators of %(city)s change its places or take it out of "
                    "the program."
                )
                % {"city": city.name_en}
            )
        elif new is not None and new < held.get(city.pk, 0):
            errors.append(
                _("%(city)s can’t offer fewer places than its applicants hold (%(held)d).")
                % {"city": city.name_en, "held": held[city.pk]}
            )
        elif new is None and held.get(city.pk, 0):
            errors.append(
                _("%(city)s can’t leave the program while its applicants hold places (%(held)d).")
                % {"city": city.name_en, "held": held[city.pk]}
            )
        changes.append((city, old, new))
    added = [city for city in data.quotas if city not in current]
    if program.status != Program.Status.DRAFT:
        # Two adults or none: an open program takes in only cities that have a coordinator.
        missing = sorted(city.name_en for city in added if city.pk in unstaffed)
        if missing:
            errors.append(
                _(
                    "%(cities)s has no coordinator yet: a program that is no longer a draft takes "
                    "in only cities whose coordinators can look after their students."
                )
                % {"cities": ", ".join(missing)}
            )
    if errors:
        raise ValidationError({"cities": errors}, code="forbidden")
    changes.extend((city, None, data.quotas[city]) for city in added)
    return changes


def _audit_places(*, program: Program, changes: list[tuple], by: User) -> None:
    """Every city of the program sees every change of places, old and new."""
    city_ids = [pc.city_id for pc in program.program_cities.all()] + [c.pk for c, _o, _n in changes]
    for city, old, new in changes:
        audit(
            action=AuditEntry.Action.PLACES_CHANGE,
            by=by,
            program_id=program.pk,
            city_ids=city_ids,
            detail=f"{city.name_en}: {'–' if old is None else old} → {'–' if new is None else new}",
        )


def _write_program(*, program: Program, data: ProgramData) -> Program:
    for field in (
        "kind",
        "title",
        "description",
        "applications_open",
        "applications_close",
        "starts_on",
        "ends_on",
        "min_age",
        "max_age",
    ):
        setattr(program, field, getattr(data, field))
    if data.attendance_required_percent is not None:
        program.attendance_required_percent = data.attendance_required_percent
    program.full_clean(exclude=["created_by"])
    program.save()
    program.themes.set(data.themes)
    program.working_languages.set(data.working_languages)
    ProgramCity.objects.filter(program=program).exclude(city__in=list(data.quotas)).delete()
    for city, quota in data.quotas.items():
        ProgramCity.objects.update_or_create(program=program, city=city, defaults={"quota": quota})
    program.__dict__.pop("_city_ids", None)
    return program


@transaction.atomic
def program_create(*, data: ProgramData, by: User) -> Program:
    _validate_program(data=data, by=by)
    return _write_program(program=Program(created_by=by), data=data)


@transaction.atomic
def program_update(*, program: Program, data: ProgramData, by: User) -> Program:
    # Lock the row so two cities' coordinators editing at once don't interleave their writes.
    program = Program.objects.select_for_update().get(pk=program.pk)
    taking_part = frozenset(program.program_cities.values_list("city_id", flat=True))
    _validate_program(data=data, by=by, taking_part=taking_part)
    changes = _check_places(program=program, data=data, by=by)
    if data.kind != Program.Kind.ONLINE and program.live_sessions.exists():
        raise ValidationError(
            {
                "kind": [
                    _(
                        "This program has live sessions scheduled: delete them before making "
                        "it a mutual visit."
                    )
                ]
            }
        )
    _audit_places(program=program, changes=changes, by=by)
    program = _write_program(program=program, data=data)
    if any(old is None or new is None for _city, old, new in changes):
        program_cities_changed.send(sender=Program, program=program)
    return program


PROGRAM_TRANSITIONS: dict[str, set[str]] = {
    Program.Status.DRAFT: {Program.Status.OPEN},
    Program.Status.OPEN: {Program.Status.CLOSED},
    Program.Status.CLOSED: {Program.Status.OPEN, Program.Status.RUNNING},
    Program.Status.RUNNING: {Program.Status.COMPLETED},
    Program.Status.COMPLETED: set(),
}


@transaction.atomic
def program_set_status(*, program: Program, status: str, by: User) -> Program:
    """Move a program to `status`, if the transition is allowed."""
    program = Program.objects.select_for_update().get(pk=program.pk)
    if status not in PROGRAM_TRANSITIONS.get(program.status, set()):
        raise ValidationError(
            _("A program can’t go from “%(old)s” to “%(new)s”.")
            % {
                "old": Program.Status(program.status).label,
                "new": Program.Status(status).label if status in Program.Status else status,
            }
        )
    if status == Program.Status.OPEN and program.applications_close <= timezone.now():
        raise ValidationError(
            _("The application deadline has passed. Move it later before opening the program.")
        )
    if status == Program.Status.OPEN:
        _require_supervision(program)
    program.status = status
    program.save(update_fields=["status", "updated_at"])
    return program


def _require_supervision(program: Program) -> None:
    """Two adults or none: a program opens for applications only when every city taking part
    has at least one coordinator, and at least SUPERVISING_ADULTS coordinators in all, so
    that no room of it will ever hold a minor with a single adult."""
    cities = list(
        City.objects.filter(program_cities__program=program)
        .annotate(coordinators=Count("coordinator_memberships"))
        .order_by("name_en")
    )
    missing = [city.name_en for city in cities if not city.coordinators]
    if missing:
        raise ValidationError(
            _(
                "Every city taking part needs a coordinator before the program opens. None yet: "
                "%(cities)s."
            )
            % {"cities": ", ".join(missing)},
            code="unsupervised",
        )
    adults = User.objects.filter(coordinator_memberships__city__in=cities).distinct().count()
    if adults < SUPERVISING_ADULTS:
        raise ValidationError(
            _(
                "A program opens with at least %(n)d coordinators among its cities, so that two "
                "adults look after every chat room. It has %(have)d."
            )
            % {"n": SUPERVISING_ADULTS, "have": adults},
            code="unsupervised",
        )
