"""Matching in the portal: confirmed participants in, explained pairs and groups out, and a
shared record both cities adjust, approve and publish."""

import zoneinfo
from datetime import datetime, time, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db.models import F

from exchange.models import (
    Application,
    ApplicationLanguage,
    AuditEntry,
    LiveSession,
    MatchGroup,
    Matching,
    MatchLeftover,
    Program,
)
from exchange.selectors.matching import describe_reason, matching_page
from exchange.services import matching as services
from tests import factories
from tests.exchange.visit_helpers import home_from_answers

pytestmark = pytest.mark.django_db


def participant(program, city, n: int, *, state="confirmed", languages=None, **fields):
    student = factories.StudentFactory(
        email=f"p{n}@example.org", latin_name=f"Person {n}", native_name=f"사람{n}", home_city=city
    )
    defaults = {
        "gender": "female",
        "can_host": True,
        "household_pets": False,
        "pet_allergy": False,
    }
    application = factories.ApplicationFactory(
        program=program, student=student, state=state, **{**defaults, **fields}
    )
    answers = {**defaults, **fields}
    home_from_answers(
        application,
        can_host=answers["can_host"],
        household_pets=answers["household_pets"],
        diets_offered=answers.get("diets_offered", ()),
    )
    for code, level in (languages or {"en": 3}).items():
        ApplicationLanguage.objects.create(application=application, language_id=code, level=level)
    return application


def groups_of(program) -> list[tuple[str, list[int]]]:
    return [
        (g.kind, sorted(m.application_id for m in g.members.all()))
        for g in MatchGroup.objects.filter(matching__program=program).prefetch_related("members")
    ]


def test_matching_run_pairs_confirmed_participants_only(program_ab, city_a, city_b, carol):
    a1 = participant(program_ab, city_a, 1)
    b1 = participant(program_ab, city_b, 2)
    participant(program_ab, city_a, 3, state="accepted")  # not confirmed: not matched
    participant(program_ab, city_b, 4, state="under_review")

    services.matching_run(program=program_ab, by=carol)

    assert groups_of(program_ab) == [("pair", [a1.pk, b1.pk])]
    assert MatchLeftover.objects.count() == 0
    group = MatchGroup.objects.get()
    assert [r["code"] for r in group.reasons] == [
        "shared_language",
        "age_gap",
        "same_gender",
        "household_ok",
        "household_ok",
    ]


def test_matching_run_everyone_allergic_to_pets_leaves_all_out_with_the_reason(
    program_ab, city_a, city_b, carol
):
    for n in range(2):
        participant(program_ab, city_a, n, pet_allergy=True, household_pets=True)
        participant(program_ab, city_b, 10 + n, pet_allergy=True, household_pets=True)

    services.matching_run(program=program_ab, by=carol)

    assert groups_of(program_ab) == []
    reasons = [
        describe_reason(r, names={}, cities={}) for r in MatchLeftover.objects.first().reasons
    ]
    assert reasons == ["Pet allergy and pets at home: rules out 2 partners."]
    assert MatchLeftover.objects.count() == 4


def test_matching_run_keeps_locked_pairs(program_ab, city_a, city_b, carol):
    a1 = participant(program_ab, city_a, 1, languages={"en": 2})
    a2 = participant(program_ab, city_a, 2, languages={"en": 4})
    b1 = participant(program_ab, city_b, 3, languages={"en": 4})
    services.matching_run(program=program_ab, by=carol)
    first = MatchGroup.objects.get()
    locked_pair = sorted(m.application_id for m in first.members.all())
    services.match_group_lock(group=first, locked=True, by=carol)

    services.matching_run(program=program_ab, by=carol)

    assert groups_of(program_ab) == [("pair", locked_pair)]
    assert MatchGroup.objects.get().locked is True
    assert {a1.pk, a2.pk, b1.pk} - set(locked_pair) == {MatchLeftover.objects.get().application_id}


def test_matching_swap_that_breaks_a_rule_is_refused_and_changes_nothing(
    program_ab, city_a, city_b, carol
):
    participant(program_ab, city_a, 1, gender="female")
    participant(program_ab, city_b, 2, gender="female")
    a3 = participant(program_ab, city_a, 3, gender="male")
    b4 = participant(program_ab, city_b, 4, gender="male")
    services.matching_run(program=program_ab, by=carol)
    before = groups_of(program_ab)
    partner_of_a3 = next(ids for _kind, ids in before if a3.pk in ids)
    female_a = Application.objects.get(student__email="p1@example.org")

    with pytest.raises(ValidationError) as excinfo:
        services.matching_swap(program=program_ab, first_id=a3.pk, second_id=female_a.pk, by=carol)

    assert excinfo.value.messages[0] == "This change would break the program’s rules:"
    assert "Breaks a rule: different genders" in excinfo.value.messages[1]
    assert groups_of(program_ab) == before
    assert b4.pk in partner_of_a3


