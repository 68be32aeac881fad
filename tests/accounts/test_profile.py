"""The profile form and the language switch."""

from datetime import date, timedelta
from html.parser import HTMLParser

import pytest
from django.utils import timezone

from accounts.models import SpokenLanguage, User
from core.models import Theme
from tests import factories

# Every test here touches the database, including those that reach it through
# request.getfixturevalue: marking them lets pytest-django run them with the other
# database tests, before any transactional test flushes the migrated vocabulary.
pytestmark = pytest.mark.django_db


class _Fields(HTMLParser):
    """The value each named form control shows: an input's value, a textarea's text,
    a select's selected options, the checked boxes of a checkbox group."""

    def __init__(self):
        super().__init__()
        self.values: dict[str, list[str]] = {}
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input" and a.get("name"):
            if a.get("type") in {"checkbox", "radio"}:
                self.values.setdefault(a["name"], [])
                if "checked" in a:
                    self.values[a["name"]].append(a.get("value", ""))
            else:
                self.values[a["name"]] = [a.get("value", "")]
        elif tag == "select":
            self._select = a["name"]
            self.values[self._select] = []
        elif tag == "option" and self._select and "selected" in a:
            self.values[self._select].append(a.get("value", ""))
        elif tag == "textarea":
            self._textarea = a["name"]
            self.values[self._textarea] = [""]

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea][0] += data


def shown(response) -> dict[str, list[str]]:
    parser = _Fields()
    parser.feed(response.content.decode())
    return parser.values


def theme_pk(slug: str) -> int:
    return Theme.objects.get(slug=slug).pk


