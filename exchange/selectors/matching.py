"""Reads for matching: the coordinators' page, a participant's published match, and reasons in
words (the engine gives codes; people read sentences in their own language)."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Prefetch
from django.utils.formats import date_format
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.models import City, Language, Theme
from core.times import local_moment, utc_offset
from exchange.models import (
    Application,
    ApplicationLanguage,
    MatchGroup,
    Matching,
    MatchLeftover,
    MatchMember,
    Program,
)

State = Application.State

CONSTRAINTS = {
    "gender": lambda: _("different genders"),
    "age_gap": lambda: _("age gap too large"),
    "pet_allergy": lambda: _("pet allergy and pets at home"),
    "dietary_needs": lambda: _("dietary needs the host family can’t meet"),
    "shared_language": lambda: _("no language both speak well enough"),
    "can_host": lambda: _("family can’t host"),
    "guest_beds": lambda: _("only one bed for a guest"),
}


def _hosting_words(code: str, city: str, until: str) -> str:
    """Why a family's home can't host (exchange.selectors.households.HOSTING_CODES)."""
    day = date_format(date.fromisoformat(until), "DATE_FORMAT") if until else ""
    match code:
        case "missing":
            return _("the family’s home has not been described yet")
        case "draft":
            return _("the family’s home has not been sent for screening yet")
        case "submitted":
            return _("the family’s home is waiting for screening by %(city)s") % {"city": city}
        case "not_approved":
            return _("%(city)s did not approve the family’s home") % {"city": city}
        case "expired":
            return _("the approval of the family’s home ran out on %(date)s") % {"date": day}
        case "lapses":
            return _(
                "the approval of the family’s home runs out on %(date)s, before the program starts"
            ) % {"date": day}
        case "no_beds":
            return _("the family’s home has no bed for a guest")
    return code


def _language(code: str) -> str:
    return str(Language.Code(code).label) if code in Language.Code.values else code


def _theme(slug: str) -> str:
    return str(Theme.Slug(slug).label) if slug in Theme.Slug.values else slug


def _constraint(name: str) -> str:
    return CONSTRAINTS[name]() if name in CONSTRAINTS else name


def _list(items) -> str:
    return str(get_text_list([str(i) for i in items], _("and")))


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def describe_reason(
    reason: dict,
    *,
    names: dict[int, str],
    cities: dict[str, str],
    zones: dict[str, tuple[str, str]] | None = None,
    day=None,
) -> str:
    """One reason from the engine as a sentence in the active language.

    With `zones` (city key -> (name, time zone)) and `day`, a session time is given in each
    city's clock with its UTC offset, as the people of both cities read it.
    """
    code, d = reason["code"], reason.get("detail", {})

    def name(pk) -> str:
        return names.get(pk, f"#{pk}")

    def city(key) -> str:
        return cities.get(str(key), str(key))

    match code:
        case "shared_language":
            return _("Both speak %(languages)s.") % {
                "languages": _list(_language(c) for c in d["languages"])
            }
        case "language_practice":
            return _("%(name)s can practise %(languages)s.") % {
                "name": name(d["learner"]),
                "languages": _list(_language(c) for c in d["languages"]),
            }
        case "shared_interests" if d["interests"] and isinstance(d["interests"][0], list):
            return _("Shared interests: %(interests)s.") % {
                "interests": ", ".join(f"{_theme(slug)} ({n})" for slug, n in d["interests"])
            }
        case "shared_interests":
            return _("Shared interests: %(interests)s.") % {
                "interests": _list(_theme(slug) for slug in d["interests"])
            }
        case "age_gap":
            return ngettext("Age gap: %(years)d year.", "Age gap: %(years)d years.", d["years"]) % {
                "years": d["years"]
            }
        case "same_gender":
            return _("Same gender, as the program asks for homestays.")
        case "household_ok":
            return _("%(host)s’s household suits %(visitor)s.") % {
                "host": name(d["host"]),
                "visitor": name(d["visitor"]),
            }
        case "second_visitor":
            return _("%(visitor)s is %(host)s’s second visitor and doesn’t host in return.") % {
                "host": name(d["host"]),
                "visitor": name(d["visitor"]),
            }
        case "fixed":
            return _("Locked by the coordinators.")
        case "cannot_host":
            return _("Can’t host: %(why)s.") % {
                "why": _hosting_words(d["household"], city(d["city"]), d.get("until", ""))
            }
        case "violation" if d["constraint"] == "can_host" and d.get("household"):
            return _("Breaks a rule: %(host)s can’t host %(visitor)s, %(why)s.") % {
                "host": name(d["host"]),
                "visitor": name(d["visitor"]),
                "why": _hosting_words(d["household"], city(d["city"]), d.get("until", "")),
            }
        case "violation":
            return _("Breaks a rule: %(rule)s (%(host)s hosting %(visitor)s).") % {
                "rule": _constraint(d["constraint"]),
                "host": name(d["host"]),
                "visitor": name(d["visitor"]),
            }
        case "city_surplus" if "partners" in d:
            return _(
                "%(city)s has %(size)d participants for %(places)d places on the other side."
            ) % {
                "city": city(d["city"]),
                "size": d["size"],
                "places": d["partners"],
            }
        case "city_surplus":
            return _(
                "%(city)s has %(available)d participants; groups balanced between the cities "
                "can take %(placed)d."
            ) % {"city": city(d["city"]), "available": d["available"], "placed": d["placed"]}
        case "blocked":
            return ngettext(
                "%(rule)s: rules out %(count)d partner.",
                "%(rule)s: rules out %(count)d partners.",
                d["candidates"],
            ) % {"rule": _constraint(d["constraint"]).capitalize(), "count": d["candidates"]}
        case "all_compatible_taken":
            return ngettext(
                "Their %(count)d compatible partner was matched with someone else, which placed "
                "more people overall.",
                "Their %(count)d compatible partners were matched with others, which placed more "
                "people overall.",
                d["candidates"],
            ) % {"count": d["candidates"]}
        case "no_candidates":
            return _("The other city has no confirmed participants yet.")
        case "cities":
            return _("Cities: %(cities)s.") % {
                "cities": ", ".join(f"{city(key)} {n}" for key, n in d["cities"])
            }
        case "common_languages" if d["languages"]:
            return _("Everyone speaks %(languages)s.") % {
                "languages": _list(_language(c) for c in d["languages"])
            }
        case "common_languages":
            return _("No language that everyone speaks well enough.")
        case "session_slot" if zones:
            return _("Meets at %(times)s, for %(minutes)d minutes.") % {
                "times": _slot_in_cities(d["utc_start"], day, zones),
                "minutes": d["minutes"],
            }
        case "session_slot":
            return _("Meets at %(time)s UTC for %(minutes)d minutes.") % {
                "time": _clock(d["utc_start"]),
                "minutes": d["minutes"],
            }
        case "time_zone":
            return _("The session time falls outside their local window.")
        case "city_missing":
            return _("No session time suits someone from each of: %(cities)s.") % {
                "cities": _list(city(key) for key in d["cities"])
            }
        case "too_few":
            return _("Too few participants (%(available)d) for a group of %(size)d.") % {
                "available": d["available"],
                "size": d["min_size"],
            }
        case "no_common_language":
            return _(
                "No group could take them and still have one language everyone in it speaks "
                "well enough."
            )
        case "moved_out":
            return _("Taken out by the coordinators.")
    return code


@dataclass
class GroupView:
    group: MatchGroup
    members: list[Application]
    reasons: list[str]


@dataclass
class MatchingPage:
    matching: Matching
    groups: list[GroupView]
    leftovers: list[tuple[Application, list[str]]]
    unplaced: list[Application]  # confirmed after the last run
    approved_city_ids: set[int]
    cities: list[City]
    local_slots: list[tuple[City, str, str]] = field(default_factory=list)
    # Live sessions scheduled at another time than the one the groups were formed for.
    sessions_elsewhere: bool = False


def _applications(ids) -> dict[int, Application]:
    return {
        a.pk: a
        for a in Application.objects.filter(pk__in=ids)
        .select_related("student", "city")
        .prefetch_related(
            Prefetch("languages", queryset=ApplicationLanguage.objects.order_by("-level")),
            "interests",
        )
    }


def matching_defaults(program: Program) -> dict:
    """The rules a program's matching starts with."""
    return {"same_gender": program.kind == Program.Kind.MUTUAL_VISIT}