def test_matching_approvals_are_cleared_by_any_change(program_ab, city_a, city_b, carol, bob):
    participant(program_ab, city_a, 1)
    participant(program_ab, city_b, 2)
    services.matching_run(program=program_ab, by=carol)
    services.matching_approve(program=program_ab, city_ids={city_a.pk}, by=carol)
    services.matching_approve(program=program_ab, city_ids={city_b.pk}, by=bob)
    matching = Matching.objects.get()
    assert services.missing_approvals(matching) == []

    services.match_group_lock(group=MatchGroup.objects.get(), locked=True, by=bob)

    matching.refresh_from_db()
    assert sorted(services.missing_approvals(matching)) == sorted([city_a.pk, city_b.pk])
    with pytest.raises(ValidationError) as excinfo:
        services.matching_publish(program=program_ab, by=carol)
    assert excinfo.value.messages == [
        "Every city’s coordinators must approve this version before it is published."
    ]


def test_matching_approve_covers_only_the_coordinators_own_cities(
    program_ab, city_a, city_b, city_c, carol
):
    participant(program_ab, city_a, 1)
    participant(program_ab, city_b, 2)
    services.matching_run(program=program_ab, by=carol)

    approvals = services.matching_approve(
        program=program_ab, city_ids={city_a.pk, city_c.pk}, by=carol
    )

    assert [a.city_id for a in approvals] == [city_a.pk]


def test_matching_publish_tells_each_participant_in_their_language(
    program_ab, city_a, city_b, carol, bob, django_capture_on_commit_callbacks
):
    a1 = participant(program_ab, city_a, 1)
    b1 = participant(program_ab, city_b, 2)
    a1.student.preferred_language = "ko"
    a1.student.save()
    services.matching_run(program=program_ab, by=carol)
    services.matching_approve(program=program_ab, city_ids={city_a.pk}, by=carol)
    services.matching_approve(program=program_ab, city_ids={city_b.pk}, by=bob)

    with django_capture_on_commit_callbacks(execute=True):
        services.matching_publish(program=program_ab, by=bob)

    assert Matching.objects.get().status == "published"
    by_address = {m.to[0]: m for m in mail.outbox}
    assert sorted(by_address) == ["p1@example.org", "p2@example.org"]
    assert by_address["p2@example.org"].subject == f"{program_ab.title}: meet your buddy"
    assert "사람1 (Person 1)" in by_address["p2@example.org"].body
    assert "사람2 (Person 2)" in by_address["p1@example.org"].body
    assert b1.student.email not in by_address["p1@example.org"].body  # contact stays inside
    assert sorted(
        AuditEntry.objects.filter(action="matching-publish").values_list("city_id", flat=True)
    ) == sorted([city_a.pk, city_b.pk])


def test_matching_publish_of_online_groups_says_when_they_meet_in_each_city(
    city_a, city_b, carol, bob, django_capture_on_commit_callbacks
):
    """The publish email once gave no time at all; now each city reads its own clock."""
    program = factories.ProgramFactory(kind="online", cities={city_a: 9, city_b: 9})
    Matching.objects.create(program=program, group_min_size=4, group_max_size=6, same_gender=False)
    seoul = zoneinfo.ZoneInfo("Asia/Seoul")
    starts = datetime.combine(program.starts_on + timedelta(days=1), time(19), seoul)
    LiveSession.objects.create(
        program=program, title="Kick-off", starts_at=starts, ends_at=starts + timedelta(hours=1)
    )
    people = [participant(program, city_a, n) for n in range(2)]
    people += [participant(program, city_b, 10 + n) for n in range(2)]
    people[0].student.preferred_language = "ko"
    people[0].student.save()
    services.matching_run(program=program, by=carol)
    services.matching_approve(program=program, city_ids={city_a.pk}, by=carol)
    services.matching_approve(program=program, city_ids={city_b.pk}, by=bob)

    with django_capture_on_commit_callbacks(execute=True):
        services.matching_publish(program=program, by=bob)

    by_address = {m.to[0]: m for m in mail.outbox}
    day = (program.starts_on + timedelta(days=1)).strftime("%m/%d/%Y")
    zibo = by_address["p10@example.org"].body
    assert "Your group meets at 18:00 your time (Zibo, UTC+08:00), for 60 minutes." in zibo
    assert f"- Kick-off: {day} 18:00–19:00 (UTC+08:00)" in zibo
    korean = by_address["p0@example.org"].body
    assert "19:00" in korean and "(UTC+09:00)" in korean
    assert "for 60 minutes" not in korean  # in Korean, like the rest of the email


def test_matching_change_after_publishing_is_refused(program_ab, city_a, city_b, carol, bob):
    participant(program_ab, city_a, 1)
    participant(program_ab, city_b, 2)
    services.matching_run(program=program_ab, by=carol)
    services.matching_approve(program=program_ab, city_ids={city_a.pk}, by=carol)
    services.matching_approve(program=program_ab, city_ids={city_b.pk}, by=bob)
    services.matching_publish(program=program_ab, by=bob)

    with pytest.raises(ValidationError) as excinfo:
        services.matching_run(program=program_ab, by=carol)

    assert excinfo.value.messages == ["This matching is published. Reopen it before changing it."]


