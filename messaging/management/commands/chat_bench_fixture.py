"""Rooms full of verified members for the chat benchmark, with session cookies to sign in.

    python manage.py chat_bench_fixture --rooms 4 --members 25 [--host 127.0.0.1:8000]

Prints JSON: [{"room", "ws_url", "cookies": ["sessionid=..."]}]. Refuses to run with DEBUG off:
it creates accounts and live sessions that anyone holding the output can use.
"""

import json
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.models import CoordinatorMembership, User
from core.models import City, Language
from exchange.models import Application, LiveSession, Program, ProgramCity
from messaging.models import Room


class Command(BaseCommand):
    help = "Create rooms of verified members for the chat benchmark and print how to join them."

    def add_arguments(self, parser):
        parser.add_argument("--rooms", type=int, required=True)
        parser.add_argument("--members", type=int, required=True)
        parser.add_argument("--host", default="127.0.0.1:8000")

    def handle(self, *args, rooms: int, members: int, host: str, **options):
        if not settings.DEBUG:
            raise CommandError("Refusing to run with DEBUG off: this creates signed-in sessions.")
        if not (1 <= rooms <= 100 and 1 <= members <= 1000):
            raise CommandError("Use 1–100 rooms of 1–1000 members.")
        with transaction.atomic():
            output = self._create(rooms, members, host)
        self.stdout.write(json.dumps(output))

    def _create(self, rooms: int, members: int, host: str) -> list[dict]:
        stamp = timezone.now().strftime("%Y%m%d%H%M%S%f")
        korean = Language.objects.get(code="ko")
        city, _created = City.objects.get_or_create(
            slug="bench-city",
            defaults={
                "name_local": "벤치시",
                "name_en": "Bench City",
                "country": "KR",
                "time_zone": "Asia/Seoul",
                "main_language": korean,
            },
        )
        now = timezone.now()
        program = Program.objects.create(
            kind=Program.Kind.ONLINE,
            title=f"Chat benchmark {stamp}",
            description="Benchmark rooms.",
            applications_open=now - timedelta(days=2),
            applications_close=now - timedelta(days=1),
            starts_on=now.date(),
            ends_on=now.date() + timedelta(days=30),
            min_age=10,
            max_age=30,
            status=Program.Status.RUNNING,
        )
        ProgramCity.objects.create(program=program, city=city, quota=1000)
        # Two adults supervise every room (messaging.rules): two coordinators of the city.
        for n in range(2):
            coordinator = User.objects.create_user(
                f"bench-{stamp}-coordinator-{n}@bench.example",
                None,
                native_name=f"코디{n}",
                latin_name=f"Coordinator {n}",
                date_of_birth=now.date().replace(year=now.year - 40),
                home_city=city,
            )
            CoordinatorMembership.objects.create(user=coordinator, city=city)
        # An online exchange posts only during a live session: one is on for the next hours,
        # so the benchmark pays for the session check and attendance like a real session.
        LiveSession.objects.create(
            program=program,
            title="Benchmark session",
            starts_at=now - timedelta(minutes=1),
            ends_at=now + timedelta(hours=6),
        )
        backend = settings.AUTHENTICATION_BACKENDS[-1]
        result = []
        for r in range(rooms):
            room = Room.objects.create(
                program=program, kind=Room.Kind.GROUP, name=f"Bench room {r + 1}"
            )
            cookies = []
            for m in range(members):
                user = User.objects.create_user(
                    f"bench-{stamp}-{r}-{m}@bench.example",
                    None,
                    native_name=f"벤치{m}",
                    latin_name=f"Bench {m}",
                    date_of_birth=now.date().replace(year=now.year - 20),
                    home_city=city,
                )
                EmailAddress.objects.create(
                    user=user, email=user.email, verified=True, primary=True
                )
                application = Application.objects.create(
                    program=program, student=user, city=city, state=Application.State.CONFIRMED
                )
                room.applications.add(application)
                session = SessionStore()
                session[SESSION_KEY] = str(user.pk)
                session[BACKEND_SESSION_KEY] = backend
                session[HASH_SESSION_KEY] = user.get_session_auth_hash()
                session.create()
                cookies.append(f"{settings.SESSION_COOKIE_NAME}={session.session_key}")
            result.append(
                {"room": room.pk, "ws_url": f"ws://{host}/ws/rooms/{room.pk}/", "cookies": cookies}
            )
        return result
