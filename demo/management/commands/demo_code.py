"""Print the code a demo coordinator's authenticator app would show now.

Coordinators and staff must sign in with a second factor. The demo accounts share one
published secret (demo.demo_data.DEMO_TOTP_SECRET); this prints its current six digits, so
the demo can be tried without setting up an app. Refuses with DEBUG off, like seed_demo.
"""

import time

from allauth.mfa.app_settings import TOTP_PERIOD
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo.demo_data import DEMO_TOTP_SECRET


class Command(BaseCommand):
    help = "Print the current sign-in code of the demo coordinators and staff."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("demo_code is for the demo (DEBUG on) only.")
        now = int(time.time())
        code = format_hotp_value(hotp_value(DEMO_TOTP_SECRET, now // TOTP_PERIOD))
        left = TOTP_PERIOD - now % TOTP_PERIOD
        self.stdout.write(f"{code}  (valid for another {left} s)")
