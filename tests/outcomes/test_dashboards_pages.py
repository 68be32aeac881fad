"""Dashboards: who sees which page and export, the under-5 rule on every page, table and
export, the figures against counts made in the database, and query counts that don't grow."""

import csv
import io
import re

import pytest
from django.db.models import Count, Q
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import User
from core.models import Partnership
from exchange.models import PARTICIPATING, Application, ApplicationEvent, AuditEntry
from outcomes.selectors import dashboards as selectors
from tests.outcomes.dashboard_helpers import applications, ended_program, session

pytestmark = pytest.mark.django_db
HIDDEN = "fewer than 5"


def read_csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def read_xlsx(data: bytes) -> list[list]:
    sheet = load_workbook(io.BytesIO(data)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def partnership_ab(city_a, city_b) -> Partnership:
    return Partnership.objects.get(city_a=city_a, city_b=city_b)


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def everyone(request, alice, mina, carol, bob, oscar, vera):
    return {
        "anonymous": None,
        "alice": alice,
        "mina": mina,
        "carol": carol,
        "bob": bob,
        "oscar": oscar,
        "vera": vera,
    }


def urls(program, partnership, city_a, city_b) -> dict[str, str]:
    return {
        "home": "/outcomes/",
        "program": f"/outcomes/programs/{program.pk}/",
        "program_csv": f"/outcomes/programs/{program.pk}/export/funnel.csv",
        "program_xlsx": f"/outcomes/programs/{program.pk}/export/ages.xlsx",
        "partnership": f"/outcomes/partnerships/{partnership.pk}/",
        "partnership_csv": f"/outcomes/partnerships/{partnership.pk}/export/participants.csv",
        "partnership_xlsx": f"/outcomes/partnerships/{partnership.pk}/export/balance.xlsx",
        "city_a": f"/outcomes/cities/{city_a.slug}/",
        "city_a_csv": f"/outcomes/cities/{city_a.slug}/export/network.csv",
        "city_b": f"/outcomes/cities/{city_b.slug}/",
        "city_b_xlsx": f"/outcomes/cities/{city_b.slug}/export/network.xlsx",
    }


ALLOWED = {
    "carol": {"home", "program", "program_csv", "program_xlsx", "partnership"}
    | {"partnership_csv", "partnership_xlsx", "city_a", "city_a_csv"},
    "vera": {"home", "program", "program_csv", "program_xlsx", "partnership"}
    | {"partnership_csv", "partnership_xlsx", "city_a", "city_a_csv"},
    "bob": {"home", "program", "program_csv", "program_xlsx", "partnership"}
    | {"partnership_csv", "partnership_xlsx", "city_b", "city_b_xlsx"},
    "alice": set(),
    "mina": set(),
    "oscar": {"home"},  # a coordinator (of C) has the outcomes' home, with C's figures only
}


@pytest.mark.parametrize("persona", ["anonymous", "alice", "mina", "carol", "bob", "oscar", "vera"])
def test_every_page_and_export_for_every_persona(persona, everyone, city_a, city_b, carol):
    program = ended_program([city_a, city_b], carol=carol)
    pages = urls(program, partnership_ab(city_a, city_b), city_a, city_b)
    client = client_for(everyone[persona])

    for name, url in pages.items():
        response = client.get(url)
        if persona == "anonymous":
            assert response.status_code == 302, name
            assert response["Location"].startswith("/accounts/login/"), name
        elif name in ALLOWED[persona]:
            assert response.status_code == 200, name
        else:
            assert response.status_code == 403, name


def _links(page: str) -> set[str]:
    return set(re.findall(r'href="(/(?:outcomes|programs|coordinate)/[^"]*)"', page))


def test_dashboards_lead_to_the_tools_each_reader_may_use(carol, vera, city_a, city_b):
    """From the dashboards a coordinator reaches the program's surveys and learning outcomes,
    the partnership's working groups and reports and the city's observers; an observer reaches
    the groups and reports, and is not shown the doors it can't open."""
    program = ended_program([city_a, city_b], carol=carol)
    partnership = partnership_ab(city_a, city_b)
    tools = {
        f"/programs/{program.pk}/surveys/pre/",
        f"/coordinate/programs/{program.pk}/learning/",
        f"/coordinate/cities/{city_a.slug}/observers/",
    }
    shared = {
        f"/outcomes/partnerships/{partnership.pk}/groups/",
        f"/outcomes/partnerships/{partnership.pk}/reports/",
    }
    pages = (
        f"/outcomes/programs/{program.pk}/",
        f"/outcomes/partnerships/{partnership.pk}/",
        f"/outcomes/cities/{city_a.slug}/",
    )
    for user, expected in ((carol, tools | shared), (vera, shared)):
        client = client_for(user)
        found = set().union(*(_links(client.get(url).content.decode()) for url in pages))
        assert found & (tools | shared) == expected, user
        for url in expected:
            assert client.get(url).status_code == 200, (user, url)


def test_unknown_objects_and_tables_are_404(carol, city_a, city_b, draft_ab):
    client = client_for(carol)
    program = ended_program([city_a, city_b], carol=carol)
    partnership = partnership_ab(city_a, city_b)

    assert client.get("/outcomes/programs/999999/").status_code == 404
    assert client.get(f"/outcomes/programs/{draft_ab.pk}/").status_code == 404
    assert client.get("/outcomes/partnerships/999999/").status_code == 404
    assert client.get("/outcomes/cities/nowhere/").status_code == 404
    assert client.get(f"/outcomes/programs/{program.pk}/export/nothing.csv").status_code == 404
    assert client.get(f"/outcomes/programs/{program.pk}/export/funnel.pdf").status_code == 404
    bad = f"/outcomes/partnerships/{partnership.pk}/export/funnel.csv"
    assert client.get(bad).status_code == 404
    assert AuditEntry.objects.filter(action=AuditEntry.Action.FIGURES_EXPORT).count() == 0


def test_home_lists_the_users_cities_partnerships_and_programs(carol, city_a, city_b, city_c):
    program = ended_program([city_a, city_b], carol=carol, title="Kite festival")
    elsewhere = ended_program([city_c], title="Siheung only")
    partnership = partnership_ab(city_a, city_b)

    page = client_for(carol).get("/outcomes/").content.decode()

    assert f'href="/outcomes/cities/{city_a.slug}/"' in page
    assert f'href="/outcomes/cities/{city_c.slug}/"' not in page
    assert f'href="/outcomes/partnerships/{partnership.pk}/"' in page
    assert f'href="/outcomes/programs/{program.pk}/"' in page
    assert f'href="/outcomes/programs/{elsewhere.pk}/"' not in page


def expected(n: int) -> str:
    return HIDDEN if 0 < n < 5 else str(n)


@pytest.mark.parametrize("n", [0, 1, 4, 5, 6])
def test_under_5_rule_on_the_program_page_tables_and_exports(n, carol, city_a, city_b):
    program = ended_program([city_a, city_b], carol=carol)
    applications(program, city_a, n, age=16)
    client = client_for(carol)
    confirmed = Application.objects.filter(
        program=program, city=city_a, state__in=PARTICIPATING
    ).count()
    assert confirmed == n

    tables = {t.key: t for t in selectors.program_dashboard(program)}
    funnel = tables["funnel"].display_rows()
    assert funnel[0] == [city_a.name_local, *[expected(n)] * 4, "0"]
    assert funnel[1] == [city_b.name_local, "0", "0", "0", "0", "0"]
    assert funnel[2] == ["All cities", *[expected(n)] * 4, "0"]
    ages = dict(tables["ages"].display_rows())
    assert ages["15–17"] == expected(n)

    page = client.get(f"/outcomes/programs/{program.pk}/").content.decode()
    assert (f"<td>{HIDDEN}</td>" in page) == (0 < n < 5)
    assert (f">{HIDDEN}</text>" in page) == (0 < n < 5)
    assert (f"<td>{n}</td>" in page) == (n == 0 or n >= 5)
    assert ("chart-hidden" in page) == (0 < n < 5)

    rows = read_csv(client.get(f"/outcomes/programs/{program.pk}/export/funnel.csv").content)
    assert rows[0] == ["City", "Started", "Submitted", "Accepted", "Confirmed", "Completed"]
    assert rows[1] == [city_a.name_local, *[expected(n)] * 4, "0"]
    sheet = read_xlsx(client.get(f"/outcomes/programs/{program.pk}/export/funnel.xlsx").content)
    cell = HIDDEN if 0 < n < 5 else n
    assert sheet[1] == [city_a.name_local, cell, cell, cell, cell, 0]
    assert sheet[3] == ["All cities", cell, cell, cell, cell, 0]
    ages = read_xlsx(client.get(f"/outcomes/programs/{program.pk}/export/ages.xlsx").content)
    assert ages[3] == ["15–17", cell]
    assert AuditEntry.objects.filter(action=AuditEntry.Action.FIGURES_EXPORT).count() == 6


@pytest.mark.parametrize("n", [0, 1, 4, 5, 6])
def test_under_5_rule_on_the_partnership_page_and_exports(n, carol, city_a, city_b):
    program = ended_program([city_a, city_b], carol=carol)
    applications(program, city_b, n)
    applications(program, city_a, 7)
    partnership = partnership_ab(city_a, city_b)
    client = client_for(carol)
    year = str(program.ends_on.year)
    from_b = Application.objects.filter(program=program, city=city_b, state__in=PARTICIPATING)
    assert from_b.count() == n

    rows = read_csv(
        client.get(f"/outcomes/partnerships/{partnership.pk}/export/participants.csv").content
    )
    # One side hidden hides the other (secondary suppression).
    assert rows[-1] == [year, HIDDEN if 0 < n < 5 else "7", expected(n)]
    balance = read_xlsx(
        client.get(f"/outcomes/partnerships/{partnership.pk}/export/balance.xlsx").content
    )
    # A hidden year adds nothing to the running balance: it is counted from the figures shown.
    assert balance[-1] == [year, 0 if 0 < n < 5 else 7 - n]
    page = client.get(f"/outcomes/partnerships/{partnership.pk}/").content.decode()
    assert (f"<td>{HIDDEN}</td>" in page) == (0 < n < 5)
    assert (f"Years left out: {year}." in page) == (0 < n < 5)
    network = read_csv(client.get(f"/outcomes/cities/{city_a.slug}/export/network.csv").content)
    assert network[1][5:7] == [HIDDEN if 0 < n < 5 else "7", expected(n)]
    city_page = client.get(f"/outcomes/cities/{city_a.slug}/").content.decode()
    assert (f"<td>{HIDDEN}</td>" in city_page) == (0 < n < 5)


def test_secondary_suppression_in_the_funnel(carol, city_a, city_b):
    program = ended_program([city_a, city_b], carol=carol)
    applications(program, city_a, 2)
    applications(program, city_b, 6)

    funnel = {t.key: t for t in selectors.program_dashboard(program)}["funnel"].display_rows()

    # Two cities, one hidden: the other is hidden too, or it would give the hidden one away.
    assert funnel[0][4] == HIDDEN
    assert funnel[1][4] == HIDDEN
    assert funnel[2][4] == "8"


def test_funnel_counts_everyone_who_reached_a_stage(carol, city_a, city_b):
    program = ended_program([city_a, city_b], carol=carol)
    states = ["draft", "submitted", "under_review", "rejected", "accepted", "declined"]
    states += ["confirmed", "completed", "withdrawn", "withdrawn"]
    made = [applications(program, city_a, 1, state=state)[0] for state in states]
    made[-1].submitted_at = timezone.now()  # withdrawn after submitting
    made[-1].save(update_fields=["submitted_at"])
    ApplicationEvent.objects.create(
        application=made[-1], from_state="submitted", to_state="accepted"
    )

    counts = selectors.funnel_counts(program)[city_a.pk]

    direct = Application.objects.filter(program=program).aggregate(
        started=Count("pk"), completed=Count("pk", filter=Q(state="completed"))
    )
    assert counts == {
        "started": direct["started"],
        "submitted": 8,  # all but the draft and the draft withdrawn
        "accepted": 5,  # accepted, declined, confirmed, completed, withdrawn after the offer
        "confirmed": 2,
        "completed": direct["completed"],
    }


def test_attendance_certificates_and_surveys_against_the_database(carol, city_a, city_b):
    from exchange.models import Attendance, Certificate

    program = ended_program([city_a, city_b], carol=carol)
    people = applications(program, city_a, 6)
    session(program, present=people[:5], absent=people[5:])
    session(program, present=people[:3], absent=people[3:4])
    for index, application in enumerate(people):
        Certificate.objects.create(
            application=application,
            serial=f"S-{index}",
            revoked_at=timezone.now() if index == 0 else None,
        )

    tables = {t.key: t for t in selectors.program_dashboard(program)}

    present = list(
        Attendance.objects.filter(session__program=program)
        .values("session_id")
        .annotate(n=Count("pk", filter=Q(attended=True)), records=Count("pk"))
        .order_by("session__starts_at", "session_id")
    )
    rows = tables["attendance"].export_rows()
    assert [row[1:] for row in rows] == [
        [present[0]["n"], round(100 * 5 / 6, 1)],
        [HIDDEN, HIDDEN],
    ]
    valid = Certificate.objects.filter(application__program=program, revoked_at=None).count()
    assert tables["certificates"].export_rows() == [["Issued", 6], ["Valid", valid]]
    assert tables["satisfaction"].export_rows() == [["Satisfaction", ""]]


def test_observer_sees_no_personal_data(vera, carol, city_a, city_b):
    program = ended_program([city_a, city_b], carol=carol)
    applications(program, city_a, 6)
    applications(program, city_b, 2)
    partnership = partnership_ab(city_a, city_b)
    client = client_for(vera)
    pages = [
        "/outcomes/",
        f"/outcomes/programs/{program.pk}/",
        f"/outcomes/partnerships/{partnership.pk}/",
        f"/outcomes/cities/{city_a.slug}/",
    ]
    for key in ("funnel", "ages", "genders", "attendance", "certificates", "competences"):
        pages += [f"/outcomes/programs/{program.pk}/export/{key}.csv"]
    for key in ("participants", "balance", "programs", "outcomes"):
        pages += [f"/outcomes/partnerships/{partnership.pk}/export/{key}.csv"]
    pages += [f"/outcomes/cities/{city_a.slug}/export/network.csv"]
    personal = set()
    for user in User.objects.exclude(pk=vera.pk):
        personal |= {user.email, user.native_name, user.latin_name} - {""}
    assert len(personal) > 10

    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        text = response.content.decode("utf-8-sig")
        assert [value for value in personal if value in text] == [], url
    sheet = client.get(f"/outcomes/programs/{program.pk}/export/funnel.xlsx").content
    cells = {str(c) for row in read_xlsx(sheet) for c in row}
    assert cells & personal == set()


def test_program_dashboard_queries_do_not_grow(
    carol, city_a, city_b, django_assert_num_queries, django_assert_max_num_queries
):
    client = client_for(carol)

    def build(n):
        program = ended_program([city_a, city_b], carol=carol)
        people = applications(program, city_a, n)
        for _ in range(n):
            session(program, present=people)
        return program

    one, three = build(1), build(3)
    client.get(f"/outcomes/programs/{one.pk}/")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as first:
        client.get(f"/outcomes/programs/{one.pk}/")
    with django_assert_num_queries(len(first.captured_queries)):
        client.get(f"/outcomes/programs/{three.pk}/")


@pytest.mark.parametrize("page", ["partnership", "city"])
def test_partnership_and_city_queries_do_not_grow(page, carol, city_a, city_b):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(carol)
    partnership = partnership_ab(city_a, city_b)
    url = (
        f"/outcomes/partnerships/{partnership.pk}/"
        if page == "partnership"
        else f"/outcomes/cities/{city_a.slug}/"
    )
    program = ended_program([city_a, city_b], carol=carol)
    applications(program, city_a, 1)
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for days in (30, 40):
        more = ended_program([city_a, city_b], carol=carol, days_ago=days)
        people = applications(more, city_b, 3)
        session(more, present=people)
    with CaptureQueriesContext(connection) as three:
        client.get(url)
    assert len(three.captured_queries) == len(one.captured_queries)
