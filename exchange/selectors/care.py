"""Reading care during a visit: the locator (who is where, by the itinerary and the
placements), the audiences of messages to travellers, their deliveries, household visits and
incidents.

The locator's places, for one moment of one leg:
- a group activity (an itinerary item of kind "group"): every traveller and every host
  student of the leg. Host students join the group activities of their guests' programme, as
  the ceramics visit's coordinators run it; they are not on the leg's travel items.
- travelling (kind "travel"): the travellers, by the item's transport; the host students are at
  home meanwhile.
- with the host household (kind "household", and any time no item runs during the stay): each
  traveller in the home of their placement, with the host student who lives there.
- free time with the buddy (kind "free"): each match group together.
- at home: everyone before the leg's first item on its departure day and after its last item on
  its return day, and everyone on a day no leg runs.
An item without an end lasts until the day's next item starts (the day's last until midnight).
"""

import zoneinfo
from dataclasses import dataclass, field
from datetime import date, datetime, time
from types import SimpleNamespace

from django.db.models import Count, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from exchange.models import (
    PARTICIPATING,
    Application,
    Household,
    HouseholdVisit,
    Incident,
    IncidentUpdate,
    ItineraryItem,
    MatchGroup,
    Matching,
    MatchMember,
    Program,
    TripMessage,
    TripMessageDelivery,
    VisitLeg,
)
from exchange.selectors.households import Placement, _placements, program_placements

AT_HOME = "home"
SUMMARY_PLACES = 6


@dataclass
class Place:
    key: str
    kind: str  # an ItineraryItem.Kind value, or AT_HOME
    label: str
    detail: str = ""
    people: list["Person"] = field(default_factory=list)


@dataclass
class Snapshot:
    """Where everyone of a leg is at one moment: during an item, or at a time of day."""

    key: str  # "item-<pk>" or "at-<leg pk>-<HHMM>", as a place audience names it
    leg: VisitLeg | None
    item: ItineraryItem | None
    at: time | None
    places: list[Place]

    @property
    def people_count(self) -> int:
        return sum(len(place.people) for place in self.places)

    @property
    def few_places(self) -> bool:
        """Few enough places to name each in the day's overview (a group activity, a bus);
        the evening's households are counted there instead."""
        return len(self.places) <= SUMMARY_PLACES


@dataclass
class Locator:
    program: Program
    day: date
    legs: list[VisitLeg]  # the legs running on `day`
    now: list[Snapshot]  # on today's date: each running leg at its host city's current time
    items: list[Snapshot]  # one per itinerary item of the day
    groups: list[tuple[MatchGroup, list["Person"]]]
    participants: list["Person"]

    def snapshot(self, key: str) -> Snapshot | None:
        return next((s for s in [*self.now, *self.items] if s.key == key), None)


@dataclass
class _Facts:
    """Everything the locator reads, loaded once (a fixed number of queries)."""

    participants: list["Person"]
    placements: list[Placement]
    legs: list[VisitLeg]
    items: dict[int, list[ItineraryItem]]  # by leg pk, the day's items in order
    groups: dict[int, MatchGroup]

    def by_pk(self) -> dict[int, "Person"]:
        return {a.pk: a for a in self.participants}


def program_participants(*, program: Program) -> list[Application]:
    """The visit's participants: the only people a message or an incident may name."""
    return list(
        Application.objects.filter(program=program, state__in=PARTICIPATING)
        .select_related("student", "city")
        .order_by("city__name_en", "student__latin_name", "pk")
    )


@dataclass(frozen=True)
class Person:
    """A participant as the locator shows them: a few columns, not whole rows, since at 500
    participants building model instances cost more than the rest of the page
    (bench/locator_bench.py)."""

    pk: int  # the Application's
    student_id: int
    city_id: int
    native_name: str
    latin_name: str
    city_name: str

    @property
    def display_name(self) -> str:
        """Native script first, with the Latin form beside it (as User.display_name)."""
        if self.native_name and self.latin_name and self.native_name != self.latin_name:
            return f"{self.native_name} ({self.latin_name})"
        return self.native_name or self.latin_name


