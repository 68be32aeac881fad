"""Host households as screened records: the family describes the home, the host city screens it
against its care policy and approves it for a year; backups for a published matching."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from exchange.models import (
    AuditEntry,
    BackupHousehold,
    CityCarePolicy,
    Household,
    HouseholdMember,
    HouseholdScreening,
)
from exchange.services import households as services
from tests import factories
from tests.exchange.visit_helpers import build_visit, household_for

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year


def home(**overrides) -> services.HouseholdData:
    fields = {
        "family_name": "Kim",
        "district": "Gyeongan-dong",
        "address": "12 Example-ro, Gwangju",
        "phone": "+82 31 760 0000",
        "guest_rooms": 1,
        "guest_beds": 1,
        "own_room": True,
        "pets": "",
        "smoking": False,
        "diets_offered": ("vegetarian",),
        "language_codes": ("ko", "en"),
        "members": (
            services.MemberData(None, "Kim Mother", "parent", YEAR - 45, "+82 10 1234 5678"),
            services.MemberData(None, "Kim Alice", "host-student", YEAR - 17),
        ),
    }
    fields.update(overrides)
    return services.HouseholdData(**fields)


def audit_actions() -> list[tuple[str, int | None]]:
    return list(AuditEntry.objects.order_by("pk").values_list("action", "city_id"))


@pytest.fixture
def submitted(alice):
    household = services.household_save(student=alice, data=home(), by=alice)
    return services.household_submit(household=household, by=alice)


def complete_screening(household, carol, **overrides):
    adults = [m for m in household.members.all() if m.is_adult_in(YEAR)]
    data = {
        "home_visit_on": timezone.localdate(),
        "home_visit_by": carol,
        "home_visit_notes": "Tidy home, a room for the guest.",
        "references_checked": 2,
        "references_notes": "Two teachers.",
        "orientation_on": timezone.localdate(),
    }
    data.update(overrides)
    checks = [
        services.MemberCheck(pk=m.pk, status="clear", checked_on=timezone.localdate())
        for m in adults
    ]
    return services.household_screen(
        household=household, data=services.ScreeningData(**data), checks=checks, by=carol
    )


def test_household_save_creates_the_home_with_its_members_in_the_students_city(alice, city_a):
    household = services.household_save(student=alice, data=home(), by=alice)

    assert (household.city_id, household.status, household.address) == (
        city_a.pk,
        "draft",
        "12 Example-ro, Gwangju",
    )
    assert sorted(household.members.values_list("name", "relation")) == [
        ("Kim Alice", "host-student"),
        ("Kim Mother", "parent"),
    ]
    assert sorted(household.languages.values_list("code", flat=True)) == ["en", "ko"]


def test_household_save_without_a_home_city_is_refused(alice):
    alice.home_city = None
    alice.save()

    with pytest.raises(ValidationError) as error:
        services.household_save(student=alice, data=home(), by=alice)

    assert error.value.messages == [
        "Set your home city in your profile first: the home is screened by your city’s "
        "coordinators."
    ]
    assert Household.objects.count() == 0


def test_household_save_adult_without_phone_is_refused_and_nothing_written(alice):
    members = (
        services.MemberData(None, "Kim Father", "parent", YEAR - 50, ""),
        services.MemberData(None, "Kim Alice", "host-student", YEAR - 17),
    )

    with pytest.raises(ValidationError) as error:
        services.household_save(student=alice, data=home(members=members), by=alice)

    assert error.value.messages == ["Kim Father is an adult: give their phone number."]
    assert (Household.objects.count(), HouseholdMember.objects.count()) == (0, 0)


def test_household_save_without_the_host_student_is_refused(alice):
    members = (services.MemberData(None, "Kim Mother", "parent", YEAR - 45, "+82 10"),)

    with pytest.raises(ValidationError) as error:
        services.household_save(student=alice, data=home(members=members), by=alice)

    assert error.value.messages == ["List the host student among the people who live in the home."]


def test_household_save_by_another_student_is_refused(alice, mina):
    services.household_save(student=alice, data=home(), by=alice)

    with pytest.raises(ValidationError) as error:
        services.household_save(student=alice, data=home(family_name="Lee"), by=mina)

    assert error.value.messages == ["You can’t change this household."]
    assert Household.objects.get().family_name == "Kim"


def test_household_submit_opens_a_screening_round_and_audits_for_the_city(submitted, city_a):
    assert (submitted.status, submitted.screenings.count()) == ("submitted", 1)
    assert audit_actions() == [("household-submit", city_a.pk)]


def test_household_approve_with_nothing_done_lists_every_missing_item(submitted, carol):
    with pytest.raises(ValidationError) as error:
        services.household_approve(household=submitted, by=carol)

    assert error.value.messages == [
        "The checklist is not complete. Still missing:",
        "The home visit: its date and who made it.",
        "References: 0 of 2 checked.",
        "Kim Mother: a clear background check, with its date.",
        "The date the family attended the orientation.",
    ]
    assert Household.objects.get().status == "submitted"


def test_household_approve_with_the_checklist_done_approves_for_a_year(
    submitted, carol, city_a, settings
):
    complete_screening(submitted, carol)

    household = services.household_approve(household=submitted, by=carol)

    today = timezone.localdate()
    assert (household.status, household.approved_on, household.approved_until) == (
        "approved",
        today,
        today + timedelta(days=settings.HOUSEHOLD_APPROVAL_DAYS),
    )
    assert HouseholdScreening.objects.get().decision == "approved"
    assert audit_actions() == [
        ("household-submit", city_a.pk),
        ("household-screen", city_a.pk),
        ("household-approve", city_a.pk),
    ]


def test_household_approve_follows_the_citys_policy_without_checks_or_visit(
    submitted, carol, city_a
):
    CityCarePolicy.objects.create(
        city=city_a,
        requires_home_visit=False,
        references_required=0,
        background_checks=CityCarePolicy.BackgroundChecks.NOT_PERMITTED,
        requires_orientation=False,
    )

    household = services.household_approve(household=submitted, by=carol)

    assert household.status == "approved"


def test_household_screen_by_the_partner_citys_coordinator_is_refused(submitted, bob):
    with pytest.raises(ValidationError) as error:
        complete_screening(submitted, bob)

    assert error.value.messages == ["Only the host city’s coordinators screen a household."]
    assert HouseholdScreening.objects.get().references_checked == 0


def test_household_approve_by_the_partner_citys_coordinator_is_refused(submitted, carol, bob):
    complete_screening(submitted, carol)

    with pytest.raises(ValidationError) as error:
        services.household_approve(household=submitted, by=bob)

    assert error.value.messages == ["Only the host city’s coordinators screen a household."]
    assert Household.objects.get().status == "submitted"


def test_household_screen_a_concern_blocks_approval(submitted, carol):
    complete_screening(submitted, carol)
    mother = submitted.members.get(relation="parent")
    services.household_screen(
        household=submitted,
        data=services.ScreeningData(timezone.localdate(), carol, "", 2, "", timezone.localdate()),
        checks=[services.MemberCheck(pk=mother.pk, status="concern", checked_on=None)],
        by=carol,
    )

    with pytest.raises(ValidationError) as error:
        services.household_approve(household=submitted, by=carol)

    assert error.value.messages == [
        "The checklist is not complete. Still missing:",
        "Kim Mother: the background check raised a concern.",
    ]


def test_household_refuse_records_the_reason_for_the_family(submitted, carol, city_a):
    services.household_refuse(household=submitted, reason="No room for a guest.", by=carol)

    screening = HouseholdScreening.objects.get()
    assert (Household.objects.get().status, screening.decision, screening.decision_note) == (
        "not-approved",
        "not-approved",
        "No room for a guest.",
    )
    assert audit_actions()[-1] == ("household-refuse", city_a.pk)


def test_household_edit_of_a_screened_fact_after_approval_sends_it_back_to_screening(
    submitted, alice, carol
):
    complete_screening(submitted, carol)
    services.household_approve(household=submitted, by=carol)

    household = services.household_save(student=alice, data=home(pets="a dog"), by=alice)

    assert (household.status, household.approved_until) == ("submitted", None)
    assert list(HouseholdScreening.objects.values_list("decision", flat=True)) == [
        "pending",
        "approved",
    ]


def test_household_edit_of_the_family_name_after_approval_keeps_the_approval(
    submitted, alice, carol
):
    complete_screening(submitted, carol)
    services.household_approve(household=submitted, by=carol)
    members = tuple(
        services.MemberData(m.pk, m.name, m.relation, m.birth_year, m.phone)
        for m in submitted.members.all()
    )

    household = services.household_save(
        student=alice, data=home(family_name="Kim-Park", members=members), by=alice
    )

    assert household.status == "approved"


def test_care_policy_save_by_another_citys_coordinator_is_refused(city_a, bob):
    data = services.CarePolicyData(False, 0, "optional", False, False, "all", None)

    with pytest.raises(ValidationError) as error:
        services.care_policy_save(city=city_a, data=data, by=bob)

    assert error.value.messages == ["Only the city’s own coordinators change its care policy."]
    assert CityCarePolicy.objects.count() == 0


# --- Backup households ---------------------------------------------------------------------


@pytest.fixture
def visit(city_a, city_b):
    return build_visit(city_a, city_b, pairs=1)


def spare_household(city):
    """An approved household of `city` whose student takes no part in the visit."""
    student = factories.StudentFactory(home_city=city, age=16)
    other = factories.ProgramFactory(cities={city: 2})
    application = factories.ApplicationFactory(program=other, student=student)
    return household_for(application, family_name="Spare family")


def test_household_backup_name_by_the_host_citys_coordinator_is_saved_and_audited(
    visit, carol, city_a, city_b
):
    spare = spare_household(city_a)
    group, guest = visit.groups[0], visit.b[0]

    services.household_backup_name(group=group, visitor=guest, household=spare, by=carol)

    assert list(BackupHousehold.objects.values_list("visitor_id", "household_id")) == [
        (guest.pk, spare.pk)
    ]
    assert sorted(
        AuditEntry.objects.filter(action="household-backup").values_list("city_id", flat=True)
    ) == sorted([city_a.pk, city_b.pk])


def test_household_backup_name_by_the_guests_city_is_refused(visit, bob, city_a):
    spare = spare_household(city_a)

    with pytest.raises(ValidationError) as error:
        services.household_backup_name(
            group=visit.groups[0], visitor=visit.b[0], household=spare, by=bob
        )

    assert error.value.messages == ["Only the host city’s coordinators name a backup household."]
    assert BackupHousehold.objects.count() == 0


def test_household_backup_name_a_household_already_hosting_is_refused(visit, carol):
    hosting = visit.households[visit.a[0].pk]

    with pytest.raises(ValidationError) as error:
        services.household_backup_name(
            group=visit.groups[0], visitor=visit.b[0], household=hosting, by=carol
        )

    assert error.value.messages == [
        "A backup is an approved household of the host city that does not already host in "
        "this program."
    ]


def test_household_screen_keeps_a_check_copy_only_where_the_policy_keeps_one(
    submitted, carol, city_a
):
    from exchange.uploads import CleanUpload

    mother = submitted.members.get(relation="parent")
    copy = CleanUpload(b"%PDF-1.4 check", "application/pdf", ".pdf", "check.pdf")
    data = services.ScreeningData(None, None, "", 0, "", None)
    check = services.MemberCheck(
        pk=mother.pk, status="clear", checked_on=timezone.localdate(), document=copy
    )

    with pytest.raises(ValidationError) as error:
        services.household_screen(household=submitted, data=data, checks=[check], by=carol)
    CityCarePolicy.objects.create(city=city_a, keeps_check_documents=True)
    services.household_screen(household=submitted, data=data, checks=[check], by=carol)

    assert error.value.messages == ["This city’s policy keeps no copy of background checks."]
    mother.refresh_from_db()
    with mother.background_check_document.open("rb") as stored:
        assert stored.read() == b"%PDF-1.4 check"
