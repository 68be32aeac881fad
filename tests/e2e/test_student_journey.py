"""A visitor becomes a student: sign up, verify the email, fill in the profile, find a program."""

import re

import pytest
from allauth.account.models import EmailAddress
from playwright.sync_api import Page, expect

from accounts.models import User
from core.models import Theme
from exchange.models import Program
from tests import factories
from tests.e2e.conftest import htmx_swap, scripts_ready, verification_path

pytestmark = pytest.mark.e2e

EMAIL = "haneul@example.org"


@pytest.fixture
def programs(city_a, city_b, city_c) -> dict[str, Program]:
    """The program the student is after, and two that the kind and city filters leave out."""
    other = factories.CityFactory(slug="other", name_local="다른시", name_en="Other")
    factories.PartnershipFactory(cities=(city_c, other))
    return {
        "wanted": factories.ProgramFactory(
            title="Ceramics summer in Gwangju", cities={city_a: 5, city_b: 5}, themes=["ceramics"]
        ),
        "online": factories.ProgramFactory(
            title="Online language café", kind="online", cities={city_a: 8, city_b: 8}
        ),
        "elsewhere": factories.ProgramFactory(
            title="Siheung harbour visit", cities={city_c: 4, other: 4}
        ),
    }


def _sign_up(page: Page, *, email: str, age: int) -> None:
    """Fills the signup form. Selectors avoid visible text so they work in every language."""
    page.locator(".main-nav a[href='/accounts/signup/']").click()
    expect(page).to_have_url(re.compile(r"/accounts/signup/$"))
    page.locator("#id_email").fill(email)
    page.locator("#id_date_of_birth").fill(factories.birth_date_for(age).isoformat())
    page.locator("#id_password1").fill(factories.PASSWORD)
    page.locator("#id_password2").fill(factories.PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/accounts/confirm-email/$"))


def _confirm_email(page: Page, mailoutbox, email: str) -> None:
    page.goto(verification_path(mailoutbox, email))
    page.locator("main form button[type=submit]").click()


def _fill_profile(page: Page, city_a, *, age: int, interface_language: str) -> None:
    page.locator("#id_native_name").fill("김하늘")
    page.locator("#id_latin_name").fill("Kim Haneul")
    page.locator("#id_date_of_birth").fill(factories.birth_date_for(age).isoformat())
    page.locator("#id_home_city").select_option(str(city_a.pk))
    page.locator("#id_school").fill("Gwangju High School")
    for slug in ("ceramics", "history"):
        page.locator(f"input[name=interests][value='{_theme_pk(slug)}']").check()
    page.locator("#id_lang_ko").select_option("4")
    page.locator("#id_lang_en").select_option("2")
    page.locator("#id_preferred_language").select_option(interface_language)
    page.locator("main form button[type=submit]").click()


def _theme_pk(slug: str) -> int:
    return Theme.objects.get(slug=slug).pk


def _filter_programs(page: Page, city_a) -> None:
    """Picks a kind, then a city; each change swaps the results in place and updates the URL."""
    scripts_ready(page)
    with htmx_swap(page):
        page.locator("#id_kind").select_option("visit")
    expect(page).to_have_url(re.compile(r"/programs/\?kind=visit&city=&"))
    expect(page.locator("#results .program-card h3")).to_have_text(
        ["Ceramics summer in Gwangju", "Siheung harbour visit"]
    )
    with htmx_swap(page):
        page.locator("#id_city").select_option(city_a.slug)
    expect(page).to_have_url(re.compile(rf"/programs/\?kind=visit&city={city_a.slug}&"))


def _assert_student_saved(*, preferred_language: str, city_a) -> None:
    user = User.objects.get(email=EMAIL)
    assert (
        user.native_name,
        user.latin_name,
        user.date_of_birth,
        user.home_city,
        user.school,
        user.preferred_language,
    ) == (
        "김하늘",
        "Kim Haneul",
        factories.birth_date_for(16),
        city_a,
        "Gwangju High School",
        preferred_language,
    )
    assert set(user.interests.values_list("slug", flat=True)) == {"ceramics", "history"}
    assert set(user.spoken_languages.values_list("language_id", "level")) == {("ko", 4), ("en", 2)}
    assert list(EmailAddress.objects.filter(user=user).values_list("email", "verified")) == [
        (EMAIL, True)
    ]


@pytest.mark.journey
def test_student_journey_signup_to_program_page(page: Page, mailoutbox, city_a, programs):
    page.goto("/")
    _sign_up(page, email=EMAIL, age=16)
    expect(page.locator("main h1")).to_have_text("Verify Your Email Address")

    _confirm_email(page, mailoutbox, EMAIL)
    expect(page).to_have_url(re.compile(r"/me/profile/$"))
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    expect(page.get_by_role("link", name="Sign in")).to_have_count(0)
    expect(page.locator("#id_date_of_birth")).to_have_value(
        factories.birth_date_for(16).isoformat()
    )

    _fill_profile(page, city_a, age=16, interface_language="en")
    expect(page).to_have_url(re.compile(r"/me/profile/$"))
    expect(page.locator(".message-success")).to_have_text("Your profile was saved.")
    expect(page.locator("#id_native_name")).to_have_value("김하늘")
    _assert_student_saved(preferred_language="en", city_a=city_a)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Programs").click()
    expect(page).to_have_url(re.compile(r"/programs/$"))
    expect(page.locator("main h1")).to_have_text("Open programs")
    expect(page.locator("#results .count")).to_have_text("3 programs")

    _filter_programs(page, city_a)
    expect(page.locator("#results .count")).to_have_text("1 program")
    expect(page.locator("#results .program-card h3")).to_have_text(["Ceramics summer in Gwangju"])
    # The filter swaps the results in place: the page keeps one header and one heading.
    expect(page.locator("header.site-header")).to_have_count(1)
    expect(page.locator("h1")).to_have_count(1)

    page.get_by_role("link", name="Ceramics summer in Gwangju").click()
    expect(page).to_have_url(re.compile(rf"/programs/{programs['wanted'].pk}/$"))
    expect(page.locator("main h1")).to_have_text("Ceramics summer in Gwangju")
    expect(page.locator(".notice-ok")).to_have_text(
        "You will be 16 when the program starts: your age fits."
    )


def test_student_journey_in_korean_keeps_language(page: Page, mailoutbox, city_a, programs):
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    scripts_ready(page)
    page.locator("#language-select").select_option(label="한국어")
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("navigation").get_by_role("link")).to_have_text(
        ["프로그램", "교류 도시", "로그인", "회원가입"]
    )

    _sign_up(page, email=EMAIL, age=16)
    expect(page.locator("html")).to_have_attribute("lang", "ko")

    _confirm_email(page, mailoutbox, EMAIL)
    expect(page).to_have_url(re.compile(r"/me/profile/$"))
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    # Signing up while the portal spoke Korean made Korean the account's interface language.
    expect(page.locator("#id_preferred_language")).to_have_value("ko")
    assert User.objects.get(email=EMAIL).preferred_language == "ko"

    _fill_profile(page, city_a, age=16, interface_language="ko")
    expect(page).to_have_url(re.compile(r"/me/profile/$"))
    expect(page.locator(".message-success")).to_have_text("프로필을 저장했어요.")
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    _assert_student_saved(preferred_language="ko", city_a=city_a)

    page.locator(".main-nav a[href='/programs/']").click()
    expect(page).to_have_url(re.compile(r"/programs/$"))
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    expect(page.locator("main h1")).to_have_text("모집 중인 프로그램")
    _filter_programs(page, city_a)
    expect(page.locator("#results .program-card h3")).to_have_text(["Ceramics summer in Gwangju"])

    page.locator(f"#results a[href='/programs/{programs['wanted'].pk}/']").click()
    expect(page).to_have_url(re.compile(rf"/programs/{programs['wanted'].pk}/$"))
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    expect(page.locator("main h1")).to_have_text("Ceramics summer in Gwangju")
    expect(page.locator(".notice-ok")).to_have_text(
        "프로그램이 시작할 때 만 16세가 돼요. 참가 나이에 맞아요."
    )
    assert User.objects.get(email=EMAIL).preferred_language == "ko"
