"""Load the demo: the real partner-city network, programs, students and coordinators.

Idempotent: running it again updates what it created and adds nothing twice.
"""

import io
import uuid
import zoneinfo
from datetime import date, datetime, time, timedelta

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone
from django.utils.functional import cached_property
from pypdf import PdfWriter

from accounts import services as account_services
from accounts.models import GuardianConsent, ObserverMembership, User
from accounts.rules import coordinator_city_ids
from core.models import City, Language, Partnership, Theme
from demo import demo_data as demo
from demo.outcomes_plans import seed_plans
from demo.outcomes_surveys import seed_surveys
from exchange.models import (
    Application,
    ApplicationDocument,
    ApplicationEvent,
    Certificate,
    Household,
    HouseholdMember,
    Matching,
    Program,
    RequiredDocument,
    RubricCriterion,
    TripConsent,
)
from exchange.selectors import trips as trip_selectors
from exchange.services import certificates as certificate_services
from exchange.services import households as household_services
from exchange.services import matching as matching_services
from exchange.services import programs as services
from exchange.services import trips as trip_services
from exchange.services.applications import set_application_state
from exchange.services.sessions import session_create
from messaging.models import Room
from messaging.services import message_post, rooms_sync
from outcomes.services import observers as observer_services


def birthday_for_age(age: int, today: date) -> date:
    """A date of birth that makes someone `age` today, with the next birthday half a year away."""
    upcoming = today + timedelta(days=182)
    return date(upcoming.year - age - 1, upcoming.month, min(upcoming.day, 28))