def _locator_participants(program: Program) -> list[Person]:
    rows = (
        Application.objects.filter(program=program, state__in=PARTICIPATING)
        .order_by("city__name_en", "student__latin_name", "pk")
        .values_list(
            "pk",
            "student_id",
            "city_id",
            "student__native_name",
            "student__latin_name",
            "city__name_en",
        )
    )
    return [Person(*row) for row in rows]


def _locator_placements(program: Program) -> list[Placement]:
    """The published placements, by the households selector's own rule (_placements), read
    from the few columns the locator needs: no home address decrypted, no household members.
    Its members and households are stand-ins with the attributes _placements reads."""
    members = [
        SimpleNamespace(
            group_id=group_id,
            role=role,
            application_id=application_id,
            application=SimpleNamespace(city_id=city_id, student_id=student_id),
        )
        for group_id, role, application_id, city_id, student_id in MatchMember.objects.filter(
            matching__program=program, matching__status=Matching.Status.PUBLISHED
        )
        .order_by("group_id", "application_id")
        .values_list(
            "group_id", "role", "application_id", "application__city_id", "application__student_id"
        )
    ]
    households = {
        student_id: SimpleNamespace(pk=pk, family_name=family_name, district=district)
        for pk, student_id, family_name, district in Household.objects.filter(
            student_id__in={m.application.student_id for m in members}
        ).values_list("pk", "student_id", "family_name", "district")
    }
    return _placements(members, households)


def _facts(program: Program, day: date) -> _Facts:
    legs = list(
        VisitLeg.objects.filter(program=program, departs_on__lte=day, returns_on__gte=day)
        .select_related("host_city")
        .order_by("departs_on", "pk")
    )
    items: dict[int, list[ItineraryItem]] = {leg.pk: [] for leg in legs}
    if legs:
        for item in ItineraryItem.objects.filter(leg__in=legs, day=day).order_by("starts_at", "pk"):
            items[item.leg_id].append(item)
    groups = {
        g.pk: g
        for g in MatchGroup.objects.filter(
            matching__program=program, matching__status=Matching.Status.PUBLISHED
        ).only("pk", "number", "kind", "matching_id")
    }
    return _Facts(_locator_participants(program), _locator_placements(program), legs, items, groups)


def _household_place(household) -> Place:
    if household is None:
        return Place(
            key="unplaced",
            kind=ItineraryItem.Kind.HOUSEHOLD,
            label=_("Host household not described yet"),
        )
    return Place(
        key=f"household-{household.pk}",
        kind=ItineraryItem.Kind.HOUSEHOLD,
        label=_("With the %(family)s household") % {"family": household.family_name},
        detail=household.district,
    )


def _home_place(application: "Person") -> Place:
    return Place(
        key=f"home-{application.city_id}",
        kind=AT_HOME,
        label=_("At home in %(city)s") % {"city": application.city_name},
    )


def _item_at(items: list[ItineraryItem], at: time) -> ItineraryItem | None:
    for n, item in enumerate(items):
        if item.starts_at > at:
            continue
        ends = item.ends_at or (items[n + 1].starts_at if n + 1 < len(items) else None)
        if ends is None or at < ends:
            return item
    return None