def matching_of(program: Program) -> Matching:
    """The program's matching; before the first change, an unsaved one with the default rules
    (reading the page never creates it)."""
    matching = Matching.objects.filter(program=program).first()
    if matching is None:
        matching = Matching(program=program, **matching_defaults(program))
    return matching


def matching_page(*, program: Program, matching: Matching) -> MatchingPage:
    cities = [pc.city for pc in program.program_cities.all()]
    city_names = {str(c.pk): c.name_en for c in cities}
    zones = {str(c.pk): (c.name_en, c.time_zone) for c in cities}
    saved = matching.pk is not None
    groups = list(matching.groups.prefetch_related("members")) if saved else []
    leftovers = list(MatchLeftover.objects.filter(matching=matching)) if saved else []
    placed = {m.application_id for g in groups for m in g.members.all()} | {
        left.application_id for left in leftovers
    }
    confirmed = set(
        Application.objects.filter(program=program, state=State.CONFIRMED).values_list(
            "pk", flat=True
        )
    )
    people = _applications(placed | confirmed)
    for application in people.values():
        application.age_at_start = application.student.age(on=program.starts_on)
    names = {pk: a.student.display_name for pk, a in people.items()}
    views = []
    for group in groups:
        members = [
            people[m.application_id] for m in group.members.all() if m.application_id in people
        ]
        reasons = [
            describe_reason(r, names=names, cities=city_names, zones=zones, day=program.starts_on)
            for r in group.reasons
        ]
        views.append(GroupView(group=group, members=members, reasons=reasons))
    moment = meeting_moment(matching)
    scheduled = scheduled_slot(program) if program.kind == Program.Kind.ONLINE else None
    local_slots = [(c, *local_slot(moment, c.time_zone)) for c in cities] if moment else []
    return MatchingPage(
        matching=matching,
        groups=views,
        leftovers=[
            (
                people[left.application_id],
                [describe_reason(r, names=names, cities=city_names) for r in left.reasons],
            )
            for left in leftovers
            if left.application_id in people
        ],
        unplaced=sorted((people[pk] for pk in confirmed - placed), key=lambda a: a.pk),
        approved_city_ids={
            a.city_id for a in matching.approvals.all() if a.version == matching.version
        }
        if saved
        else set(),
        cities=cities,
        local_slots=local_slots,
        sessions_elsewhere=bool(groups and scheduled and scheduled[0] != matching.slot_utc),
    )