def profile_post(city, **overrides) -> dict:
    data = {
        "native_name": "김민지",
        "latin_name": "Kim Minji",
        "date_of_birth": "2010-03-14",
        "home_city": str(city.pk),
        "school": "Gwangju High School",
        "interests": [str(theme_pk("ceramics")), str(theme_pk("music"))],
        "preferred_language": "ko",
        "lang_ko": "4",
        "lang_zh": "1",
        "lang_en": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def saved(user: User) -> dict:
    """Everything the profile form may write for one user."""
    return {
        "user": User.objects.filter(pk=user.pk).values().get(),
        "interests": sorted(User.objects.get(pk=user.pk).interests.values_list("slug", flat=True)),
        "languages": sorted(
            SpokenLanguage.objects.filter(user=user).values_list("language", "level")
        ),
    }


# --- saving ------------------------------------------------------------------------------


def test_profile_page_shows_the_saved_profile(client, alice):
    client.force_login(alice)

    response = client.get("/me/profile/")

    fields = shown(response)
    assert response.status_code == 200
    assert fields["native_name"] == ["김앨리스"]
    assert fields["latin_name"] == ["Kim Alice"]
    assert fields["date_of_birth"] == [alice.date_of_birth.isoformat()]
    assert fields["home_city"] == [str(alice.home_city_id)]
    assert fields["lang_ko"] == ["4"]
    assert fields["lang_en"] == ["2"]
    assert fields["lang_zh"] == [""]


def test_profile_valid_save_persists_everything(client, alice, city_b):
    client.force_login(alice)

    response = client.post("/me/profile/", profile_post(city_b))

    assert response.status_code == 302
    assert response.url == "/me/profile/"
    alice.refresh_from_db()
    assert (
        alice.native_name,
        alice.latin_name,
        alice.date_of_birth,
        alice.home_city,
        alice.school,
        alice.preferred_language,
    ) == ("김민지", "Kim Minji", date(2010, 3, 14), city_b, "Gwangju High School", "ko")
    assert saved(alice)["interests"] == ["ceramics", "music"]
    # The old levels (ko 4, en 2) are replaced, not merged.
    assert saved(alice)["languages"] == [("ko", 4), ("zh", 1)]


def test_profile_save_with_no_interests_clears_them(client, alice, city_a):
    alice.interests.set(Theme.objects.filter(slug="sports"))
    client.force_login(alice)

    client.post("/me/profile/", profile_post(city_a, interests=None))

    assert saved(alice)["interests"] == []


def test_profile_save_says_it_was_saved(client, alice, city_a):
    client.force_login(alice)

    response = client.post(
        "/me/profile/", profile_post(city_a, preferred_language="en"), follow=True
    )

    assert [str(m) for m in response.context["messages"]] == ["Your profile was saved."]


def test_profile_incomplete_profile_asks_to_complete_it(client, city_a):
    user = factories.UserFactory(email="new@example.org")
    client.force_login(user)

    response = client.get("/me/profile/")

    assert "Complete your profile" in response.content.decode()


# --- refusing ----------------------------------------------------------------------------

TOMORROW = "TOMORROW"


@pytest.mark.parametrize(
    ("overrides", "field", "error"),
    [
        pytest.param(
            {"date_of_birth": TOMORROW},
            "date_of_birth",
            "The date of birth can’t be in the future.",
            id="future-birth-date",
        ),
        pytest.param(
            {"date_of_birth": "1900-01-01"},
            "date_of_birth",
            "Please check the year of your date of birth.",
            id="too-old",
        ),
        pytest.param(
            {"date_of_birth": "14/03/2010"},
            "date_of_birth",
            "Enter a valid date.",
            id="unreadable-date",
        ),
        pytest.param(
            {"native_name": ""}, "native_name", "This field is required.", id="no-native-name"
        ),
        pytest.param(
            {"home_city": "999999"},
            "home_city",
            "Select a valid choice. That choice is not one of the available choices.",
            id="unknown-city",
        ),
        pytest.param(
            {"lang_ko": "7"},
            "lang_ko",
            "Select a valid choice. 7 is not one of the available choices.",
            id="unknown-level",
        ),
        pytest.param(
            {"preferred_language": "xx"},
            "preferred_language",
            "Select a valid choice. xx is not one of the available choices.",
            id="unknown-interface-language",
        ),
    ],
)
def test_profile_invalid_field_shows_error_beside_it_and_writes_nothing(
    client, alice, city_b, overrides, field, error
):
    if overrides.get("date_of_birth") == TOMORROW:
        overrides = {"date_of_birth": (timezone.localdate() + timedelta(days=1)).isoformat()}
    client.force_login(alice)
    before = saved(alice)
    data = profile_post(city_b, **overrides)

    response = client.post("/me/profile/", data)

    assert response.status_code == 200
    assert response.context["form"].errors == {field: [error]}
    body = response.content.decode()
    assert f'<ul class="errorlist" id="id_{field}_error"><li>{error}</li></ul>' in body
    fields = shown(response)
    # What was typed comes back, the wrong value included where the control can show it.
    assert fields["native_name"] == [data["native_name"]]
    assert fields["latin_name"] == ["Kim Minji"]
    assert fields["school"] == ["Gwangju High School"]
    assert fields["interests"] == data["interests"]
    assert fields["lang_zh"] == ["1"]
    if field in {"native_name", "date_of_birth"}:
        assert fields[field] == [data[field]]
    assert saved(alice) == before


def test_profile_with_no_language_is_refused_and_writes_nothing(client, alice, city_b):
    client.force_login(alice)
    before = saved(alice)

    response = client.post("/me/profile/", profile_post(city_b, lang_ko="", lang_zh=""))

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "__all__": ["Choose at least one language you speak."]
    }
    assert "Choose at least one language you speak." in response.content.decode()
    fields = shown(response)
    assert fields["native_name"] == ["김민지"]
    assert fields["date_of_birth"] == ["2010-03-14"]
    assert saved(alice) == before


def test_profile_anonymous_post_writes_nothing(client, alice, city_b):
    before = saved(alice)

    response = client.post("/me/profile/", profile_post(city_b))

    assert response.status_code == 302
    assert response.url == "/accounts/login/?next=/me/profile/"
    assert saved(alice) == before


# --- the language switch -----------------------------------------------------------------


def test_set_language_signed_in_persists_choice(client, alice):
    client.force_login(alice)

    response = client.post("/me/language/", {"language": "ko", "next": "/programs/?kind=visit"})

    assert response.status_code == 302
    assert response.url == "/programs/?kind=visit"
    assert response.cookies["django_language"].value == "ko"
    alice.refresh_from_db()
    assert alice.preferred_language == "ko"


def test_set_language_signed_in_choice_follows_to_next_page(client, alice):
    client.force_login(alice)
    client.post("/me/language/", {"language": "ko", "next": "/"})
    client.cookies.pop("django_language")  # the profile alone decides, not the cookie

    response = client.get("/programs/")

    assert '<html lang="ko">' in response.content.decode()


def test_set_language_anonymous_sets_cookie_only(client, alice):
    response = client.post("/me/language/", {"language": "vi", "next": "/cities/"})

    assert response.url == "/cities/"
    assert response.cookies["django_language"].value == "vi"
    assert User.objects.get(pk=alice.pk).preferred_language == "en"
    assert '<html lang="vi">' in client.get("/cities/").content.decode()