def test_matching_run_for_a_three_city_visit_explains_why_not(city_a, city_b, city_d, carol):
    program = factories.ProgramFactory(cities={city_a: 3, city_b: 3, city_d: 3})

    with pytest.raises(ValidationError) as excinfo:
        services.matching_run(program=program, by=carol)

    assert excinfo.value.messages == [
        "Buddy pairs are made between two cities, and this program has 3. "
        "Split it into two-city programs to match homestays."
    ]


def test_matching_run_online_forms_balanced_groups_at_one_session_time(city_a, city_b, carol):
    program = factories.ProgramFactory(kind="online", cities={city_a: 9, city_b: 9})
    Matching.objects.create(
        program=program,
        group_min_size=4,
        group_max_size=6,
        window_start=time(16),
        same_gender=False,
    )
    for n in range(5):
        participant(program, city_a, n)
        participant(program, city_b, 10 + n)

    services.matching_run(program=program, by=carol)

    matching = Matching.objects.get()
    page = matching_page(program=Program.objects.get(pk=program.pk), matching=matching)
    sizes = sorted(len(view.members) for view in page.groups)
    assert sizes == [5, 5]
    for view in page.groups:
        counts = sorted(
            sum(1 for a in view.members if a.city_id == city.pk) for city in (city_a, city_b)
        )
        assert counts[1] - counts[0] <= 1
    # Seoul (UTC+9) and Zibo (UTC+8) both open at 16:00 local: 08:00 UTC suits everyone.
    assert matching.slot_utc == 8 * 60
    assert [(c.name_en, local, offset) for c, local, offset in page.local_slots] == [
        ("Gwangju (Gyeonggi)", "17:00", "UTC+09:00"),
        ("Zibo", "16:00", "UTC+08:00"),
    ]
    assert {r for view in page.groups for r in view.reasons if r.startswith("Meets")} == {
        "Meets at 17:00 in Gwangju (Gyeonggi) (UTC+09:00) and 16:00 in Zibo (UTC+08:00), "
        "for 60 minutes."
    }
    assert page.sessions_elsewhere is False


def test_matching_run_online_with_sessions_scheduled_meets_at_their_time(city_a, city_b, carol):
    """Found in a user trial: the matching said 08:00 UTC (17:00 in Gwangju) while the live
    sessions were at 19:00 in Seoul. Once sessions are scheduled, the groups meet then."""
    program = factories.ProgramFactory(kind="online", cities={city_a: 9, city_b: 9})
    Matching.objects.create(program=program, group_min_size=4, group_max_size=6, same_gender=False)
    seoul = zoneinfo.ZoneInfo("Asia/Seoul")
    for day in (1, 8, 15):
        starts = datetime.combine(program.starts_on + timedelta(days=day), time(19), seoul)
        LiveSession.objects.create(
            program=program,
            title=f"Week {day}",
            starts_at=starts,
            ends_at=starts + timedelta(hours=1),
        )
    for n in range(5):
        participant(program, city_a, n)
        participant(program, city_b, 10 + n)

    services.matching_run(program=program, by=carol)

    matching = Matching.objects.get()
    page = matching_page(program=Program.objects.get(pk=program.pk), matching=matching)
    assert matching.slot_utc == 10 * 60
    assert [(c.name_en, local, offset) for c, local, offset in page.local_slots] == [
        ("Gwangju (Gyeonggi)", "19:00", "UTC+09:00"),
        ("Zibo", "18:00", "UTC+08:00"),
    ]
    assert page.sessions_elsewhere is False

    LiveSession.objects.filter(program=program).update(
        starts_at=F("starts_at") + timedelta(hours=1), ends_at=F("ends_at") + timedelta(hours=1)
    )
    page = matching_page(program=Program.objects.get(pk=program.pk), matching=matching)
    assert page.sessions_elsewhere is True


def test_matching_move_in_online_groups_keeps_every_city_in_every_group(city_a, city_b, carol):
    program = factories.ProgramFactory(kind="online", cities={city_a: 9, city_b: 9})
    Matching.objects.create(program=program, group_min_size=2, group_max_size=5, same_gender=False)
    for n in range(4):
        participant(program, city_a, n)
        participant(program, city_b, 10 + n)
    services.matching_run(program=program, by=carol)
    first, second = MatchGroup.objects.order_by("number")
    movers = [m.application_id for m in first.members.all() if m.application.city_id == city_a.pk]

    services.matching_move(program=program, application_id=movers[0], group_id=second.pk, by=carol)
    after_first_move = groups_of(program)
    with pytest.raises(ValidationError) as excinfo:
        services.matching_move(
            program=program, application_id=movers[1], group_id=second.pk, by=carol
        )

    # The group left behind loses its last A member; the other gets 4 from A, 2 from B.
    assert excinfo.value.messages == [
        "This change would break the program’s rules:",
        "Every group needs members from every city.",
        "A group’s numbers from each city may differ by one at most.",
        "Groups have 2 to 5 members.",
    ]
    assert groups_of(program) == after_first_move
    assert sorted(len(ids) for _kind, ids in after_first_move) == [3, 5]