def scheduled_slot(program) -> tuple[int, int] | None:
    """(start in minutes after 00:00 UTC, length in minutes) of most of the program's live
    sessions, the earliest on a tie; None when none is scheduled."""
    counts: Counter[tuple[int, int]] = Counter()
    for starts_at, ends_at in program.live_sessions.order_by("starts_at").values_list(
        "starts_at", "ends_at"
    ):
        start = starts_at.astimezone(UTC)
        counts[
            (start.hour * 60 + start.minute, int((ends_at - starts_at).total_seconds() // 60))
        ] += 1
    return counts.most_common(1)[0][0] if counts else None


def meeting_moment(matching: Matching) -> datetime | None:
    """The first session's start as an aware moment (the program's first day, at the slot)."""
    if matching.slot_utc is None:
        return None
    start = matching.program.starts_on
    return datetime.combine(start, time(0), tzinfo=UTC) + timedelta(minutes=matching.slot_utc)


def local_slot(moment: datetime, zone: str) -> tuple[str, str]:
    """("17:00", "UTC+09:00"): a moment's clock time and offset in a city's time zone."""
    local = local_moment(moment, zone)
    return local.strftime("%H:%M"), utc_offset(local)


def _slot_in_cities(minutes: int, day, zones: dict[str, tuple[str, str]]) -> str:
    moment = datetime.combine(day, time(0), tzinfo=UTC) + timedelta(minutes=minutes)
    parts = []
    for name, zone in zones.values():
        clock, offset = local_slot(moment, zone)
        parts.append(
            _("%(time)s in %(city)s (%(offset)s)") % {"time": clock, "city": name, "offset": offset}
        )
    return _list(parts)


@dataclass(frozen=True)
class PublishedMatch:
    group: MatchGroup
    others: list[Application]


def published_match_for(application: Application) -> PublishedMatch | None:
    """Who a participant was matched with, once both cities have published the matching."""
    member = (
        MatchMember.objects.filter(
            application=application, matching__status=Matching.Status.PUBLISHED
        )
        .select_related("group")
        .first()
    )
    if member is None:
        return None
    others = [
        m.application
        for m in MatchMember.objects.filter(group=member.group)
        .exclude(pk=member.pk)
        .select_related("application__student", "application__city")
    ]
    return PublishedMatch(group=member.group, others=others)


def published_participant_count(*, program: Program) -> int:
    """How many participants the program's published matching places (0 when unpublished)."""
    return MatchMember.objects.filter(
        matching__program=program, matching__status=Matching.Status.PUBLISHED
    ).count()
