"""factory_boy factories with no surprises: every default is visible here."""

from datetime import timedelta

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.utils import timezone

from accounts.models import (
    CoordinatorMembership,
    GuardianConsent,
    ObserverMembership,
    SpokenLanguage,
    User,
)
from core.models import City, Language, Partnership, Theme
from exchange.models import Application, Program, ProgramCity

PASSWORD = "correct-horse-battery-staple"
# Coordinators and staff get a real authenticator app (allauth's TOTP record) with this secret:
# the portal opens no coordinator or admin page without one. totp_code() is what the app shows.
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def totp_code(secret: str = TOTP_SECRET, *, at: float | None = None) -> str:
    """The six digits an authenticator app shows now (or at the Unix time `at`)."""
    import time

    return format_hotp_value(hotp_value(secret, int(at if at is not None else time.time()) // 30))


def give_second_factor(user) -> None:
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, TOTP_SECRET)


def birth_date_for(age: int):
    """A date of birth that makes someone `age` today, the next birthday half a year away."""
    upcoming = timezone.localdate() + timedelta(days=182)
    return upcoming.replace(year=upcoming.year - age - 1, day=min(upcoming.day, 28))


class CityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = City
        django_get_or_create = ["slug"]

    slug = factory.Sequence(lambda n: f"city-{n}")
    name_local = factory.Sequence(lambda n: f"도시{n}")
    name_en = factory.Sequence(lambda n: f"City {n}")
    country = "KR"
    time_zone = "Asia/Seoul"
    main_language_id = "ko"


class PartnershipFactory(factory.django.DjangoModelFactory):
    """Pass `cities=(one, two)`; they are stored in id order as the model requires."""

    class Meta:
        model = Partnership
        exclude = ["cities"]

    cities = None
    city_a = factory.LazyAttribute(lambda o: min(o.cities, key=lambda c: c.pk))
    city_b = factory.LazyAttribute(lambda o: max(o.cities, key=lambda c: c.pk))
    kind = "sister"
    since = 2003
    status = "active"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["email"]
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    native_name = ""
    latin_name = ""
    preferred_language = "en"

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or PASSWORD)
        if create:
            self.save(update_fields=["password"])
            EmailAddress.objects.get_or_create(
                user=self, email=self.email, defaults={"verified": True, "primary": True}
            )


class StudentFactory(UserFactory):
    """A student with a complete profile. `age` sets the date of birth; `consent` may be
    "given" or "pending" to create a guardian consent record."""

    class Params:
        age = 17

    native_name = factory.Sequence(lambda n: f"학생{n}")
    latin_name = factory.Sequence(lambda n: f"Student {n}")
    date_of_birth = factory.LazyAttribute(lambda o: birth_date_for(o.age))
    home_city = factory.SubFactory(CityFactory)
    school = "Test High School"

    @factory.post_generation
    def languages(self, create, extracted, **kwargs):
        if create:
            for code, level in (extracted or {"ko": 4, "en": 2}).items():
                SpokenLanguage.objects.create(user=self, language_id=code, level=level)

    @factory.post_generation
    def consent(self, create, extracted, **kwargs):
        if create and extracted:
            GuardianConsent.objects.create(
                student=self,
                guardian_email=f"guardian.{self.email}",
                guardian_name="Guardian" if extracted == "given" else "",
                relationship="mother" if extracted == "given" else "",
                consented_at=timezone.now() if extracted == "given" else None,
            )


class CoordinatorFactory(UserFactory):
    native_name = factory.Sequence(lambda n: f"코디{n}")
    latin_name = factory.Sequence(lambda n: f"Coordinator {n}")
    date_of_birth = factory.LazyFunction(lambda: birth_date_for(40))

    @factory.post_generation
    def second_factor(self, create, extracted, **kwargs):
        """An authenticator app unless `second_factor=False`."""
        if create and extracted is not False:
            give_second_factor(self)

    @factory.post_generation
    def cities(self, create, extracted, **kwargs):
        if create:
            for city in extracted or []:
                CoordinatorMembership.objects.create(user=self, city=city)
            if extracted:
                self.home_city = extracted[0]
                self.save(update_fields=["home_city"])


class ObserverFactory(UserFactory):
    """A read-only observer of `cities` (the mayor's office): figures, plans and reports."""

    native_name = factory.Sequence(lambda n: f"관찰자{n}")
    latin_name = factory.Sequence(lambda n: f"Observer {n}")
    date_of_birth = factory.LazyFunction(lambda: birth_date_for(45))

    @factory.post_generation
    def cities(self, create, extracted, **kwargs):
        if create:
            for city in extracted or []:
                ObserverMembership.objects.create(user=self, city=city)
            if extracted:
                self.home_city = extracted[0]
                self.save(update_fields=["home_city"])


class StaffFactory(UserFactory):
    """Site staff with the admin, and the authenticator app staff must have."""

    email = factory.Sequence(lambda n: f"staff{n}@example.org")
    latin_name = factory.Sequence(lambda n: f"Staff {n}")
    is_staff = True
    is_superuser = True

    @factory.post_generation
    def second_factor(self, create, extracted, **kwargs):
        if create and extracted is not False:
            give_second_factor(self)


class ProgramFactory(factory.django.DjangoModelFactory):
    """An open mutual-visit program. Pass `cities={city: quota}`."""

    class Meta:
        model = Program
        skip_postgeneration_save = True

    kind = "visit"
    title = factory.Sequence(lambda n: f"Exchange {n}")
    description = "Students from both cities visit each other."
    applications_open = factory.LazyFunction(lambda: timezone.now() - timedelta(days=5))
    applications_close = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))
    starts_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=60))
    ends_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=70))
    min_age = 14
    max_age = 18
    status = "open"

    @factory.post_generation
    def cities(self, create, extracted, **kwargs):
        if create:
            for city, quota in (extracted or {}).items():
                ProgramCity.objects.create(program=self, city=city, quota=quota)

    @factory.post_generation
    def themes(self, create, extracted, **kwargs):
        if create:
            self.themes.set(Theme.objects.filter(slug__in=extracted or ["culture-arts"]))

    @factory.post_generation
    def languages(self, create, extracted, **kwargs):
        if create:
            self.working_languages.set(Language.objects.filter(code__in=extracted or ["ko", "en"]))


class ApplicationFactory(factory.django.DjangoModelFactory):
    """An application in `state`, by a student of one of the program's cities (pass both)."""

    class Meta:
        model = Application

    program = None
    student = None
    city = factory.LazyAttribute(lambda o: o.student.home_city)
    state = "under_review"
    motivation = "I want to meet students from our partner city."