def test_set_language_unknown_language_is_rejected(client, alice):
    client.force_login(alice)

    response = client.post("/me/language/", {"language": "xx", "next": "/programs/"}, follow=True)

    assert response.redirect_chain == [("/programs/", 302)]
    assert [str(m) for m in response.context["messages"]] == ["That language is not available."]
    assert "django_language" not in client.cookies
    alice.refresh_from_db()
    assert alice.preferred_language == "en"


@pytest.mark.parametrize(
    "next_url",
    [
        "https://evil.example/",
        "//evil.example/path",
        "http://testserver.evil.example/",
        "javascript:alert(1)",
        "",
    ],
)
def test_set_language_refuses_off_site_next(client, alice, next_url):
    client.force_login(alice)

    response = client.post("/me/language/", {"language": "ja", "next": next_url})

    assert response.status_code == 302
    assert response.url == "/"
    alice.refresh_from_db()
    assert alice.preferred_language == "ja"


def test_set_language_by_get_is_not_allowed(client, alice):
    client.force_login(alice)

    response = client.get("/me/language/", {"language": "ko"})

    assert response.status_code == 405
    alice.refresh_from_db()
    assert alice.preferred_language == "en"


# --- names: found from outside, names of invisible or direction-changing characters ------

INVISIBLE = (
    "Names can’t hold invisible or direction-changing characters. Type the name again without "
    "copying it from elsewhere."
)
NO_LETTER = "A name needs at least one letter."


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("\u200b\u200b\u200b", INVISIBLE),  # zero-width spaces only
        ("Kim\u200bMinji", INVISIBLE),
        ("\u202eijniM miK", INVISIBLE),  # right-to-left override: reads "Kim Minji" backwards
        ("Kim \u2066Minji\u2069", INVISIBLE),  # isolates
        ("\ufeffKim", INVISIBLE),  # byte-order mark
        ("Kim\x07", INVISIBLE),  # a control character
        ("12345", NO_LETTER),
        ("--- !!!", NO_LETTER),
        ("🙂🙂", NO_LETTER),
    ],
)
def test_profile_refuses_a_name_that_is_not_one(client, alice, city_a, name, error):
    client.force_login(alice)
    before = User.objects.filter(pk=alice.pk).values().get()

    for field in ("native_name", "latin_name"):
        response = client.post("/me/profile/", profile_post(city_a, **{field: name}))

        assert response.status_code == 200
        assert response.context["form"].errors == {field: [error]}
    assert User.objects.filter(pk=alice.pk).values().get() == before


@pytest.mark.parametrize(
    "name",
    [
        "김민지",
        "王晓雨",
        "田中 結衣",
        "Nguyễn Thị Lan",
        "Nguye\u0302\u0303n",
        "O'Brien-Kim",
        "李 明",
    ],
)
def test_profile_keeps_real_names_in_every_script(client, alice, city_a, name):
    client.force_login(alice)

    response = client.post("/me/profile/", profile_post(city_a, native_name=name))

    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.native_name == name


def test_a_new_profile_asks_for_the_home_city_instead_of_choosing_one(client, db):
    """Found on the embedded default: a new profile's home city defaulted to Andong, the
    first in the list, and a student who didn't look saved it."""
    newcomer = factories.UserFactory(email="new@example.org")
    client.force_login(newcomer)

    page = client.get("/me/profile/")
    saved_without = client.post(
        "/me/profile/", {**profile_post(factories.CityFactory()), "home_city": ""}
    )

    assert shown(page)["home_city"] == [""]  # the "choose" option, selected
    assert '<option value="" selected>Choose your city…</option>' in page.content.decode()
    assert saved_without.context["form"].errors == {"home_city": ["This field is required."]}
    newcomer.refresh_from_db()
    assert newcomer.home_city is None


def test_a_persons_language_serves_their_request_and_no_more(client, bob):
    """Found when the suites merged: a request by a Chinese-speaking coordinator left Chinese
    active on the thread, and the next code there (a service's error) spoke Chinese."""
    from django.utils import translation

    bob.preferred_language = "zh-hans"
    bob.save(update_fields=["preferred_language"])
    client.force_login(bob)

    response = client.get("/coordinate/")

    assert response.status_code == 200
    assert response["Content-Language"] == "zh-hans"
    assert '<html lang="zh-hans">' in response.content.decode()
    assert "<h1>协调员工作台</h1>" in response.content.decode()
    assert translation.get_language() == "en"
