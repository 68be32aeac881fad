"""State changes for matching: run the engine, adjust by hand, approve, publish.

The engine (`matching`) knows nothing of Django. This module turns confirmed applications into
its `Participant`s, stores what it proposes, and keeps the shared record honest: every change
makes a new version, and a version is published only once every city's coordinators approved it.
"""

import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

import matching as engine
from accounts.models import User
from core.mail import build_templated_email, send_batch
from exchange.audit import audit
from exchange.models import (
    Application,
    ApplicationLanguage,
    AuditEntry,
    MatchApproval,
    MatchGroup,
    Matching,
    MatchLeftover,
    MatchMember,
    Program,
)
from exchange.rules import coordinated_city_ids
from exchange.selectors.households import hosting_status
from exchange.selectors.matching import matching_defaults, meeting_moment, scheduled_slot
from exchange.signals import matching_published

State = Application.State
MATCHED_STATES = [State.CONFIRMED]


# --- From the database to the engine -----------------------------------------------------


def _utc_offset_minutes(time_zone: str, day) -> int:
    moment = datetime.combine(day, time(12), tzinfo=zoneinfo.ZoneInfo(time_zone))
    return int(moment.utcoffset().total_seconds() // 60)


def to_participant(application: Application, program: Program) -> engine.Participant:
    """The engine's view of a participant: their needs from the application, their home from
    the household (approved on the program's first day, or it can't host)."""
    household = getattr(application.student, "household", None)
    hosting = hosting_status(household, day=program.starts_on)
    return engine.Participant(
        id=application.pk,
        city=str(application.city_id),
        age=application.student.age(on=program.starts_on),
        gender=application.gender,
        languages={row.language_id: row.level for row in application.languages.all()},
        learning=frozenset(language.code for language in application.practise_languages.all()),
        interests=frozenset(theme.slug for theme in application.interests.all()),
        can_host=hosting.can_host,
        household_pets=household is not None and household.has_pets,
        pet_allergy=application.pet_allergy,
        dietary_needs=frozenset(application.dietary_needs),
        diets_offered=frozenset(household.diets_offered if household is not None else ()),
        utc_offset_minutes=_utc_offset_minutes(application.city.time_zone, program.starts_on),
        guest_beds=household.guest_beds if household is not None else 0,
        hosting=hosting.code,
        hosting_until=hosting.until,
    )


def participants_of(program: Program) -> list[Application]:
    """The confirmed participants the engine matches, with what it needs (their household
    joined to the student), in 4 queries."""
    return list(
        Application.objects.filter(program=program, state__in=MATCHED_STATES)
        .select_related("student", "student__household", "city")
        .prefetch_related(
            Prefetch("languages", queryset=ApplicationLanguage.objects.all()),
            "practise_languages",
            "interests",
        )
        .order_by("pk")
    )


def pair_rules(matching: Matching) -> engine.PairRules:
    return engine.PairRules(
        same_gender=matching.same_gender,
        max_age_gap=matching.max_age_gap,
        allow_two_visitors=matching.allow_two_visitors,
        weight_interests=matching.weight_interests,
        weight_language_practice=matching.weight_language_practice,
        weight_age=matching.weight_age,
    )


def group_rules(matching: Matching) -> engine.GroupRules:
    """The matching's rules for the engine. Once live sessions are scheduled, the groups meet
    at their time (one time for the matching page, the sessions and the emails)."""
    scheduled = scheduled_slot(matching.program)
    return engine.GroupRules(
        min_size=matching.group_min_size,
        max_size=matching.group_max_size,
        window_start=matching.window_start.hour * 60 + matching.window_start.minute,
        window_end=matching.window_end.hour * 60 + matching.window_end.minute,
        session_minutes=scheduled[1] if scheduled else matching.session_minutes,
        fixed_slot=scheduled[0] if scheduled else None,
    )


def _reasons_json(reasons) -> list[dict]:
    def plain(value):
        if isinstance(value, tuple | list):
            return [plain(v) for v in value]
        return value

    return [
        {"code": r.code, "detail": {key: plain(value) for key, value in r.detail.items()}}
        for r in reasons
    ]


def _check_two_cities(program: Program) -> list[int]:
    city_ids = sorted(pc.city_id for pc in program.program_cities.all())
    if program.kind == Program.Kind.MUTUAL_VISIT and len(city_ids) != 2:
        raise ValidationError(
            _(
                "Buddy pairs are made between two cities, and this program has %(count)d. "
                "Split it into two-city programs to match homestays."
            )
            % {"count": len(city_ids)},
            code="not_two_cities",
        )
    return city_ids


# --- Changing the shared record ----------------------------------------------------------


def matching_for(program: Program) -> Matching:
    """The program's matching, created on the first change (reads use `matching_of`)."""
    matching, _created = Matching.objects.get_or_create(
        program=program, defaults=matching_defaults(program)
    )
    return matching


def _lock(program: Program) -> Matching:
    matching_for(program)
    return Matching.objects.select_for_update().select_related("program").get(program=program)


def _changed(matching: Matching, *, by: User, action: str, detail: str) -> None:
    """Every change is a new version: approvals of the old one no longer count."""
    _refuse_published(matching)
    matching.version += 1
    matching.save(update_fields=["version", "updated_at"])
    matching.approvals.all().delete()
    audit(
        action=action,
        by=by,
        program_id=matching.program_id,
        city_ids=matching.program.program_cities.values_list("city_id", flat=True),
        detail=detail,
    )


def _refuse_published(matching: Matching) -> None:
    if matching.status == Matching.Status.PUBLISHED:
        raise ValidationError(
            _("This matching is published. Reopen it before changing it."), code="published"
        )


@dataclass(frozen=True)
class MatchingSettings:
    same_gender: bool
    max_age_gap: int
    allow_two_visitors: bool
    weight_interests: int
    weight_language_practice: int
    weight_age: int
    group_min_size: int
    group_max_size: int
    window_start: time
    window_end: time
    session_minutes: int


@transaction.atomic
def matching_settings_save(*, program: Program, data: MatchingSettings, by: User) -> Matching:
    matching = _lock(program)
    if data.group_min_size > data.group_max_size:
        raise ValidationError(
            {"group_max_size": [_("The largest group can’t be smaller than the smallest.")]}
        )
    if data.window_start >= data.window_end:
        raise ValidationError({"window_end": [_("The window must end after it starts.")]})
    if data.weight_interests + data.weight_language_practice + data.weight_age == 0:
        raise ValidationError({"weight_interests": [_("At least one weight must be above 0.")]})
    for field, value in data.__dict__.items():
        setattr(matching, field, value)
    matching.full_clean(exclude=["program"])
    _changed(matching, by=by, action=AuditEntry.Action.MATCHING_CHANGE, detail="rules")
    matching.save()
    return matching


@transaction.atomic
def matching_run(*, program: Program, by: User) -> Matching:
    """Propose pairs or groups for everyone not in a locked one; locked ones stay as they are."""
    matching = _lock(program)
    city_ids = _check_two_cities(program)
    applications = participants_of(program)
    people = {a.pk: to_participant(a, program) for a in applications}
    locked = list(matching.groups.filter(locked=True).prefetch_related("members"))
    fixed = [ids for ids in map(_member_ids, locked) if all(pk in people for pk in ids)]
    if program.kind == Program.Kind.MUTUAL_VISIT:
        side_a = [p for p in people.values() if p.city == str(city_ids[0])]
        side_b = [p for p in people.values() if p.city == str(city_ids[1])]
        result = engine.match_pairs(side_a, side_b, pair_rules(matching), fixed=fixed)
        proposals = [(MatchGroup.Kind.PAIR, (p.a, p.b), p) for p in result.pairs] + [
            (MatchGroup.Kind.TRIAD, (t.host, t.visitor, t.second_visitor), t) for t in result.triads
        ]
        matching.slot_utc = None
    else:
        result = engine.form_groups(people.values(), group_rules(matching), fixed=fixed)
        proposals = [(MatchGroup.Kind.GROUP, g.members, g) for g in result.groups]
        matching.slot_utc = result.slot_utc
    locked_sets = {frozenset(ids) for ids in fixed}
    # The engine's proposals pass the same check as a hand edit; a locked group with someone
    # who no longer takes part would have to change, so it refuses the run.
    matching_validate(
        matching=matching,
        people=people,
        changes=[g for g in locked if frozenset(_member_ids(g)) not in locked_sets],
        proposed=[
            Proposed(kind, tuple(ids))
            for kind, ids, _proposal in proposals
            if frozenset(ids) not in locked_sets
        ],
    )
    MatchGroup.objects.filter(matching=matching).delete()
    MatchLeftover.objects.filter(matching=matching).delete()
    # Fixed ones first, then by score, so the page opens on the coordinators' own choices.
    proposals.sort(key=lambda row: (frozenset(row[1]) not in locked_sets, -row[2].score, row[1]))
    for number, (kind, ids, proposal) in enumerate(proposals, start=1):
        _store_group(
            matching,
            kind=kind,
            number=number,
            ids=ids,
            score=proposal.score,
            reasons=proposal.reasons,
            locked=frozenset(ids) in locked_sets,
        )
    MatchLeftover.objects.bulk_create(
        MatchLeftover(
            matching=matching, application_id=left.id, reasons=_reasons_json(left.reasons)
        )
        for left in result.leftovers
    )
    matching.ran_at = timezone.now()
    matching.save(update_fields=["ran_at", "slot_utc"])
    _changed(
        matching,
        by=by,
        action=AuditEntry.Action.MATCHING_RUN,
        detail=f"{len(proposals)} matched, {len(result.leftovers)} left over",
    )
    return matching


def _member_ids(group: MatchGroup) -> tuple[int, ...]:
    members = list(group.members.all())
    if group.kind == MatchGroup.Kind.TRIAD:
        # The engine wants (host, visitor, second visitor).
        order = {MatchMember.Role.BUDDY: 1, MatchMember.Role.SECOND_VISITOR: 2}
        members.sort(key=lambda m: (order.get(m.role, 0), m.application_id))
        return tuple(m.application_id for m in members)
    return tuple(sorted(m.application_id for m in members))


def _store_group(
    matching: Matching,
    *,
    kind: str,
    number: int,
    ids: tuple[int, ...],
    score: float,
    reasons,
    locked: bool = False,
) -> MatchGroup:
    group = MatchGroup.objects.create(
        matching=matching,
        kind=kind,
        number=number,
        score=score,
        reasons=_reasons_json(reasons),
        locked=locked,
    )
    if kind == MatchGroup.Kind.TRIAD:
        roles = [MatchMember.Role.MEMBER, MatchMember.Role.BUDDY, MatchMember.Role.SECOND_VISITOR]
    elif kind == MatchGroup.Kind.PAIR:
        roles = [MatchMember.Role.BUDDY] * len(ids)
    else:
        roles = [MatchMember.Role.MEMBER] * len(ids)
    MatchMember.objects.bulk_create(
        MatchMember(group=group, matching=matching, application_id=pk, role=role)
        for pk, role in zip(ids, roles, strict=True)
    )
    return group


@transaction.atomic
def match_group_lock(*, group: MatchGroup, locked: bool, by: User) -> MatchGroup:
    matching = _lock(group.matching.program)
    group = MatchGroup.objects.get(pk=group.pk, matching=matching)
    group.locked = locked
    group.save(update_fields=["locked"])
    _changed(
        matching,
        by=by,
        action=AuditEntry.Action.MATCHING_CHANGE,
        detail=f"{'locked' if locked else 'unlocked'} #{group.number}",
    )
    return group


def _people_by_id(program: Program) -> dict[int, engine.Participant]:
    return {a.pk: to_participant(a, program) for a in participants_of(program)}


def _explain(matching: Matching, group: MatchGroup, people: dict[int, engine.Participant]):
    ids = _member_ids(group)
    members = [people[pk] for pk in ids]
    if group.kind == MatchGroup.Kind.PAIR:
        proposal = engine.explain_pair(*members, pair_rules(matching), fixed=group.locked)
    elif group.kind == MatchGroup.Kind.TRIAD:
        proposal = engine.explain_triad(*members, pair_rules(matching), fixed=group.locked)
    else:
        proposal = engine.explain_group(
            members, group_rules(matching), slot_utc=matching.slot_utc, fixed=group.locked
        )
    group.score = proposal.score
    group.reasons = _reasons_json(proposal.reasons)
    group.save(update_fields=["score", "reasons"])


@dataclass(frozen=True)
class Proposed:
    """A pair, triad or group as a change would leave it; a triad's ids are (host, visitor,
    second visitor), as the engine takes them."""

    kind: str
    ids: tuple[int, ...]


def _label(group: MatchGroup) -> str:
    return f"{group.get_kind_display()} {group.number}"


def matching_validate(
    *,
    matching: Matching,
    people: dict[int, engine.Participant],
    changes: Iterable[MatchGroup] = (),
    proposed: Iterable[Proposed] = (),
) -> None:
    """The one check every change to the pairs and groups passes before anything is written:
    an engine run, a swap, a move, a hand-made pair and a split.

    `changes` are the stored pairs and groups the change would alter or dissolve: a locked one
    refuses it (code "locked") until a coordinator unlocks it. `proposed` are the pairs,
    triads and groups as the change would leave them, made of `people` (the confirmed
    participants): each must keep every rule the engine keeps, as `matching` defines them
    (`pair_rule_violations`, `group_violations`). A refusal's first message says the change
    breaks the rules (code "rules"); then one message per broken rule, in words, with the
    rule's code (a hard constraint's name, "city_missing", "city_balance", "group_size",
    "no_common_language", "session_time").
    """
    _refuse_published(matching)
    locked = []
    for group in changes:
        if not group.locked:
            continue
        departed = [pk for pk in _member_ids(group) if pk not in people]
        if departed:
            message = _(
                "%(match)s is locked, but %(names)s no longer take part. Unlock it, then run "
                "the matching again."
            ) % {"match": _label(group), "names": _names(departed)}
        else:
            message = _("%(match)s is locked. Unlock it before changing it.") % {
                "match": _label(group)
            }
        locked.append(ValidationError(message, code="locked"))
    if locked:
        raise ValidationError(locked)
    proposed = list(proposed)
    _refuse_departed([pk for proposal in proposed for pk in proposal.ids], people)
    cities = sorted({p.city for p in people.values()})
    broken: list[ValidationError] = []
    for proposal in proposed:
        for error in _broken_rules(matching, proposal, people, cities=cities):
            if error.message not in {e.message for e in broken}:
                broken.append(error)
    if broken:
        header = ValidationError(_("This change would break the program’s rules:"), code="rules")
        raise ValidationError([header, *broken])


def _broken_rules(
    matching: Matching, proposal: Proposed, people: dict, *, cities: list[str]
) -> list[ValidationError]:
    """The rules one pair, triad or group breaks, in words, each with its code."""
    from exchange.selectors.matching import describe_reason

    members = [people[pk] for pk in proposal.ids]
    if proposal.kind == MatchGroup.Kind.GROUP:
        rules = group_rules(matching)
        words = {
            "city_missing": _("Every group needs members from every city."),
            "city_balance": _("A group’s numbers from each city may differ by one at most."),
            "group_size": _("Groups have %(min)d to %(max)d members.")
            % {"min": rules.min_size, "max": rules.max_size},
            "no_common_language": _(
                "Everyone in a group must share one language they speak well enough."
            ),
            "session_time": _(
                "The session time falls outside the local window of someone in the group."
            ),
        }
        codes = engine.group_violations(members, rules, cities=cities, slot_utc=matching.slot_utc)
        return [ValidationError(words[code], code=code) for code in codes]

    rules = pair_rules(matching)
    codes = engine.pair_rule_violations(members, rules)
    errors = []
    if "city_balance" in codes:
        message = (
            _("A buddy pair has one participant from each city.")
            if proposal.kind == MatchGroup.Kind.PAIR
            else _("A host’s two visitors both come from the other city.")
        )
        errors.append(ValidationError(message, code="city_balance"))
    if proposal.kind == MatchGroup.Kind.TRIAD:
        reasons = engine.triad_violations(*members, rules)
    else:
        reasons = engine.pair_violations(*members, rules)
    names = {
        a.pk: a.student.display_name
        for a in Application.objects.filter(pk__in=proposal.ids).select_related("student")
    }
    cities = (
        {
            str(pc.city_id): pc.city.name_en
            for pc in matching.program.program_cities.select_related("city")
        }
        if reasons
        else {}
    )
    for reason in reasons:
        message = describe_reason(_reasons_json([reason])[0], names=names, cities=cities)
        errors.append(ValidationError(message, code=reason.detail["constraint"]))
    return errors


def _names(application_ids) -> str:
    applications = Application.objects.filter(pk__in=application_ids).select_related("student")
    return ", ".join(a.student.display_name for a in applications.order_by("pk"))


def _placement(matching: Matching, application_id: int) -> MatchMember | None:
    return (
        MatchMember.objects.filter(matching=matching, application_id=application_id)
        .select_related("group", "application")
        .first()
    )


def _without(ids: tuple[int, ...], pk: int) -> tuple[int, ...]:
    return tuple(i for i in ids if i != pk)


@transaction.atomic
def matching_swap(*, program: Program, first_id: int, second_id: int, by: User) -> None:
    """Two participants of the same city change places. Refused if either's pair or group is
    locked, or a rule would break."""
    matching = _lock(program)
    one, two = _placement(matching, first_id), _placement(matching, second_id)
    if one is None or two is None or one.group_id == two.group_id:
        raise ValidationError(
            _("Choose two participants in different pairs or groups."), code="invalid"
        )
    if one.application.city_id != two.application.city_id:
        raise ValidationError(
            _("Only participants of the same city can change places."), code="city_balance"
        )
    one_group, two_group = one.group, two.group
    swapped = {first_id: second_id, second_id: first_id}
    people = _people_by_id(program)
    matching_validate(
        matching=matching,
        people=people,
        changes=[one_group, two_group],
        proposed=[
            Proposed(g.kind, tuple(swapped.get(pk, pk) for pk in _member_ids(g)))
            for g in (one_group, two_group)
        ],
    )
    one.group, two.group = two_group, one_group
    one.role, two.role = two.role, one.role
    # The unique (matching, application) row stays; only the group changes.
    MatchMember.objects.bulk_update([one, two], ["group", "role"])
    for group in (one_group, two_group):
        _explain(matching, group, people)
    _changed(
        matching,
        by=by,
        action=AuditEntry.Action.MATCHING_CHANGE,
        detail=f"swapped {first_id} and {second_id}",
    )


@transaction.atomic
def matching_move(*, program: Program, application_id: int, group_id: int | None, by: User) -> None:
    """Move a participant into another group, or out of all groups (`group_id=None`)."""
    matching = _lock(program)
    if program.kind == Program.Kind.MUTUAL_VISIT:
        raise ValidationError(
            _(
                "Pairs change by swapping two people of the same city, splitting a pair or "
                "making one."
            ),
            code="invalid",
        )
    member = _placement(matching, application_id)
    leftover = MatchLeftover.objects.filter(
        matching=matching, application_id=application_id
    ).first()
    if member is None and leftover is None:
        raise ValidationError(_("This participant is not part of the matching."), code="invalid")
    target = None
    if group_id is not None:
        target = MatchGroup.objects.filter(pk=group_id, matching=matching).first()
        if target is None:
            raise ValidationError(_("That group is not part of this matching."), code="invalid")
    source = member.group if member is not None else None
    if source is not None and target is not None and source.pk == target.pk:
        raise ValidationError(_("They are already in that group."), code="invalid")
    changes = [g for g in (source, target) if g is not None]
    proposed = []
    if source is not None and _without(_member_ids(source), application_id):
        proposed.append(Proposed(source.kind, _without(_member_ids(source), application_id)))
    if target is not None:
        proposed.append(Proposed(target.kind, (*_member_ids(target), application_id)))
    people = _people_by_id(program)
    matching_validate(matching=matching, people=people, changes=changes, proposed=proposed)

    if member is not None:
        member.delete()
    if target is None:
        if leftover is None:
            MatchLeftover.objects.create(
                matching=matching,
                application_id=application_id,
                reasons=[{"code": "moved_out", "detail": {}}],
            )
    else:
        MatchMember.objects.create(
            group=target,
            matching=matching,
            application_id=application_id,
            role=MatchMember.Role.MEMBER,
        )
        if leftover is not None:
            leftover.delete()
    for group in changes:
        if group.members.exists():
            _explain(matching, group, people)
        else:
            group.delete()  # the last member left it
    _changed(
        matching,
        by=by,
        action=AuditEntry.Action.MATCHING_CHANGE,
        detail=f"moved {application_id}",
    )


@transaction.atomic
def matching_pair(*, program: Program, first_id: int, second_id: int, by: User) -> MatchGroup:
    """Make a buddy pair of two participants the proposal left over."""
    matching = _lock(program)
    if program.kind != Program.Kind.MUTUAL_VISIT:
        raise ValidationError(
            _("Online programs meet in groups: move participants into a group instead."),
            code="invalid",
        )
    leftovers = MatchLeftover.objects.filter(
        matching=matching, application_id__in=[first_id, second_id]
    )
    if first_id == second_id or leftovers.count() != 2:
        raise ValidationError(_("Choose two participants who are not matched yet."), code="invalid")
    ids = tuple(sorted([first_id, second_id]))
    people = _people_by_id(program)
    matching_validate(
        matching=matching, people=people, proposed=[Proposed(MatchGroup.Kind.PAIR, ids)]
    )
    number = (matching.groups.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    group = _store_group(
        matching, kind=MatchGroup.Kind.PAIR, number=number, ids=ids, score=0, reasons=()
    )
    leftovers.delete()
    _explain(matching, group, people)
    _changed(
        matching,
        by=by,
        action=AuditEntry.Action.MATCHING_CHANGE,
        detail=f"paired {first_id} and {second_id}",
    )
    return group


@transaction.atomic
def matching_unpair(*, group: MatchGroup, by: User) -> None:
    """Split a pair or group: its members become unmatched. Refused while it is locked."""
    matching = _lock(group.matching.program)
    group = MatchGroup.objects.get(pk=group.pk, matching=matching)
    matching_validate(matching=matching, people=_people_by_id(matching.program), changes=[group])
    MatchLeftover.objects.bulk_create(
        MatchLeftover(
            matching=matching,
            application_id=m.application_id,
            reasons=[{"code": "moved_out", "detail": {}}],
        )
        for m in group.members.all()
    )
    number = group.number
    group.delete()
    _changed(matching, by=by, action=AuditEntry.Action.MATCHING_CHANGE, detail=f"split #{number}")


@transaction.atomic
def matching_approve(*, program: Program, city_ids: set[int], by: User) -> list[MatchApproval]:
    """The coordinator approves the current version for each of their cities in the program."""
    matching = _lock(program)
    if matching.ran_at is None:
        raise ValidationError(_("Run the matching before approving it."))
    if matching.status == Matching.Status.PUBLISHED:
        raise ValidationError(_("This matching is already published."))
    # Only for the program's cities the coordinator acts for, whatever the caller asks.
    approvals = []
    for city_id in sorted(set(city_ids) & coordinated_city_ids(by, program)):
        approval, _created = MatchApproval.objects.update_or_create(
            matching=matching,
            city_id=city_id,
            defaults={"version": matching.version, "approved_by": by},
        )
        approvals.append(approval)
        audit(
            action=AuditEntry.Action.MATCHING_APPROVE,
            by=by,
            program_id=program.pk,
            city_ids=[city_id],
            detail=f"version {matching.version}",
        )
    return approvals


def _refuse_departed(application_ids, people: dict) -> None:
    departed = [pk for pk in application_ids if pk not in people]
    if departed:
        names = Application.objects.filter(pk__in=departed).select_related("student")
        raise ValidationError(
            _(
                "%(names)s no longer take part (their place is not confirmed). Run the matching "
                "again to replace them."
            )
            % {"names": ", ".join(a.student.display_name for a in names)},
            code="departed",
        )


def missing_approvals(matching: Matching) -> list[int]:
    approved = {a.city_id for a in matching.approvals.all() if a.version == matching.version}
    return [
        pc.city_id for pc in matching.program.program_cities.all() if pc.city_id not in approved
    ]


@transaction.atomic
def matching_publish(*, program: Program, by: User) -> Matching:
    """Publish the version every city approved, and tell each participant who they're with."""
    matching = _lock(program)
    if matching.status == Matching.Status.PUBLISHED:
        raise ValidationError(_("This matching is already published."))
    if missing_approvals(matching):
        raise ValidationError(
            _("Every city’s coordinators must approve this version before it is published."),
            code="not_approved",
        )
    people = _people_by_id(program)
    groups = list(matching.groups.prefetch_related("members"))
    _refuse_departed([pk for g in groups for pk in _member_ids(g)], people)
    # Rules saved or answers changed since the last run may leave a stored pair or group
    # breaking a rule; a locked one is the coordinators' choice and shows its violations.
    matching_validate(
        matching=matching,
        people=people,
        proposed=[Proposed(g.kind, _member_ids(g)) for g in groups if not g.locked],
    )
    matching.status = Matching.Status.PUBLISHED
    matching.published_at = timezone.now()
    matching.save(update_fields=["status", "published_at", "updated_at"])
    # The chat gives the pairs and groups their rooms now (messaging.receivers).
    matching_published.send(sender=Matching, program=program)
    audit(
        action=AuditEntry.Action.MATCHING_PUBLISH,
        by=by,
        program_id=program.pk,
        city_ids=program.program_cities.values_list("city_id", flat=True),
        detail=f"version {matching.version}",
    )
    from exchange.tasks import notify_matching_published

    transaction.on_commit(lambda: notify_matching_published.delay(matching.pk))
    return matching


@transaction.atomic
def matching_reopen(*, program: Program, by: User) -> Matching:
    matching = _lock(program)
    if matching.status != Matching.Status.PUBLISHED:
        raise ValidationError(_("This matching is not published."))
    matching.status = Matching.Status.DRAFT
    matching.save(update_fields=["status", "updated_at"])
    _changed(matching, by=by, action=AuditEntry.Action.MATCHING_CHANGE, detail="reopened")
    return matching


def matching_send_published_emails(*, matching: Matching) -> int:
    """Each matched participant hears who their buddy or group is, in their own language."""
    groups = list(
        matching.groups.prefetch_related(
            Prefetch(
                "members",
                queryset=MatchMember.objects.select_related(
                    "application__student", "application__city"
                ),
            )
        )
    )
    program = matching.program
    online = program.kind == Program.Kind.ONLINE
    sessions = list(program.live_sessions.filter(ends_at__gt=timezone.now())) if online else []
    meets_at = meeting_moment(matching) if online else None
    scheduled = scheduled_slot(program) if online else None
    messages = []
    for group in groups:
        members = list(group.members.all())
        for member in members:
            application = member.application
            student = application.student
            others = [m.application for m in members if m.pk != member.pk]
            messages.append(
                build_templated_email(
                    to=student.email,
                    template="exchange/email/matching_published",
                    context={
                        "student": student,
                        "program": matching.program,
                        "group": group,
                        "others": others,
                        # When the group meets, and the sessions, in their city's time.
                        "meets_at": meets_at if group.kind == MatchGroup.Kind.GROUP else None,
                        "minutes": scheduled[1] if scheduled else matching.session_minutes,
                        "sessions": sessions,
                        "application": application,
                    },
                    language=student.preferred_language,
                    time_zone=application.city.time_zone,
                )
            )
    return send_batch(messages)
