"""`manage.py seed_demo`, which `make run` calls: the demo a city coordinator tries first."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from accounts.models import User
from demo import demo_data
from exchange.models import Application, Certificate, Matching, Program
from messaging.models import Message, Room
from messaging.rules import room_role
from tests.helpers import pdf_text, squeeze

pytestmark = pytest.mark.django_db


def test_seed_demo_refuses_with_debug_off(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError):
        call_command("seed_demo")

    assert Program.objects.count() == 0


def test_seed_demo_twice_gives_the_same_demo_with_chat_rooms_to_try(settings):
    settings.DEBUG = True

    call_command("seed_demo")
    first = (
        Program.objects.count(),
        Application.objects.count(),
        User.objects.count(),
        Room.objects.count(),
        Message.objects.count(),
    )
    call_command("seed_demo")
    second = (
        Program.objects.count(),
        Application.objects.count(),
        User.objects.count(),
        Room.objects.count(),
        Message.objects.count(),
    )

    assert first == second == (8, 65, 73, 12, 7)
    ceramics = Program.objects.get(title=demo_data.CHAT_PROGRAM)
    assert Matching.objects.get(program=ceramics).status == Matching.Status.PUBLISHED
    seoyeon = User.objects.get(email="lee.seoyeon@demo.example")
    siqi = User.objects.get(email="li.siqi@demo.example")
    pair = Room.objects.get(program=ceramics, kind=Room.Kind.PAIR, applications__student=seoyeon)
    assert [room_role(user=person, room=pair) for person in (seoyeon, siqi)] == [
        "participant",
        "participant",
    ]
    assert list(Message.objects.filter(room=pair).values_list("sender__email", "body")) == [
        ("lee.seoyeon@demo.example", demo_data.CHAT_HELLO["ko"])
    ]


def test_seed_demo_past_program_has_completed_participants_with_certificates(
    settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.DEBUG = True
    settings.MEDIA_ROOT = tmp_path

    # The certificates are rendered (eagerly) once the seed commits.
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo")

    # The Spring week (Gwangju, Zibo, Ha Long) and the Siheung–Jilin media camp.
    for spec, participants, _signatories in demo_data.PAST_PROGRAMS:
        program = Program.objects.get(title=spec["title"])
        texts = {}
        for certificate in Certificate.objects.filter(
            application__program=program, revoked_at__isnull=True
        ).select_related("application__student"):
            with certificate.pdf.open("rb") as file:
                texts[certificate.application.student] = pdf_text(file.read())
        expected = {
            person
            if isinstance(person, str)
            else f"{person[1].lower().replace(' ', '.')}@demo.example"
            for people in participants.values()
            for person in people
        }
        issued_days = {
            timezone.localdate(issued_at)
            for issued_at in Certificate.objects.filter(application__program=program).values_list(
                "issued_at", flat=True
            )
        }
        # Dated when it happened: issued three days after the program's last day.
        assert issued_days == {program.ends_on + timedelta(days=3)}
        assert (
            program.status,
            set(program.applications.values_list("state", flat=True)),
            # Each holder's name in Hangul, Chinese or Vietnamese, read back out of their PDF.
            {
                student.email: squeeze(student.native_name) in text
                for student, text in texts.items()
            },
        ) == (Program.Status.COMPLETED, {"completed"}, dict.fromkeys(expected, True))


def test_every_demo_account_with_power_has_the_published_second_factor(client, settings):
    """Coordinators and staff must have a second factor: the demo's have the README's secret,
    and signing in as one takes the password and then the code `demo_code` prints."""
    import re

    from allauth.mfa.models import Authenticator
    from django.core.management import call_command as run

    from accounts.rules import holds_power

    settings.DEBUG = True
    call_command("seed_demo")

    powerful = sorted(u.email for u in User.objects.all() if holds_power(u))
    with_app = sorted(
        Authenticator.objects.filter(type="totp").values_list("user__email", flat=True)
    )
    assert powerful == with_app == sorted([*demo_data.COORDINATORS, demo_data.STAFF_EMAIL])

    from io import StringIO

    out = StringIO()
    run("demo_code", stdout=out)
    code = re.match(r"(\d{6})  \(valid for another \d+ s\)\n$", out.getvalue()).group(1)
    client.post(
        "/accounts/login/",
        {"login": "coord.zibo@demo.example", "password": demo_data.DEMO_PASSWORD},
    )
    signed_in = client.post("/accounts/2fa/authenticate/", {"code": code})
    assert signed_in.status_code == 302
    assert client.get("/coordinate/").status_code == 200