def _snapshot(
    facts: _Facts, leg: VisitLeg, day: date, *, item: ItineraryItem | None, at: time | None
) -> Snapshot:
    items = facts.items[leg.pk]
    if at is not None:
        item = _item_at(items, at)
    before = day == leg.departs_on and (
        not items or (item is None and at is not None and at < items[0].starts_at)
    )
    after = (
        day == leg.returns_on
        and items
        and item is None
        and at is not None
        and at >= (items[-1].ends_at or items[-1].starts_at)
    )
    stay = {  # traveller pk -> their placement on this leg
        p.visitor_id: p for p in facts.placements if p.host_city_id == leg.host_city_id
    }
    hosting = {p.host_id: p for p in stay.values()}
    places: dict[str, Place] = {}
    free_label = _("Free time with the buddy")

    def put(key: str, make, application: "Person") -> None:
        # A place's label is made once, by its first person, not once per person.
        place = places.get(key)
        if place is None:
            place = places[key] = make()
        place.people.append(application)

    def at_household(household, application: "Person") -> None:
        key = "unplaced" if household is None else f"household-{household.pk}"
        put(key, lambda: _household_place(household), application)

    def at_home(application: "Person") -> None:
        put(f"home-{application.city_id}", lambda: _home_place(application), application)

    def at_own_home(application: "Person", placement: Placement | None) -> None:
        if placement is not None:
            at_household(placement.household, application)
        else:
            at_home(application)

    kind = item.kind if item is not None else None
    for application in facts.participants:
        travels = application.city_id != leg.host_city_id
        placement = stay.get(application.pk) if travels else hosting.get(application.pk)
        if before or after:
            if travels:
                at_home(application)
            else:
                at_own_home(application, placement)
        elif kind == ItineraryItem.Kind.GROUP:
            put(
                f"item-{item.pk}",
                lambda: Place(
                    key=f"item-{item.pk}", kind=kind, label=item.place, detail=item.activity
                ),
                application,
            )
        elif kind == ItineraryItem.Kind.TRAVEL and travels:
            put(
                f"travel-{item.pk}",
                lambda: Place(
                    key=f"travel-{item.pk}",
                    kind=kind,
                    label=item.transport or item.place,
                    detail=item.activity,
                ),
                application,
            )
        elif kind == ItineraryItem.Kind.FREE and placement is not None:
            group = facts.groups.get(placement.group_id)
            put(
                f"free-{placement.group_id}",
                lambda group=group, placement=placement: Place(
                    key=f"free-{placement.group_id}",
                    kind=ItineraryItem.Kind.FREE,
                    label=free_label,
                    detail=_("Group %(number)s") % {"number": group.number} if group else "",
                ),
                application,
            )
        elif travels:
            at_household(placement.household if placement else None, application)
        else:
            at_own_home(application, placement)
    key = f"item-{item.pk}" if at is None and item is not None else f"at-{leg.pk}-{at:%H%M}"
    return Snapshot(key=key, leg=leg, item=item, at=at, places=list(places.values()))


def _home_snapshot(facts: _Facts, day: date) -> Snapshot:
    places: dict[str, Place] = {}
    for application in facts.participants:
        place = _home_place(application)
        places.setdefault(place.key, place).people.append(application)
    return Snapshot(key="home", leg=None, item=None, at=None, places=list(places.values()))


def _local_time(leg: VisitLeg, day: date, now: datetime) -> time:
    """The host city's clock now, as a time of `day` (its start or end if that city's date
    is already another)."""
    local = now.astimezone(zoneinfo.ZoneInfo(leg.host_city.time_zone))
    if local.date() < day:
        return time(0, 0)
    if local.date() > day:
        return time(23, 59)
    return local.time().replace(second=0, microsecond=0)


def program_locator(
    *, program: Program, day: date, today: date, now: datetime | None = None
) -> Locator:
    """Who is where on `day`: at the current time when `day` is `today` (each leg at its host
    city's clock), and during each itinerary item of the day. A fixed number of queries (six)
    whatever the number of participants."""
    now = now or timezone.now()
    facts = _facts(program, day)
    now_snapshots: list[Snapshot] = []
    item_snapshots: list[Snapshot] = []
    for leg in facts.legs:
        if day == today:
            now_snapshots.append(
                _snapshot(facts, leg, day, item=None, at=_local_time(leg, day, now))
            )
        for item in facts.items[leg.pk]:
            item_snapshots.append(_snapshot(facts, leg, day, item=item, at=None))
    if not facts.legs:
        now_snapshots.append(_home_snapshot(facts, day))
    by_pk = facts.by_pk()
    members: dict[int, list[Person]] = {}
    for placement in facts.placements:
        for pk in (placement.visitor_id, placement.host_id):
            people = members.setdefault(placement.group_id, [])
            if pk in by_pk and by_pk[pk] not in people:
                people.append(by_pk[pk])
    groups = [
        (group, members.get(group.pk, []))
        for group in sorted(facts.groups.values(), key=lambda g: g.number)
    ]
    return Locator(
        program=program,
        day=day,
        legs=facts.legs,
        now=now_snapshots,
        items=item_snapshots,
        groups=groups,
        participants=facts.participants,
    )