class Command(BaseCommand):
    help = "Load the demo partner-city network, programs and people (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with DEBUG off. The demo accounts share a published password.",
        )

    def handle(self, *args, force: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "The demo accounts have a published password: refusing to run with DEBUG off. "
                "Pass --force if this really is a demo server."
            )
        # The demo's own history (submissions, decisions, certificates) sends no email, so
        # var/mail/ holds only what someone does once the portal is up.
        marker = settings.VAR_DIR / "demo-site-url"
        seeded_for = marker.read_text() if marker.exists() else None
        redraw = seeded_for != settings.SITE_URL and Certificate.objects.exists()
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            with transaction.atomic():
                cities = self.seed_cities()
                self.seed_partnerships(cities)
                users = self.seed_people(cities)
                self.seed_programs(cities, users)
                self.seed_applications(users)
                self.seed_participants(cities, users)
                self.seed_running(cities, users)
                self.seed_past_programs(cities, users)
                self.seed_sessions(users)
                self.seed_chat(users)
                self.seed_trip(cities, users)
                # Outcomes (issue 16): the past program's answered surveys and the running
                # visit's pre-survey; the Siheung–Jilin working group and its plan.
                seed_surveys()
                seed_plans()
            if redraw:
                self.redraw_certificates()
        marker.write_text(settings.SITE_URL)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo loaded: {City.objects.count()} cities, {Partnership.objects.count()} "
                f"partnerships, {Program.objects.count()} programs, "
                f"{Application.objects.count()} applications, {User.objects.count()} "
                f"people. Password for every demo login: {demo.DEMO_PASSWORD}"
            )
        )
        if getattr(settings, "EMAIL_FILE_PATH", None):
            self.stdout.write(f"Emails the portal sends are files in {settings.EMAIL_FILE_PATH}/")

    def redraw_certificates(self) -> None:
        """The demo's certificates carry a QR code for SITE_URL. When the demo is served at
        another address than the one it was seeded for (`make run PORT=8020`), their PDFs are
        drawn again, so the code a phone reads opens this server's verify page."""
        for certificate in Certificate.objects.filter(pdf__gt="").exclude(
            application__student__erased_at__isnull=False
        ):
            with transaction.atomic():
                certificate.pdf.delete(save=True)
                certificate_services.certificate_render(certificate=certificate)

    def seed_cities(self) -> dict[str, City]:
        cities = {}
        for slug, (local, english, country, tz, language) in demo.CITIES.items():
            cities[slug], _ = City.objects.update_or_create(
                slug=slug,
                defaults={
                    "name_local": local,
                    "name_en": english,
                    "country": country,
                    "time_zone": tz,
                    "main_language": Language.objects.get(code=language),
                },
            )
        return cities

    def seed_partnerships(self, cities: dict[str, City]) -> None:
        for one, two, kind, since, status in demo.PARTNERSHIPS:
            a, b = sorted([cities[one], cities[two]], key=lambda c: c.pk)
            Partnership.objects.update_or_create(
                city_a=a, city_b=b, defaults={"kind": kind, "since": since, "status": status}
            )

    def _user(self, email: str, **fields) -> User:
        user, created = User.objects.update_or_create(email=email, defaults=fields)
        if created or not user.check_password(demo.DEMO_PASSWORD):
            user.set_password(demo.DEMO_PASSWORD)
            user.save(update_fields=["password"])
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        return user

    def seed_people(self, cities: dict[str, City]) -> dict[str, User]:
        today = timezone.localdate()
        users = {}
        languages, themes = self._languages, self._themes
        for email, row in demo.STUDENTS.items():
            native, latin, age, city, school, spoken, interests, ui = row
            user = self._user(email)
            account_services.profile_update(
                user=user,
                native_name=native,
                latin_name=latin,
                date_of_birth=birthday_for_age(age, today),
                home_city=cities[city],
                school=school,
                interests=[themes[slug] for slug in interests],
                languages=[(languages[code], level) for code, level in spoken.items()],
                preferred_language=ui,
            )
            users[email] = user
        for email, (guardian, name, relationship, given) in demo.GUARDIANS.items():
            GuardianConsent.objects.update_or_create(
                student=users[email],
                is_current=True,
                defaults={
                    "guardian_email": guardian,
                    "guardian_name": name,
                    "relationship": relationship,
                    "consented_at": timezone.now() if given else None,
                    "withdrawn_at": None,
                },
            )
        for email, (native, latin, city_slugs, ui) in demo.COORDINATORS.items():
            user = self._user(
                email,
                native_name=native,
                latin_name=latin,
                preferred_language=ui,
                home_city=cities[city_slugs[0]],
            )
            for slug in city_slugs:
                account_services.coordinator_add(user=user, city=cities[slug])
            self._authenticator_app(user)
            users[email] = user
        for email, (native, latin, city_slugs, ui) in demo.OBSERVERS.items():
            user = self._user(
                email,
                native_name=native,
                latin_name=latin,
                preferred_language=ui,
                home_city=cities[city_slugs[0]],
                date_of_birth=birthday_for_age(45, today),
            )
            for slug in city_slugs:
                # Named by the city's coordinator, as on the observers page (audited).
                if not ObserverMembership.objects.filter(user=user, city=cities[slug]).exists():
                    observer_services.observer_add(
                        city=cities[slug],
                        email=email,
                        by=self._coordinator(users, cities[slug]),
                    )
            users[email] = user
        users[demo.STAFF_EMAIL] = self._user(
            demo.STAFF_EMAIL,
            native_name="Site Admin",
            latin_name="Site Admin",
            is_staff=True,
            is_superuser=True,
        )
        self._authenticator_app(users[demo.STAFF_EMAIL])
        return users

    @staticmethod
    def _authenticator_app(user: User) -> None:
        """Coordinators and staff need a second factor: the demo's share one published secret,
        so anyone trying the demo can add it to an app, or run `manage.py demo_code`."""
        if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            TOTP.activate(user, demo.DEMO_TOTP_SECRET)

    def seed_programs(self, cities: dict[str, City], users: dict[str, User]) -> None:
        for spec in demo.PROGRAMS:
            by = users[spec["by"]]
            data = self._program_data(spec, cities)
            program = Program.objects.filter(title=spec["title"]).first()
            if program is None and spec.get("running"):
                # Opened first, as it happened; moved to its real dates once its participants
                # are confirmed (seed_running).
                opening = {**spec, "window": (-1, 1), "dates": (2, 8)}
                program = services.program_create(data=self._program_data(opening, cities), by=by)
            elif program is None:
                program = services.program_create(data=data, by=by)
            else:
                program = services.program_update(program=program, data=data, by=by)
            if spec["open"] and program.status == Program.Status.DRAFT:
                services.program_set_status(program=program, status=Program.Status.OPEN, by=by)

    def _program_data(self, spec: dict, cities: dict[str, City]) -> services.ProgramData:
        """A demo program's fields, its dates counted in days from today."""
        today = timezone.localdate()
        languages, themes = self._languages, self._themes

        def moment(offset: int) -> datetime:
            return timezone.make_aware(datetime.combine(today + demo.D * offset, time(9, 0)))

        return services.ProgramData(
            kind=spec["kind"],
            title=spec["title"],
            description=spec["description"],
            themes=[themes[slug] for slug in spec["themes"]],
            quotas={cities[slug]: quota for slug, quota in spec["quotas"].items()},
            applications_open=moment(spec["window"][0]),
            applications_close=moment(spec["window"][1]),
            starts_on=today + demo.D * spec["dates"][0],
            ends_on=today + demo.D * spec["dates"][1],
            min_age=spec["ages"][0],
            max_age=spec["ages"][1],
            working_languages=[languages[code] for code in spec["languages"]],
        )

    def seed_applications(self, users: dict[str, User]) -> None:
        """Rubrics, required documents and the demo students' applications, each walked to its
        state through the one transition function, so the audit trail is real."""
        for program in Program.objects.filter(title__in=[p["title"] for p in demo.PROGRAMS]):
            for position, (name, weight) in enumerate(demo.RUBRIC):
                RubricCriterion.objects.get_or_create(
                    program=program, name=name, defaults={"weight": weight, "position": position}
                )
            for kind in demo.DOCUMENTS[program.kind]:
                RequiredDocument.objects.get_or_create(program=program, kind=kind)
        paths = {
            "draft": [],
            "submitted": ["submitted"],
            "under_review": ["submitted", "under_review"],
            "waitlisted": ["submitted", "under_review", "waitlisted"],
            "accepted": ["submitted", "under_review", "accepted"],
            "confirmed": ["submitted", "under_review", "accepted", "confirmed"],
        }
        for email, (title, state) in demo.APPLICATIONS.items():
            student = users[email]
            program = Program.objects.get(title=title)
            application, created = Application.objects.get_or_create(
                program=program,
                student=student,
                defaults={
                    "city_id": student.home_city_id,
                    "motivation": demo.MOTIVATIONS[email],
                    "gender": "female" if email in demo.FEMALE_STUDENTS else "male",
                    "can_host": True,
                    "other_children": 1,
                    "household_pets": False,
                    "household_smokers": False,
                    "own_room": True,
                    "passport": "valid",
                },
            )
            if not created:
                continue
            self._demo_household(application)
            application.interests.set(student.interests.all())
            for spoken in student.spoken_languages.all():
                application.languages.create(language_id=spoken.language_id, level=spoken.level)
            coordinator = next(
                u for u in users.values() if application.city_id in coordinator_city_ids(u)
            )
            if state != "draft":
                self._attach_demo_documents(application)
            for step in paths[state]:
                by = student if step in {"submitted", "confirmed"} else coordinator
                set_application_state(application, step, by=by)

    def _attach_demo_documents(self, application: Application) -> None:
        """A one-page PDF for each required document, stored like a real upload."""
        writer = PdfWriter()
        writer.add_blank_page(width=595, height=842)
        buffer = io.BytesIO()
        writer.write(buffer)
        for requirement in application.program.required_documents.all():
            document = ApplicationDocument(
                application=application,
                requirement=requirement,
                content_type="application/pdf",
                size=len(buffer.getvalue()),
                original_name=f"{requirement.kind}.pdf",
            )
            document.file.save("demo.pdf", ContentFile(buffer.getvalue()), save=True)

    def seed_participants(self, cities: dict[str, City], users: dict[str, User]) -> None:
        """Confirmed participants for two programs, so matching has real people to work on."""
        for title, by_city in demo.EXTRA_PARTICIPANTS.items():
            program = Program.objects.get(title=title)
            for slug, people in by_city.items():
                city = cities[slug]
                coordinator = self._coordinator(users, city)
                for n, (native, latin, gender) in enumerate(people):
                    student = self._extra_student(city, n, native, latin)
                    self._confirmed_application(program, student, city, coordinator, gender, n)

    def seed_running(self, cities: dict[str, City], users: dict[str, User]) -> None:
        """The programs under way: moved to their dates (applications closed weeks ago)."""
        for spec in demo.PROGRAMS:
            if not spec.get("running"):
                continue
            program = Program.objects.get(title=spec["title"])
            by = users[spec["by"]]
            services.program_update(program=program, data=self._program_data(spec, cities), by=by)
            for status in (Program.Status.CLOSED, Program.Status.RUNNING):
                if status in services.PROGRAM_TRANSITIONS.get(program.status, set()):
                    program = services.program_set_status(program=program, status=status, by=by)

    def seed_past_programs(self, cities: dict[str, City], users: dict[str, User]) -> None:
        for spec, participants, signatories in demo.PAST_PROGRAMS:
            self.seed_past_program(cities, users, spec, participants, signatories)

    def seed_past_program(
        self,
        cities: dict[str, City],
        users: dict[str, User],
        spec: dict,
        participants: dict[str, list],
        signatories: dict[str, str],
    ) -> None:
        """A visit that ended months ago, seeded as it happened: opened to applications,
        filled with confirmed participants, moved to its dates, run and completed. Completing
        each participant issues their certificate, rendered once the seed commits."""
        if Program.objects.filter(title=spec["title"]).exists():
            return
        by = users[spec["by"]]
        for slug, signatory in signatories.items():
            certificate_services.city_branding_save(
                city=cities[slug],
                by=self._coordinator(users, cities[slug]),
                signatory_name=signatory,
            )
        program = services.program_create(
            data=self._program_data({**spec, "window": (-1, 1), "dates": (2, 8)}, cities), by=by
        )
        services.program_set_status(program=program, status=Program.Status.OPEN, by=by)
        completing = []
        for slug, people in participants.items():
            city = cities[slug]
            coordinator = self._coordinator(users, city)
            for n, person in enumerate(people):
                if isinstance(person, str):
                    student = users[person]
                    gender = "female" if person in demo.FEMALE_STUDENTS else "male"
                else:
                    native, latin, gender = person
                    student = self._extra_student(city, n, native, latin)
                application = self._confirmed_application(
                    program, student, city, coordinator, gender, n
                )
                completing.append((application, coordinator))
        services.program_update(program=program, data=self._program_data(spec, cities), by=by)
        for status in (Program.Status.CLOSED, Program.Status.RUNNING, Program.Status.COMPLETED):
            services.program_set_status(program=program, status=status, by=by)
        for application, coordinator in completing:
            set_application_state(application, "completed", by=coordinator)
        self._date_past_program([application for application, _ in completing], spec)

    def _date_past_program(self, applications: list[Application], spec: dict) -> None:
        """Move the past program's history to when it happened: the transitions above ran
        today. Before the seed commits, so the certificates are rendered with these dates."""
        today = timezone.localdate()
        opened, closed = (today + demo.D * offset for offset in spec["window"])
        ended = today + demo.D * spec["dates"][1]
        when = {
            "draft": opened + demo.D,
            "submitted": opened + 2 * demo.D,
            "under_review": closed + demo.D,
            "accepted": closed + 4 * demo.D,
            "confirmed": closed + 7 * demo.D,
            "completed": ended + 3 * demo.D,
        }

        def moment(day: date) -> datetime:
            return timezone.make_aware(datetime.combine(day, time(10, 0)))

        ids = [application.pk for application in applications]
        Application.objects.filter(pk__in=ids).update(
            created_at=moment(when["draft"]), submitted_at=moment(when["submitted"])
        )
        for state, day in when.items():
            ApplicationEvent.objects.filter(application_id__in=ids, to_state=state).update(
                created_at=moment(day)
            )
        Certificate.objects.filter(application_id__in=ids).update(
            issued_at=moment(when["completed"])
        )

    @cached_property
    def _languages(self) -> dict[str, Language]:
        return {language.code: language for language in Language.objects.all()}

    @cached_property
    def _themes(self) -> dict[str, Theme]:
        return {theme.slug: theme for theme in Theme.objects.all()}

    def _coordinator(self, users: dict[str, User], city: City) -> User:
        return next(u for u in users.values() if city.pk in coordinator_city_ids(u))

    def _extra_student(self, city: City, n: int, native: str, latin: str) -> User:
        """One of the extra people: a student of `city` with a profile and a guardian's
        consent; the same person on every run."""
        today = timezone.localdate()
        languages, themes = self._languages, self._themes
        email = f"{latin.lower().replace(' ', '.')}@demo.example"
        student = self._user(email)
        spoken = demo.EXTRA_LANGUAGES[city.main_language_id][n % 3]
        account_services.profile_update(
            user=student,
            native_name=native,
            latin_name=latin,
            date_of_birth=birthday_for_age(15 + n % 3, today),
            home_city=city,
            school="",
            interests=[themes[t] for t in demo.EXTRA_INTERESTS[n % 5]],
            languages=[(languages[code], level) for code, level in spoken.items()],
            preferred_language=demo.EXTRA_UI_LANGUAGE[city.main_language_id],
        )
        GuardianConsent.objects.get_or_create(
            student=student,
            is_current=True,
            defaults={
                "guardian_email": f"parent.{email}",
                "guardian_name": "—",
                "relationship": "guardian",
                "consented_at": timezone.now(),
            },
        )
        return student

    def _demo_household(self, application: Application, *, pets: bool = False) -> None:
        """A visit participant's family home, described by the student and screened and
        approved by their city's coordinator through the services (so the audit trail is
        real); one stays waiting for its home visit (demo.PENDING_HOUSEHOLD)."""
        if not application.is_visit or Household.objects.filter(student=application.student):
            return
        student, city = application.student, application.city
        today = timezone.localdate()
        n = student.pk
        family = student.native_name[:1] if city.country in ("KR", "CN") else ""
        surname = student.latin_name.split(" ")[0]
        districts = demo.DISTRICTS.get(city.slug, [city.name_local])
        district = districts[n % len(districts)]
        phone = demo.HOUSEHOLD_PHONES.get(city.slug, "+82 31 760 {:04d}").format(n)
        data = household_services.HouseholdData(
            family_name=f"{family} ({surname})" if family else surname,
            district=district,
            address=f"{district}, {city.name_local} {100 + n}-{n % 9 + 1} (demo)",
            phone=phone,
            guest_rooms=1,
            guest_beds=1,
            own_room=True,
            pets=demo.PETS.get(city.slug, "one cat") if pets else "",
            smoking=False,
            diets_offered=("vegetarian", "no-pork"),
            language_codes=(city.main_language_id,),
            members=(
                household_services.MemberData(
                    pk=None,
                    name=f"{family or surname} (parent)",
                    relation=HouseholdMember.Relation.PARENT,
                    birth_year=today.year - 45,
                    phone=phone,
                ),
                household_services.MemberData(
                    pk=None,
                    name=student.display_name,
                    relation=HouseholdMember.Relation.HOST_STUDENT,
                    birth_year=student.date_of_birth.year,
                ),
            ),
        )
        household = household_services.household_save(student=student, data=data, by=student)
        household = household_services.household_submit(household=household, by=student)
        if student.email == demo.PENDING_HOUSEHOLD:
            return
        coordinator = next(
            u for u in User.objects.filter(coordinator_memberships__city=city).order_by("pk")
        )
        adults = household.members.filter(relation=HouseholdMember.Relation.PARENT)
        household_services.household_screen(
            household=household,
            data=household_services.ScreeningData(
                today - timedelta(days=20),
                coordinator,
                "Home visit: a quiet room, a desk.",
                2,
                "Two references from the school.",
                today - timedelta(days=10),
            ),
            checks=[
                household_services.MemberCheck(
                    pk=member.pk, status=HouseholdMember.Check.CLEAR, checked_on=today
                )
                for member in adults
            ],
            by=coordinator,
        )
        household_services.household_approve(household=household, by=coordinator)

    def _confirmed_application(
        self, program: Program, student: User, city: City, coordinator: User, gender: str, n: int
    ) -> Application:
        """The student's application to `program`, walked to confirmed when it is new."""
        application, created = Application.objects.get_or_create(
            program=program,
            student=student,
            defaults={
                "city": city,
                "motivation": demo.EXTRA_MOTIVATION,
                "gender": gender,
                "can_host": True,
                "other_children": n % 2,
                "household_pets": n % 4 == 1,
                "household_smokers": False,
                "own_room": True,
                "pet_allergy": n % 5 == 3,
                "passport": "valid",
            },
        )
        if created:
            self._demo_household(application, pets=n % 4 == 1)
            application.interests.set(student.interests.all())
            for row in student.spoken_languages.all():
                application.languages.create(language_id=row.language_id, level=row.level)
            for step in ["submitted", "under_review", "accepted", "confirmed"]:
                actor = student if step in {"submitted", "confirmed"} else coordinator
                set_application_state(application, step, by=actor)
        return application

    def seed_sessions(self, users: dict[str, User]) -> None:
        """A couple of live sessions for the online programs that have none yet."""
        for title, sessions in demo.SESSIONS.items():
            program = Program.objects.get(title=title)
            if program.live_sessions.exists():
                continue
            first = program.program_cities.select_related("city").first().city
            zone = zoneinfo.ZoneInfo(first.time_zone)
            by = next(u for u in users.values() if first.pk in coordinator_city_ids(u))
            for name, day, hour, hours in sessions:
                starts_at = datetime.combine(program.starts_on + demo.D * day, time(hour), zone)
                session_create(
                    program=program,
                    title=name,
                    starts_at=starts_at,
                    ends_at=starts_at + timedelta(hours=hours),
                    by=by,
                )

    def seed_trip(self, cities: dict[str, City], users: dict[str, User]) -> None:
        """The ceramics visit as a trip: its two legs and their itineraries, the travellers'
        emergency information, and the guardians' trip consents, signed but one (so the Trip
        page shows one traveller still waiting)."""
        program = Program.objects.get(title=demo.CHAT_PROGRAM)
        if program.legs.exists():
            return
        today = timezone.localdate()
        for slug, first, last, plan in demo.VISIT_LEGS:
            city = cities[slug]
            coordinator = self._coordinator(users, city)
            leg = trip_services.leg_save(
                program=program,
                host_city_id=city.pk,
                departs_on=today + demo.D * first,
                returns_on=today + demo.D * last,
                emergency_plan=plan,
                by=coordinator,
            )
            for day, starts, ends, kind, place, activity, adult, meet, transport in demo.ITINERARY[
                slug
            ]:
                trip_services.itinerary_item_add(
                    leg=leg,
                    by=coordinator,
                    data={
                        "day": leg.departs_on + demo.D * day,
                        "starts_at": time.fromisoformat(starts),
                        "ends_at": time.fromisoformat(ends) if ends else None,
                        "kind": kind,
                        "place": place,
                        "activity": activity,
                        "responsible_adult": adult,
                        "meeting_point": meet,
                        "transport": transport,
                    },
                )
        travellers = program.applications.filter(state="confirmed").select_related(
            "student", "city"
        )
        for n, application in enumerate(travellers.order_by("pk")):
            insurer, line = demo.INSURERS[application.city.slug]
            guardian = application.student.guardian_consents.filter(is_current=True).first()
            name = guardian.guardian_name if guardian and guardian.guardian_name else "Parent"
            trip_services.emergency_info_save(
                application=application,
                by=application.student,
                data={
                    "contact_1_name": name,
                    "contact_1_relation": "Parent",
                    "contact_1_phone": f"+82 10 5555 {n:04d}",
                    "contact_2_name": "Grandparent",
                    "contact_2_relation": "Grandparent",
                    "contact_2_phone": f"+82 10 6666 {n:04d}",
                    "medical_conditions": "",
                    "allergies": demo.ALLERGIES[n % len(demo.ALLERGIES)],
                    "medications": "",
                    "dietary_needs": "",
                    "insurer": insurer,
                    "policy_number": f"DEMO-{2026}-{n:05d}",
                    "insurance_phone": line,
                },
            )
        consents = list(
            TripConsent.objects.filter(
                application__program=program, is_current=True, signed_at__isnull=True
            )
            .select_related("application__student", "household")
            .order_by("application_id")
        )
        for consent in consents[1:]:
            if not consent.guardian_email:
                continue
            shown = trip_selectors.trip_consent_shown(consent=consent)
            trip_services.trip_consent_sign(
                consent=consent,
                guardian_name=(
                    consent.application.student.guardian_consents.filter(is_current=True)
                    .values_list("guardian_name", flat=True)
                    .first()
                    or "Parent"
                ),
                agreed=True,
                digest=trip_selectors.shown_digest(shown),
            )

    def seed_chat(self, users: dict[str, User]) -> None:
        """Chat rooms to try: the ceramics exchange's matching is published (buddy rooms, with
        a first hello), and the programs with confirmed people get their program rooms."""
        ceramics = Program.objects.get(title=demo.CHAT_PROGRAM)
        matching = matching_services.matching_for(ceramics)
        if matching.status != Matching.Status.PUBLISHED:
            coordinators = [
                next(u for u in users.values() if pc.city_id in coordinator_city_ids(u))
                for pc in ceramics.program_cities.all()
            ]
            matching_services.matching_run(program=ceramics, by=coordinators[0])
            for coordinator in coordinators:
                matching_services.matching_approve(
                    program=ceramics,
                    city_ids=set(coordinator_city_ids(coordinator)),
                    by=coordinator,
                )
            matching_services.matching_publish(program=ceramics, by=coordinators[0])
            everyone = Room.objects.get(program=ceramics, kind=Room.Kind.PROGRAM)
            message_post(
                room=everyone,
                sender=coordinators[0],
                body=demo.CHAT_WELCOME,
                client_id=uuid.uuid4(),
            )
            for room in Room.objects.filter(program=ceramics, kind=Room.Kind.PAIR):
                first = room.applications.order_by("id").first()
                if first is not None:
                    message_post(
                        room=room,
                        sender=first.student,
                        body=demo.CHAT_HELLO[first.city.main_language_id],
                        client_id=uuid.uuid4(),
                    )
        for program in Program.objects.filter(applications__state="confirmed").distinct():
            rooms_sync(program=program)