def snapshot_for(*, program: Program, day: date, key: str) -> Snapshot | None:
    """The locator's snapshot a place audience names, rebuilt on the server: an item of the
    day (`item-<pk>`), a leg at a time of day (`at-<leg>-<HHMM>`) or a day at home (`home`)."""
    facts = _facts(program, day)
    if key == "home":
        return _home_snapshot(facts, day) if not facts.legs else None
    kind, _sep, rest = key.partition("-")
    if kind == "item" and rest.isdigit():
        for leg in facts.legs:
            for item in facts.items[leg.pk]:
                if item.pk == int(rest):
                    return _snapshot(facts, leg, day, item=item, at=None)
        return None
    if kind == "at":
        leg_pk, _sep, hhmm = rest.partition("-")
        if not (leg_pk.isdigit() and hhmm.isdigit() and len(hhmm) == 4):
            return None
        hour, minute = int(hhmm[:2]), int(hhmm[2:])
        if hour > 23 or minute > 59:
            return None
        for leg in facts.legs:
            if leg.pk == int(leg_pk):
                return _snapshot(facts, leg, day, item=None, at=time(hour, minute))
    return None


# --- Messages to travellers -------------------------------------------------------------


@dataclass(frozen=True)
class Audience:
    """Who a message is for, rebuilt from ids: what the coordinator chose and the people."""

    spec: dict
    label: str
    applications: list[Application]


def audience_for(*, program: Program, spec: dict) -> Audience | None:
    """The participants a message's audience names, or None when it names nothing of this
    program. `spec` is {"kind": "everyone"}, {"kind": "group", "group": pk} or
    {"kind": "place", "day": "YYYY-MM-DD", "moment": snapshot key, "place": place key}."""
    kind = spec.get("kind")
    if kind == "everyone":
        people = program_participants(program=program)
        return Audience({"kind": "everyone"}, _("Everyone on the visit"), people)
    if kind == "group":
        group = MatchGroup.objects.filter(
            pk=spec.get("group"),
            matching__program=program,
            matching__status=Matching.Status.PUBLISHED,
        ).first()
        if group is None:
            return None
        people = list(
            Application.objects.filter(
                pk__in=MatchMember.objects.filter(group=group).values("application_id"),
                program=program,
                state__in=PARTICIPATING,
            )
            .select_related("student", "city")
            .order_by("city__name_en", "student__latin_name", "pk")
        )
        return Audience(
            {"kind": "group", "group": group.pk},
            _("Group %(number)s") % {"number": group.number},
            people,
        )
    if kind == "place":
        try:
            day = date.fromisoformat(str(spec.get("day")))
        except ValueError:
            return None
        snapshot = snapshot_for(program=program, day=day, key=str(spec.get("moment")))
        if snapshot is None:
            return None
        place = next((p for p in snapshot.places if p.key == spec.get("place")), None)
        if place is None:
            return None
        people = list(
            Application.objects.filter(
                pk__in=[person.pk for person in place.people],
                program=program,
                state__in=PARTICIPATING,
            )
            .select_related("student", "city")
            .order_by("city__name_en", "student__latin_name", "pk")
        )
        moment = (
            snapshot.item.activity
            if snapshot.item is not None and snapshot.at is None
            else (f"{snapshot.at:%H:%M}" if snapshot.at else "")
        )
        label = f"{place.label} ({day.isoformat()}{', ' + moment if moment else ''})"
        return Audience(
            {
                "kind": "place",
                "day": day.isoformat(),
                "moment": snapshot.key,
                "place": place.key,
            },
            label,
            people,
        )
    return None


def guardian_emails(*, applications: list[Application]) -> dict[int, str]:
    """Each minor traveller's guardian address, by application pk: the guardian who signed
    the trip consent, else the one who gave the student's consent to take part."""
    from accounts.models import GuardianConsent
    from exchange.models import TripConsent

    emails: dict[int, str] = {}
    student_app = {a.student_id: a.pk for a in applications}
    for consent in GuardianConsent.objects.filter(
        student_id__in=student_app, is_current=True, consented_at__isnull=False
    ).filter(withdrawn_at__isnull=True):
        emails[student_app[consent.student_id]] = consent.guardian_email
    for trip in TripConsent.objects.filter(
        application_id__in=[a.pk for a in applications],
        is_current=True,
        signed_at__isnull=False,
        withdrawn_at__isnull=True,
    ):
        emails[trip.application_id] = trip.guardian_email
    return emails


def program_trip_messages(*, program: Program) -> list[TripMessage]:
    return list(
        TripMessage.objects.filter(program=program)
        .select_related("sent_by")
        .annotate(
            recipients=Count("deliveries"),
            emailed=Count("deliveries", filter=Q(deliveries__email=TripMessageDelivery.Email.SENT)),
            failed=Count(
                "deliveries", filter=Q(deliveries__email=TripMessageDelivery.Email.FAILED)
            ),
            read=Count("deliveries", filter=Q(deliveries__read_at__isnull=False)),
        )
        .order_by("-created_at", "-pk")
    )


def message_deliveries(*, message: TripMessage) -> list[TripMessageDelivery]:
    return list(
        message.deliveries.select_related("recipient", "recipient__home_city").order_by(
            "recipient__latin_name", "pk"
        )
    )


def student_trip_messages(*, application: Application) -> list[TripMessageDelivery]:
    """The student's messages on this visit: unread first, then newest first."""
    return sorted(
        TripMessageDelivery.objects.filter(
            recipient_id=application.student_id, message__program_id=application.program_id
        ).select_related("message"),
        key=lambda d: (d.read_at is not None, -d.message.created_at.timestamp(), -d.pk),
    )


# --- Household visits -------------------------------------------------------------------


def leg_households(*, leg: VisitLeg) -> list[Household]:
    """The households the leg's guests stay in (published placements in its host city)."""
    seen: dict[int, Household] = {}
    for placement in program_placements(program=leg.program):
        if placement.host_city_id == leg.host_city_id and placement.household is not None:
            seen.setdefault(placement.household.pk, placement.household)
    return sorted(seen.values(), key=lambda h: (h.family_name, h.pk))


def leg_household_visits(*, leg: VisitLeg) -> list[HouseholdVisit]:
    return list(
        HouseholdVisit.objects.filter(leg=leg)
        .select_related("household", "by")
        .order_by("-visited_on", "-pk")
    )


def visit_legs_hosted(*, program: Program, city_ids: frozenset[int]) -> list[VisitLeg]:
    return list(
        VisitLeg.objects.filter(program=program, host_city_id__in=city_ids)
        .select_related("host_city")
        .annotate(visits=Count("household_visits"))
        .order_by("departs_on", "pk")
    )


# --- Incidents --------------------------------------------------------------------------


def program_incidents(*, program: Program) -> list[Incident]:
    return list(
        Incident.objects.filter(program=program)
        .select_related("reported_by", "leg__host_city")
        .prefetch_related(
            Prefetch("involved", Application.objects.select_related("student", "city"))
        )
        .annotate(follow_ups=Count("updates"))
        .order_by("-occurred_at", "-pk")
    )


def incident_timeline(*, incident: Incident) -> list[IncidentUpdate]:
    return list(incident.updates.select_related("by").order_by("created_at", "pk"))


def incidents_with_timelines(*, program: Program) -> list[Incident]:
    return list(
        Incident.objects.filter(program=program)
        .select_related("reported_by", "leg__host_city")
        .prefetch_related(
            Prefetch("involved", Application.objects.select_related("student")),
            Prefetch("updates", IncidentUpdate.objects.select_related("by")),
        )
        .order_by("occurred_at", "pk")
    )


def program_coordinators(*, program: Program) -> list[User]:
    """Every coordinator of the program's cities (an incident notice goes to all of them)."""
    return list(
        User.objects.filter(
            coordinator_memberships__city__program_cities__program=program,
            is_active=True,
            erased_at__isnull=True,
        )
        .select_related("home_city")
        .prefetch_related("coordinator_memberships__city")
        .distinct()
        .order_by("email")
    )
